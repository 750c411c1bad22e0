#include "config/security_loader.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <map>
#include <utility>
#include <vector>

#include "config/relative_path.h"

namespace slussen::config {
namespace {

using xml::AttrOr;
using xml::Diagnostics;
using xml::Tokens;

// A list attribute of ids, "*" for all; each id must satisfy `known` (else reported).
template <typename Known>
IdSet ReadIdSet(const xmlNode* n, const char* attr, const std::string& adapter, Known known,
                const char* what, Diagnostics& diag) {
  IdSet set;
  for (const auto& id : Tokens(AttrOr(n, attr))) {
    if (id == "*") {
      set.any = true;
    } else if (!known(id)) {
      diag.Add(n, "adapter " + adapter + ": " + attr + " names " + id + ", which is not " + what);
    } else {
      set.ids.insert(id);
    }
  }
  return set;
}

void ReadSends(const xmlNode* s, const Config& cfg, AdapterConfig& adapter, Diagnostics& diag) {
  std::vector<const SenderConfig*> senders;
  for (const auto& hsa : Tokens(AttrOr(s, "as"))) {
    if (hsa == "*") {
      for (const auto& sender : cfg.senders) senders.push_back(&sender);
    } else if (const SenderConfig* sender = cfg.FindSender(hsa)) {
      senders.push_back(sender);
    } else {
      diag.Add(s, "adapter " + adapter.name + ": sends as " + hsa + ", which is not a <sender>");
    }
  }
  std::optional<std::set<EventKind>> narrowed;
  if (const auto may_send = xml::Attr(s, "may-send")) {
    narrowed.emplace();
    for (const auto& name : Tokens(*may_send)) {
      if (auto kind = EventKindFromName(name)) {
        narrowed->insert(*kind);
      } else {
        diag.Add(s, "adapter " + adapter.name + ": unknown event kind '" + name + "' in may-send");
      }
    }
  }
  for (const SenderConfig* sender : senders) {
    std::set<EventKind>& kinds = adapter.sends[sender->hsa_id];
    for (EventKind k : sender->may_send) {
      if (!narrowed || narrowed->count(k) != 0) kinds.insert(k);
    }
  }
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

void ReadAmqpSecurity(const xmlNode* amqp, std::string_view ns, const std::string& config_path,
                      Config& cfg, Diagnostics& diag) {
  cfg.amqp_allow_plain = AttrOr(amqp, "plain", "refuse") == "allow";
  if (cfg.amqp_allow_plain && !IsLoopbackHost(cfg.amqp_host)) {
    diag.Add(amqp, "amqp host " + cfg.amqp_host +
                       " is not loopback: plain=\"allow\" is only allowed on a loopback listener "
                       "(patient data would cross the network unencrypted)");
  }
  const xmlNode* tls = xml::Child(amqp, ns, "tls");
  if (tls == nullptr) {
    if (!cfg.amqp_allow_plain) {
      diag.Add(amqp, "amqp listener has neither <tls> nor plain=\"allow\": no client could "
                     "connect (plain AMQP is allowed only on loopback, and only when the config "
                     "says so)");
    }
    return;
  }
  TlsConfig t;
  t.certificate_path = ResolveAgainstConfig(config_path, AttrOr(tls, "certificate"));
  t.key_path = ResolveAgainstConfig(config_path, AttrOr(tls, "key"));
  t.ca_path = ResolveAgainstConfig(config_path, AttrOr(tls, "ca"));
  const std::string client = AttrOr(tls, "client-certificates", "optional");
  t.client_certificates = client == "required" ? TlsConfig::ClientCertificates::kRequired
                          : client == "none"   ? TlsConfig::ClientCertificates::kNone
                                               : TlsConfig::ClientCertificates::kOptional;
  t.protocols = AttrOr(tls, "protocols", t.protocols);
  for (const auto& p : Tokens(t.protocols)) {
    if (p != "TLSv1.2" && p != "TLSv1.3") {
      diag.Add(tls, "protocols: '" + p + "' is not allowed (TLSv1.2 and TLSv1.3 only)");
    }
  }
  t.ciphers = AttrOr(tls, "ciphers", t.ciphers);
  cfg.amqp_tls = std::move(t);
}

void ReadAdapters(const xmlNode* root, std::string_view ns, Config& cfg, Diagnostics& diag) {
  using M = AdapterLogin::Mechanism;
  std::map<std::string, std::string> user_owner, subject_owner;
  std::string anonymous_owner;
  for (const xmlNode* a : xml::Children(xml::Child(root, ns, "adapters"), ns, "adapter")) {
    AdapterConfig adapter;
    adapter.name = AttrOr(a, "name");
    if (cfg.FindAdapter(adapter.name) != nullptr) {
      diag.Add(a, "adapter " + adapter.name + " is configured twice");
    }
    for (const xmlNode* l : xml::Children(a, ns, "login")) {
      AdapterLogin login;
      if (const auto user = xml::Attr(l, "user")) {
        login.mechanism = M::kPlain;
        login.user = *user;
        login.password_hash = AttrOr(l, "password-hash");
        if (cfg.broker) {
          // The broker checks the password; the hub only binds the user-id the broker vouches
          // for. A hash here would suggest a check that never happens.
          if (!login.password_hash.empty()) {
            diag.Add(l, "adapter " + adapter.name + ": in broker mode the broker checks the "
                            "password; leave password-hash out (the login is the broker user)");
          }
        } else if (login.password_hash.rfind("$argon2id$", 0) != 0) {
          diag.Add(l, "adapter " + adapter.name + ": password-hash must be an argon2id hash "
                          "($argon2id$...; make one with slussen --hash-password)");
        }
        auto [it, fresh] = user_owner.emplace(login.user, adapter.name);
        if (!fresh) {
          diag.Add(l, "login user of adapter " + adapter.name + " is already adapter " +
                          it->second + "'s: a login must name one adapter");
        }
      } else if (const auto subject = xml::Attr(l, "certificate-subject")) {
        login.mechanism = M::kExternal;
        login.certificate_subject = *subject;
        if (cfg.broker) {
          diag.Add(l, "adapter " + adapter.name + ": in broker mode an adapter is known by its "
                          "broker user (user-id), not by a certificate: use <login user>");
        } else if (!cfg.amqp_tls || cfg.amqp_tls->client_certificates == TlsConfig::ClientCertificates::kNone) {
          diag.Add(l, "adapter " + adapter.name + ": a certificate login needs <amqp><tls> with "
                          "client-certificates optional or required");
        }
        auto [it, fresh] = subject_owner.emplace(login.certificate_subject, adapter.name);
        if (!fresh) {
          diag.Add(l, "certificate-subject of adapter " + adapter.name + " is already adapter " +
                          it->second + "'s: a login must name one adapter");
        }
      } else if (xml::BoolAttr(l, "anonymous")) {
        login.mechanism = M::kAnonymous;
        if (cfg.broker) {
          diag.Add(l, "adapter " + adapter.name + ": in broker mode an adapter is known by its "
                          "broker user (user-id); there is no anonymous login");
        } else if (!cfg.amqp_allow_plain) {
          diag.Add(l, "adapter " + adapter.name + ": an anonymous login needs a loopback listener "
                          "with plain=\"allow\"");
        }
        if (!anonymous_owner.empty()) {
          diag.Add(l, "adapter " + adapter.name + ": adapter " + anonymous_owner +
                          " already has the anonymous login");
        }
        anonymous_owner = adapter.name;
      } else {
        diag.Add(l, "adapter " + adapter.name + ": a login needs user and password-hash, "
                        "certificate-subject, or anonymous=\"true\"");
        continue;
      }
      adapter.logins.push_back(std::move(login));
    }
    for (const xmlNode* s : xml::Children(a, ns, "sends")) ReadSends(s, cfg, adapter, diag);
    const auto is_destination = [&](const std::string& id) { return cfg.IsDestination(id); };
    if (const xmlNode* r = xml::Child(a, ns, "reads")) {
      adapter.reads = ReadIdSet(r, "destinations", adapter.name, is_destination,
                                "a destination", diag);
    }
    if (const xmlNode* r = xml::Child(a, ns, "receipts-for")) {
      adapter.receipts_for = ReadIdSet(r, "destinations", adapter.name, is_destination,
                                       "a destination", diag);
    }
    cfg.adapters.push_back(std::move(adapter));
  }
}

}  // namespace slussen::config
