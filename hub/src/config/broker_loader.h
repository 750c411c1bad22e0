#pragma once
// Reads <hub><broker> (broker mode, hub/DESIGN.md "Broker mode") into cfg.broker: the broker's
// url, the queue prefix, the hub's PLAIN login (the password read from its file), TLS and the
// reconnect backoff. Checks what the schema cannot: a password never crosses the network in
// clear (TLS unless the broker is on this machine), the prefix is one the broker accepts. Part of
// LoadConfig (config_loader.h); errors go to `diag`.
#include <libxml/tree.h>

#include <string>
#include <string_view>

#include "config/config.h"
#include "xml/xml_validation.h"

namespace slussen::config {

// The host of an AMQP url ("amqps://user@broker.example.se:5671" -> "broker.example.se").
std::string UrlHost(const std::string& url);

void ReadBroker(const xmlNode* broker, std::string_view ns, const std::string& config_path,
                Config& cfg, xml::Diagnostics& diag);

}  // namespace slussen::config
