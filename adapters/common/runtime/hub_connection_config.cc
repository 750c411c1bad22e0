#include "runtime/hub_connection_config.h"

#include "common/secret_file.h"
#include "xml/quantities.h"

namespace slussen::adapter {

bool IsLoopbackUrl(const std::string& url) {
  const auto scheme = url.find("://");
  std::string host = url.substr(scheme == std::string::npos ? 0 : scheme + 3);
  if (const auto at = host.find('@'); at != std::string::npos) host = host.substr(at + 1);
  if (host.rfind("[::1]", 0) == 0) return true;
  host = host.substr(0, host.find_first_of(":/"));
  return host == "localhost" || host.rfind("127.", 0) == 0;
}

HubConnectionConfig ReadHubConnection(const xmlNode* hub, std::string_view ns,
                                      xml::Diagnostics& diag) {
  HubConnectionConfig c;
  if (hub == nullptr) return c;
  c.url = xml::AttrOr(hub, "url", c.url);
  c.container_id = xml::AttrOr(hub, "container-id");
  config::DurationAttr(hub, "idle-timeout", c.idle_timeout, diag);
  c.max_queued = static_cast<int>(xml::NumberAttr(hub, "max-queued", 1000, diag));
  if (const xmlNode* r = xml::Child(hub, ns, "reconnect")) {
    config::DurationAttr(r, "initial-delay", c.reconnect_initial, diag);
    config::DurationAttr(r, "max-delay", c.reconnect_max, diag);
    if (c.reconnect_max < c.reconnect_initial) {
      diag.Add(r, "max-delay must not be shorter than initial-delay");
    }
  }
  if (const xmlNode* t = xml::Child(hub, ns, "tls")) {
    c.tls = HubConnectionConfig::Tls{xml::AttrOr(t, "ca"), xml::AttrOr(t, "cert"),
                                     xml::AttrOr(t, "key")};
    if (c.tls->cert.empty() != c.tls->key.empty()) {
      diag.Add(t, "cert and key come together: give both or neither");
    }
  }
  if (const xmlNode* s = xml::Child(hub, ns, "sasl")) {
    HubConnectionConfig::Sasl sasl;
    sasl.mechanism = xml::AttrOr(s, "mechanism");
    sasl.user = xml::AttrOr(s, "user");
    if (auto file = xml::Attr(s, "password-file")) {
      if (auto secret = ReadSecretFile(*file)) {
        sasl.password = std::move(*secret);
      } else {
        diag.Add(s, "password-file '" + *file + "': " + secret.error());
      }
    }
    if (sasl.mechanism == "PLAIN" && (sasl.user.empty() || sasl.password.empty())) {
      diag.Add(s, "mechanism PLAIN needs user and password-file");
    }
    if (sasl.mechanism == "PLAIN" && !c.tls && !IsLoopbackUrl(c.url)) {
      diag.Add(s, "mechanism PLAIN needs <tls> (the password would cross the network in clear); "
                  "only a hub on this machine may be reached without it");
    }
    if (sasl.mechanism == "EXTERNAL" && (!c.tls || c.tls->cert.empty())) {
      diag.Add(s, "mechanism EXTERNAL needs <tls> with cert and key (the certificate is the identity)");
    }
    c.sasl = std::move(sasl);
  }
  if (const xmlNode* b = xml::Child(hub, ns, "broker")) {
    c.broker.enabled = true;
    c.broker.queue_prefix = xml::AttrOr(b, "queue-prefix", "slussen.");
    config::DurationAttr(b, "release-delay", c.broker_release_delay, diag);
    if (const std::string problem = CheckQueuePrefix(c.broker.queue_prefix);
        !problem.empty()) {
      diag.Add(b, "queue-prefix: " + problem);
    }
    // The broker checks a message's user-id against the login; the hub binds that user-id to an
    // <adapter>. Without a PLAIN user there is nothing to stamp and the hub refuses the events.
    if (!c.sasl || c.sasl->mechanism != "PLAIN") {
      diag.Add(b, "broker mode needs <sasl mechanism=\"PLAIN\">: the hub knows the sender by "
                  "the user-id the broker checks against that login");
    }
  }
  return c;
}

}  // namespace slussen::adapter
