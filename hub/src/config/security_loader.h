#pragma once
// Reads who may connect to the AMQP listener and how: TLS and plain (<amqp plain><tls>) and the
// adapters with their logins and entitlements (<adapters>). Checks what the schema cannot: plain
// AMQP only on loopback and only when allowed, a listener nobody could reach encrypted, a login
// that binds to two adapters, entitlements that name senders or destinations the config does not
// have. Part of LoadConfig (config_loader.h); errors go to `diag`.
#include <libxml/tree.h>

#include <string>
#include <string_view>

#include "config/config.h"
#include "xml/xml_validation.h"

namespace slussen::config {

// Loopback addresses (127.0.0.0/8, ::1, "localhost"): the only hosts plain AMQP may listen on.
bool IsLoopbackHost(const std::string& host);

// `amqp` is the schema-valid <amqp> element; cfg.amqp_host is read.
void ReadAmqpSecurity(const xmlNode* amqp, std::string_view ns, const std::string& config_path,
                      Config& cfg, xml::Diagnostics& diag);

// `root` is a schema-valid <slussen>; cfg's senders and receivers are already read.
void ReadAdapters(const xmlNode* root, std::string_view ns, Config& cfg, xml::Diagnostics& diag);

}  // namespace slussen::config
