#include "config/broker_loader.h"

#include "common/secret_file.h"
#include "wire/broker_addressing.h"
#include "config/relative_path.h"
#include "config/security_loader.h"
#include "xml/quantities.h"

namespace slussen::config {

std::string UrlHost(const std::string& url) {
  const auto scheme = url.find("://");
  std::string host = url.substr(scheme == std::string::npos ? 0 : scheme + 3);
  if (const auto at = host.find('@'); at != std::string::npos) host = host.substr(at + 1);
  if (!host.empty() && host.front() == '[') return host.substr(1, host.find(']') - 1);
  return host.substr(0, host.find_first_of(":/"));
}

void ReadBroker(const xmlNode* broker, std::string_view ns, const std::string& config_path,
                Config& cfg, xml::Diagnostics& diag) {
  BrokerConfig b;
  b.url = xml::AttrOr(broker, "url");
  b.queue_prefix = xml::AttrOr(broker, "queue-prefix", b.queue_prefix);
  // The adapters' <hub><broker> is checked by the same rule: their queue names must match.
  if (const std::string problem = CheckQueuePrefix(b.queue_prefix); !problem.empty()) {
    diag.Add(broker, "queue-prefix '" + b.queue_prefix + "': " + problem +
                         " (the broker's queue names are built from it)");
  }
  b.container_id = xml::AttrOr(broker, "container-id", b.container_id);
  DurationAttr(broker, "idle-timeout", b.idle_timeout, diag);
  b.in_flight = static_cast<int>(xml::NumberAttr(broker, "in-flight", 500, diag));
  if (b.in_flight < 1 || b.in_flight > 100000) {
    diag.Add(broker, "in-flight must be 1..100000");
    b.in_flight = 500;
  }
  if (const xmlNode* r = xml::Child(broker, ns, "reconnect")) {
    DurationAttr(r, "initial-delay", b.reconnect_initial, diag);
    DurationAttr(r, "max-delay", b.reconnect_max, diag);
    if (b.reconnect_max < b.reconnect_initial) {
      diag.Add(r, "max-delay must not be shorter than initial-delay");
    }
  }
  const xmlNode* tls = xml::Child(broker, ns, "tls");
  if (tls != nullptr) {
    b.tls_ca = ResolveAgainstConfig(config_path, xml::AttrOr(tls, "ca"));
    if (const auto cert = xml::Attr(tls, "cert")) b.tls_cert = ResolveAgainstConfig(config_path, *cert);
    if (const auto key = xml::Attr(tls, "key")) b.tls_key = ResolveAgainstConfig(config_path, *key);
    if (b.tls_cert.empty() != b.tls_key.empty()) {
      diag.Add(tls, "cert and key go together");
    }
  }
  if (const xmlNode* login = xml::Child(broker, ns, "login")) {
    b.user = xml::AttrOr(login, "user");
    const std::string file = ResolveAgainstConfig(config_path, xml::AttrOr(login, "password-file"));
    if (auto secret = ReadSecretFile(file)) {
      b.password = std::move(*secret);
      if (b.password.empty()) diag.Add(login, "password-file '" + file + "' is empty");
    } else {
      diag.Add(login, "password-file '" + file + "': " + secret.error());
    }
    if (tls == nullptr && !IsLoopbackHost(UrlHost(b.url))) {
      diag.Add(login, "the broker " + UrlHost(b.url) +
                          " is not on this machine: the password needs <tls> (it would cross the "
                          "network in clear)");
    }
  }
  cfg.broker = std::move(b);
}

}  // namespace slussen::config
