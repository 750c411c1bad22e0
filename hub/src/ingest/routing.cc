#include "ingest/routing.h"

#include <algorithm>
#include <optional>
#include <string>

#include "wire/event_kind.h"
#include "common/kommuner.h"
#include "common/swedish_calendar.h"

namespace slussen {

Result<std::vector<std::string>> RouteEvent(const v1::Envelope& env, const Config& config,
                                            std::chrono::system_clock::time_point received) {
  const std::optional<EventKind> kind = KindOf(env);
  if (!kind) {
    return Error{env.event_case() == v1::Envelope::EVENT_NOT_SET
                     ? "event: no event type set"
                     : "planeringsunderlag.direction: must be REQUEST or ANSWER"};
  }
  const std::string kind_name(EventKindName(*kind));
  const RouteConfig* route = config.FindRoute(*kind);
  if (route == nullptr) return Error{"no route configured for " + kind_name};

  std::vector<std::string> out;
  const v1::Patient& patient = env.patient();
  if (route->to_kommun) {
    const std::string& kod = patient.kommunkod();
    if (kod.empty()) {
      return Error{"patient.kommunkod: missing (" + kind_name + " is routed to the kommun)"};
    }
    if (const KommunConfig* k = config.FindKommun(kod); k != nullptr) {
      out.push_back(k->destination);
      if (!k->off_hours_destination.empty() &&
          !calendar::IsWorkingDay(calendar::StockholmDate(received),
                                  {config.agreement.eves_are_holidays})) {
        out.push_back(k->off_hours_destination);
      }
    } else if (const KommunEntry* entry = FindKommunEntry(kod); entry != nullptr) {
      return Error{"patient.kommunkod: kommun " + kod + " (" + entry->name +
                   ") is not served by this hub"};
    } else {
      return Error{"patient.kommunkod: no Swedish municipality has kommunkod " + kod};
    }
    // 5 kap. 2 §: a kommun that placed the patient in a särskild boendeform here pays for the
    // days, so it is told what its liability rests on (the notices of 5 kap. 3 §) when this hub
    // serves it. One outside the hub is named in the evidence report but receives nothing here.
    if (const std::string& placing = patient.placing_kommunkod(); !placing.empty()) {
      if (const KommunConfig* p = config.FindKommun(placing); p != nullptr) {
        out.push_back(p->destination);
      }
    }
  }
  // Not every patient is listed at a vårdcentral; then primary care simply gets nothing.
  if (route->to_primary_care && !patient.listed_care_unit_hsa_id().empty()) {
    const std::string& hsa = patient.listed_care_unit_hsa_id();
    const VardcentralConfig* vc = config.FindVardcentral(hsa);
    if (vc == nullptr) {
      return Error{"patient.listed_care_unit_hsa_id: vårdcentral " + hsa + " is not configured"};
    }
    out.push_back(vc->destination);
  }
  out.insert(out.end(), route->to.begin(), route->to.end());

  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());

  // Receipts end at the hub: the hub records the receiving system's acknowledgement as the
  // legal "received" time of the original event, and that record is their purpose. Forwarding a
  // receipt (e.g. to the sending EHR) is an optional extra, so an empty list is a normal outcome
  // for them; so it is for the bare discharge fact (Utskrivning), which feeds the hub's case
  // tracking while the receivers learn of the discharge from the utskrivningsmeddelande
  // (MayEndAtHub). For every other kind an empty list would mean a notice the law requires
  // reaches no one while the sender believes it was delivered, so it is refused loudly instead.
  if (out.empty() && !MayEndAtHub(*kind)) {
    return Error{kind_name + " for this patient has no destination"};
  }
  return out;
}

}  // namespace slussen
