#include "config/config_loader.h"

#include "common/secret_file.h"
#include "config/agreement_loader.h"
#include "config/broker_loader.h"
#include <libxml/tree.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/kommuner.h"
#include "config/delivery_policy_loader.h"
#include "config/minimum_dataset_loader.h"
#include "config/relative_path.h"
#include "config/security_loader.h"
#include "xml/quantities.h"
#include "xml/xml_validation.h"

namespace slussen {
namespace {

constexpr char kNamespace[] = "urn:slussen:config:1";

using xml::Attr;
using xml::AttrOr;
using xml::BoolAttr;
using xml::Diagnostics;
using xml::NumberAttr;
using xml::Tokens;

// Every element of a valid config is in kNamespace.
std::vector<const xmlNode*> Children(const xmlNode* parent, const char* name) {
  return xml::Children(parent, kNamespace, name);
}
const xmlNode* Child(const xmlNode* parent, const char* name) {
  return xml::Child(parent, kNamespace, name);
}

std::optional<EventKind> KindAttr(const xmlNode* n, const char* name, Diagnostics& diag) {
  auto t = Tokens(AttrOr(n, name));
  auto kind = t.size() == 1 ? EventKindFromName(t[0]) : std::nullopt;
  if (!kind) diag.Add(n, std::string("attribute '") + name + "': unknown event kind");
  return kind;
}

// <store max-bytes resume-below>: the disk bound beyond which inbound is refused; <store
// flush-interval>: how long what is durable may stay unseen by the store's readers.
void ReadStoreBound(const xmlNode* store, Config& cfg, Diagnostics& diag) {
  auto size = [&](const char* name) -> std::optional<uint64_t> {
    const auto raw = Attr(store, name);
    if (!raw) return std::nullopt;
    const auto v = config::ParseByteSize(*raw);
    if (!v) {
      diag.Add(store, std::string("attribute '") + name + "': '" + *raw +
                          "' is not a size (a whole number of bytes, optionally with k, M, G or "
                          "T, at most 16 exbibytes)");
    }
    return v;
  };
  std::chrono::milliseconds flush{cfg.store_flush_interval};
  if (config::DurationAttr(store, "flush-interval", flush, diag)) {
    if (flush > std::chrono::seconds(10)) {
      diag.Add(store, "flush-interval \"" + config::FormatDuration(flush) +
                          "\" is longer than 10s: readers would lag that far behind");
    } else {
      cfg.store_flush_interval = flush;
    }
  }
  const auto max = size("max-bytes");
  const auto resume = size("resume-below");
  cfg.store_max_bytes = max.value_or(0);
  if (resume && cfg.store_max_bytes == 0) {
    diag.Add(store, "resume-below needs max-bytes: without a bound inbound is never refused");
  } else if (resume && *resume >= cfg.store_max_bytes) {
    diag.Add(store, "resume-below (" + std::to_string(*resume) +
                        " bytes) must be less than max-bytes (" +
                        std::to_string(cfg.store_max_bytes) + " bytes)");
  } else if (resume) {
    cfg.store_resume_below_bytes = *resume;
  } else {
    cfg.store_resume_below_bytes = cfg.store_max_bytes - cfg.store_max_bytes / 10;
  }
}

void ReadHub(const xmlNode* root, const std::string& path, Config& cfg, Diagnostics& diag) {
  const xmlNode* hub = Child(root, "hub");
  cfg.hub_name = AttrOr(hub, "name");

  // The schema has exactly one of <amqp> (embedded) and <broker> (broker mode).
  if (const xmlNode* broker = Child(hub, "broker")) {
    config::ReadBroker(broker, kNamespace, path, cfg, diag);
  } else {
    const xmlNode* amqp = Child(hub, "amqp");
    cfg.amqp_host = AttrOr(amqp, "host");
    config::ReadAmqpSecurity(amqp, kNamespace, path, cfg, diag);
    const uint64_t port = NumberAttr(amqp, "port", 0, diag);
    if (port > UINT16_MAX) diag.Add(amqp, "amqp port " + std::to_string(port) + " is out of range");
    cfg.amqp_port = static_cast<uint16_t>(port);
  }

  if (const xmlNode* admin = Child(hub, "admin")) {
    AdminConfig a;
    a.host = AttrOr(admin, "host", a.host);
    if (!config::IsLoopbackHost(a.host)) {
      diag.Add(admin, "admin host " + a.host +
                          " is not loopback: plain HTTP without TLS is only allowed on loopback "
                          "(bearer tokens would cross the network in clear)");
    }
    const uint64_t admin_port = NumberAttr(admin, "port", 0, diag);
    if (admin_port > UINT16_MAX) {
      diag.Add(admin, "admin port " + std::to_string(admin_port) + " is out of range");
    }
    a.port = static_cast<uint16_t>(admin_port);
    for (const xmlNode* op : Children(admin, "operator")) {
      AdminOperator o;
      o.name = AttrOr(op, "name");
      const std::string role = AttrOr(op, "role");
      o.role = role == "auditor"    ? AdminOperator::Role::kAuditor
               : role == "operator" ? AdminOperator::Role::kOperator
                                    : AdminOperator::Role::kViewer;
      o.token_hash = AttrOr(op, "token-hash");
      a.operators.push_back(std::move(o));
    }
    cfg.admin = std::move(a);
  }

  if (const xmlNode* logging = Child(hub, "logging")) {
    const std::string key_path = config::ResolveAgainstConfig(path, AttrOr(logging, "pseudonym-key-file"));
    auto key = ReadSecretFile(key_path);
    if (!key) {
      diag.Add(logging, "pseudonym-key-file '" + key_path + "': " + key.error());
    } else if (key->size() < 32) {
      diag.Add(logging, "pseudonym-key-file '" + key_path + "' holds " +
                            std::to_string(key->size()) +
                            " bytes; the key needs at least 32 (openssl rand -base64 48 > FILE)");
    } else {
      cfg.log_pseudonym_key = std::move(*key);
    }
  }

  const xmlNode* store = Child(hub, "store");
  cfg.store_path = config::ResolveAgainstConfig(path, AttrOr(store, "path"));
  // The schema allows only the backends this build has; absent means sqlite.
  if (const std::string backend = AttrOr(store, "backend"); !backend.empty()) {
    cfg.store_backend = backend;
  }
  ReadStoreBound(store, cfg, diag);
  cfg.store_group = AttrOr(store, "group");

  if (const xmlNode* agreement = Child(hub, "agreement")) {
    // The agreement file's own errors carry its own file:line; this line says who referred to it.
    const std::string agreement_path = config::ResolveAgainstConfig(path, AttrOr(agreement, "path"));
    auto loaded = LoadAgreement(agreement_path);
    if (loaded) {
      cfg.agreement = std::move(*loaded);
    } else {
      diag.Add(agreement, "agreement " + agreement_path + " cannot be loaded:");
      diag.AddForeign(loaded.error());
    }
  }

  if (const xmlNode* limits = Child(hub, "limits")) {
    cfg.max_message_bytes = NumberAttr(limits, "max-message-bytes", cfg.max_message_bytes, diag);
    cfg.clock_skew = std::chrono::seconds(
        NumberAttr(limits, "clock-skew-seconds", cfg.clock_skew.count(), diag));
    cfg.commit_batch_max = NumberAttr(limits, "commit-batch-max", cfg.commit_batch_max, diag);
    cfg.max_events_per_case = NumberAttr(limits, "max-events-per-case", cfg.max_events_per_case, diag);
    cfg.case_cache_events = NumberAttr(limits, "case-cache-events", cfg.case_cache_events, diag);
  }
  if (const xmlNode* t = Child(hub, "transport")) {
    // The schema bounds each to an unsignedInt of at least 1; the ints below are capped.
    auto count = [&](const char* name, uint64_t fallback) {
      return std::min<uint64_t>(NumberAttr(t, name, fallback, diag), INT32_MAX);
    };
    TransportConfig& tc = cfg.transport;
    tc.max_connections = count("max-connections", tc.max_connections);
    tc.max_frame_size = static_cast<uint32_t>(NumberAttr(t, "max-frame-size", tc.max_frame_size, diag));
    tc.idle_timeout = std::chrono::seconds(count("idle-timeout-seconds", tc.idle_timeout.count()));
    tc.max_unsettled_inbound = static_cast<int>(count("max-unsettled-inbound", tc.max_unsettled_inbound));
    tc.max_unsettled_outbound = static_cast<int>(count("max-unsettled-outbound", tc.max_unsettled_outbound));
  }
}

// <audit> and <retention>.
void ReadAuditAndRetention(const xmlNode* root, const std::string& path, Config& cfg,
                           Diagnostics& diag) {
  const xmlNode* hub = Child(root, "hub");
  if (const xmlNode* audit = Child(hub, "audit")) {
    if (const std::string file = AttrOr(audit, "key-file"); !file.empty()) {
      const std::string key_path = config::ResolveAgainstConfig(path, file);
      auto key = ReadSecretFile(key_path);
      if (!key) {
        diag.Add(audit, "key-file '" + key_path + "': " + key.error());
      } else if (key->size() < 32) {
        diag.Add(audit, "key-file '" + key_path + "' holds " + std::to_string(key->size()) +
                            " bytes; the key needs at least 32 (openssl rand -base64 48 > FILE)");
      } else if (*key == cfg.log_pseudonym_key) {
        // The log's pseudonyms would then be prefixes of the audit log's patient keys.
        diag.Add(audit, "key-file '" + key_path + "' holds the log pseudonym key; use a key of "
                        "its own");
      } else {
        cfg.audit.patient_key_secret = std::move(*key);
      }
    }
    cfg.audit.letter_destination = AttrOr(audit, "letter-destination", "letter");
  }
  if (const xmlNode* retention = Child(hub, "retention")) {
    std::chrono::milliseconds cases{0}, audit{0};
    const bool has_cases = config::DurationAttr(retention, "cases", cases, diag);
    const bool has_audit = config::DurationAttr(retention, "audit", audit, diag);
    cfg.audit.retain_cases = std::chrono::duration_cast<std::chrono::seconds>(cases);
    cfg.audit.retain_audit = std::chrono::duration_cast<std::chrono::seconds>(audit);
    if (has_cases && cases < std::chrono::hours(24)) {
      diag.Add(retention, "retention cases=\"" + config::FormatDuration(cases) +
                              "\" is less than a day; closed cases are kept at least 1d");
    }
    // The audit log must outlive what it is about: the patient may ask who saw a case for as
    // long as its rows exist, and longer.
    if (has_audit && (!has_cases || audit < cases)) {
      diag.Add(retention, "retention audit=\"" + config::FormatDuration(audit) +
                              "\" must be at least as long as cases=\"" +
                              (has_cases ? config::FormatDuration(cases) : "(for ever)") + "\"");
    }
  }
}

// Also records every destination id with where it came from, to catch clashes.
void ReadReceivers(const xmlNode* root, Config& cfg, std::map<std::string, std::string>& owners,
                   Diagnostics& diag) {
  auto claim = [&](const xmlNode* n, const std::string& id, std::string owner) {
    owner += " on line " + std::to_string(xmlGetLineNo(n));
    auto [it, fresh] = owners.emplace(id, owner);
    if (!fresh) diag.Add(n, "destination id '" + id + "' is already used by " + it->second);
  };

  for (const xmlNode* k : Children(Child(root, "kommuner"), "kommun")) {
    const std::string kod = AttrOr(k, "kod");
    const KommunEntry* entry = FindKommunEntry(kod);
    if (entry == nullptr) {
      diag.Add(k, "no Swedish municipality has kommunkod " + kod);
      continue;
    }
    if (auto name = Attr(k, "name"); name && *name != entry->name) {
      diag.Add(k, "kommunkod " + kod + " is " + entry->name + ", not '" + *name + "'");
    }
    cfg.kommuner.push_back({kod, entry->name, "kommun-" + kod});
    claim(k, cfg.kommuner.back().destination, "kommun " + kod);
  }
  for (const xmlNode* v : Children(Child(root, "vardcentraler"), "vardcentral")) {
    const std::string hsa = AttrOr(v, "hsa-id");
    cfg.vardcentraler.push_back({hsa, AttrOr(v, "name"), "vc-" + hsa});
    claim(v, cfg.vardcentraler.back().destination, "vårdcentral " + hsa);
  }
  for (const xmlNode* d : Children(Child(root, "destinations"), "destination")) {
    cfg.destinations.push_back({AttrOr(d, "id"), AttrOr(d, "name")});
    claim(d, cfg.destinations.back().id, "destination " + cfg.destinations.back().id);
  }
  // Off-hours units refer to destinations, so they are checked once all are known.
  std::size_t i = 0;
  for (const xmlNode* k : Children(Child(root, "kommuner"), "kommun")) {
    if (FindKommunEntry(AttrOr(k, "kod")) == nullptr) continue;  // reported above, not in cfg
    KommunConfig& kommun = cfg.kommuner[i++];
    if (auto off = Attr(k, "off-hours-destination")) {
      if (owners.count(*off) == 0) {
        diag.Add(k, "kommun " + kommun.kod + ": off-hours-destination '" + *off +
                        "' is not declared (declare it in <destinations>)");
      } else if (*off == kommun.destination) {
        diag.Add(k, "kommun " + kommun.kod + ": off-hours-destination is its own destination");
      } else {
        kommun.off_hours_destination = *off;
      }
    }
  }
}

void ReadSenders(const xmlNode* root, Config& cfg, Diagnostics& diag) {
  for (const xmlNode* s : Children(Child(root, "senders"), "sender")) {
    SenderConfig sender{AttrOr(s, "hsa-id"), AttrOr(s, "name"), {}};
    for (const auto& name : Tokens(AttrOr(s, "may-send"))) {
      if (auto kind = EventKindFromName(name)) {
        sender.may_send.insert(*kind);
      } else {
        diag.Add(s, "sender " + sender.hsa_id + ": unknown event kind '" + name + "' in may-send");
      }
    }
    cfg.senders.push_back(std::move(sender));
  }
}

void ReadRoutes(const xmlNode* root, Config& cfg, const std::map<std::string, std::string>& owners,
                Diagnostics& diag) {
  for (const xmlNode* r : Children(Child(root, "routes"), "route")) {
    const auto kind = KindAttr(r, "event", diag);
    if (!kind) continue;
    RouteConfig route{*kind, BoolAttr(r, "kommun"), BoolAttr(r, "primary-care"), {}};
    const std::string what = "route for " + std::string(EventKindName(*kind));
    const auto to = Tokens(AttrOr(r, "to"));
    for (const auto& id : to) {
      if (owners.count(id) == 0) {
        diag.Add(r, what + ": destination '" + id +
                        "' is not declared (declare it in <destinations>, or configure the "
                        "kommun or vårdcentral it belongs to)");
      } else if (std::find(route.to.begin(), route.to.end(), id) != route.to.end()) {
        diag.Add(r, what + ": destination '" + id + "' is listed twice");
      } else {
        route.to.push_back(id);
      }
    }
    // Only receipts and the bare discharge fact legitimately end at the hub (evidence and case
    // tracking, not news for anyone: wire/event_kind.h MayEndAtHub).
    if (!route.to_kommun && !route.to_primary_care && to.empty() && !MayEndAtHub(*kind)) {
      diag.Add(r, what + " delivers to no one: set kommun=\"true\", primary-care=\"true\" or to");
    }
    cfg.routes.push_back(std::move(route));
  }
}

void ReadIssuers(const xmlNode* root, Config& cfg) {
  for (const xmlNode* i : Children(Child(root, "reservnummer-issuers"), "issuer")) {
    cfg.reservnummer_issuers.push_back({AttrOr(i, "oid"), AttrOr(i, "name")});
  }
}

}  // namespace

Result<Config> LoadConfig(const std::string& path) {
  Diagnostics diag(path);
  const xml::DocPtr doc = xml::LoadValidatedXml(
      path,
      {.what = "config",
       .ns = kNamespace,
       .root = "slussen",
       .xsd = EmbeddedConfigXsd(),
       .schema_name = "config.xsd (built in)"},
      diag);
  if (doc == nullptr) return diag.ToError();

  const xmlNode* root = xmlDocGetRootElement(doc.get());
  Config cfg;
  cfg.source_path = path;
  std::map<std::string, std::string> destination_owners;
  ReadHub(root, path, cfg, diag);
  ReadAuditAndRetention(root, path, cfg, diag);
  ReadReceivers(root, cfg, destination_owners, diag);
  config::ReadDeliveryPolicies(root, kNamespace, cfg, diag);
  config::ReadMinimumDataset(root, kNamespace, cfg, diag);
  ReadSenders(root, cfg, diag);
  config::ReadAdapters(root, kNamespace, cfg, diag);
  ReadRoutes(root, cfg, destination_owners, diag);
  ReadIssuers(root, cfg);
  if (!diag.empty()) return diag.ToError();
  return cfg;
}

}  // namespace slussen
