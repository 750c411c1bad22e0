#include "config/config.h"

#include <algorithm>

namespace slussen {

const KommunConfig* Config::FindKommun(const std::string& kod) const {
  for (const auto& k : kommuner) {
    if (k.kod == kod) return &k;
  }
  return nullptr;
}

const VardcentralConfig* Config::FindVardcentral(const std::string& hsa_id) const {
  for (const auto& v : vardcentraler) {
    if (v.hsa_id == hsa_id) return &v;
  }
  return nullptr;
}

const SenderConfig* Config::FindSender(const std::string& hsa_id) const {
  for (const auto& s : senders) {
    if (s.hsa_id == hsa_id) return &s;
  }
  return nullptr;
}

const RouteConfig* Config::FindRoute(EventKind kind) const {
  for (const auto& r : routes) {
    if (r.kind == kind) return &r;
  }
  return nullptr;
}

bool Config::KnowsReservnummerOid(const std::string& oid) const {
  return std::any_of(reservnummer_issuers.begin(), reservnummer_issuers.end(),
                     [&](const auto& i) { return i.oid == oid; });
}

bool AdapterConfig::MaySend(const std::string& sender_hsa_id, EventKind kind) const {
  const auto it = sends.find(sender_hsa_id);
  return it != sends.end() && it->second.count(kind) != 0;
}

const AdapterConfig* Config::FindAdapter(const std::string& name) const {
  for (const auto& a : adapters) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const AdapterConfig* Config::FindAdapterByLogin(AdapterLogin::Mechanism mechanism,
                                                const std::string& identity) const {
  using M = AdapterLogin::Mechanism;
  for (const auto& a : adapters) {
    for (const auto& l : a.logins) {
      if (l.mechanism != mechanism) continue;
      if (mechanism == M::kAnonymous || (mechanism == M::kPlain && l.user == identity) ||
          (mechanism == M::kExternal && l.certificate_subject == identity)) {
        return &a;
      }
    }
  }
  return nullptr;
}

std::vector<std::string> Config::AllDestinations() const {
  std::vector<std::string> out;
  for (const auto& k : kommuner) out.push_back(k.destination);
  for (const auto& v : vardcentraler) out.push_back(v.destination);
  for (const auto& d : destinations) out.push_back(d.id);
  return out;
}

bool Config::IsDestination(const std::string& id) const {
  // Called per event (receipts) and per attach: no allocation.
  return std::any_of(kommuner.begin(), kommuner.end(), [&](const auto& k) { return k.destination == id; }) ||
         std::any_of(vardcentraler.begin(), vardcentraler.end(),
                     [&](const auto& v) { return v.destination == id; }) ||
         std::any_of(destinations.begin(), destinations.end(), [&](const auto& d) { return d.id == id; });
}

const DeliveryPolicy& Config::PolicyFor(const std::string& destination) const {
  static const DeliveryPolicy kBuiltIn;
  const auto it = delivery_policies.find(destination);
  return it != delivery_policies.end() ? it->second : kBuiltIn;
}

}  // namespace slussen
