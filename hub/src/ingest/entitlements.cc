#include "ingest/entitlements.h"

#include "ingest/identity.h"

namespace slussen {
namespace {

constexpr char kPrefix[] = "unauthorized: ";

std::string KindList(const std::set<EventKind>& kinds) {
  std::string out;
  for (EventKind k : kinds) {
    if (!out.empty()) out += ", ";
    out += EventKindName(k);
  }
  return out;
}

}  // namespace

std::vector<std::string> CheckEntitlements(const v1::Envelope& env, EventKind kind,
                                           const std::string& principal, const Config& config) {
  const AdapterConfig* adapter = config.FindAdapter(principal);
  if (adapter == nullptr) {
    // The transport binds every connection to an entry at open; an unbound message is refused
    // rather than trusted.
    return {std::string(kPrefix) + "the message is bound to no configured adapter"};
  }
  std::vector<std::string> problems;
  const std::string who = "adapter " + adapter->name;
  const std::string& sender = env.sender_hsa_id();
  const std::string kind_name(EventKindName(kind));
  if (const auto it = adapter->sends.find(sender); it == adapter->sends.end()) {
    problems.push_back(kPrefix + who + " may not send as " +
                       (CheckHsaId(sender).empty() ? "sender " + sender
                                                   : std::string("a malformed sender HSA-id")) +
                       " (its <sends as> does not name it)");
  } else if (it->second.count(kind) == 0) {
    problems.push_back(kPrefix + who + " may not send " + kind_name + " as sender " + sender +
                       (it->second.empty() ? std::string(" (nothing is allowed)")
                                           : " (allowed: " + KindList(it->second) + ")"));
  }
  if (kind == EventKind::kReceipt) {
    const std::string& system = env.receipt().receiving_system();
    if (!adapter->receipts_for.Contains(system)) {
      problems.push_back(kPrefix + who + " may not send receipts for " +
                         (config.IsDestination(system) ? system
                                                       : std::string("an unknown destination")) +
                         " (its <receipts-for> does not name it)");
    }
  }
  return problems;
}

}  // namespace slussen
