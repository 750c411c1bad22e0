// The core's part in delivery-aware notices (issue 15 item 5; cases/notice_times.h): under an
// agreement that counts a notice of 5 kap. 3 § (inskrivningsmeddelande, utskrivningsklar, kallelse
// to SIP) when the kommun's system accepted it, the acceptance time is a fact of the case
// (CaseEvent::kommun_delivered_at) that the core gathers and the case logic reads. Under every
// other agreement none of this runs: no watch, no read, nothing per delivery.
#include <spdlog/spdlog.h>

#include <unordered_set>

#include "core/core.h"
#include "wire/event_kind.h"

namespace slussen {
namespace {

bool IsNoticeKind(std::string_view kind) {
  return kind == EventKindName(EventKind::kInskrivningsmeddelande) ||
         kind == EventKindName(EventKind::kUtskrivningsklar) ||
         kind == EventKindName(EventKind::kKallelseSip);
}

// The event's acceptance by its kommun's system (KommunDestinationId of its kommunkod), the
// earliest if it was accepted more than once.
void Accepted(DecodedCaseEvents& events, const std::string& event_id,
              const std::string& destination, int64_t at_us) {
  for (auto& e : events.events) {
    if (e.envelope.event_id() != event_id) continue;
    const auto kind = KindOf(e.envelope);
    if (!kind || !IsNoticeKind(EventKindName(*kind)) ||
        KommunDestinationId(e.envelope.patient().kommunkod()) != destination) {
      return;
    }
    const TimePoint at = FromMicros(at_us);
    if (!e.kommun_delivered_at || at < *e.kommun_delivered_at) e.kommun_delivered_at = at;
    return;
  }
}

}  // namespace

bool Core::CountsNoticeDeliveries() const {
  return config_.agreement.notified_when == Agreement::NotifiedWhen::kDelivered;
}

void Core::WatchNoticeDeliveries() {
  if (!CountsNoticeDeliveries()) return;
  std::unordered_set<std::string> kommuner;
  for (const auto& k : config_.kommuner) kommuner.insert(k.destination);
  dispatcher_.SetAcceptanceWatch([kommuner = std::move(kommuner)](const OutboxItem& item) {
    return IsNoticeKind(item.kind) && kommuner.count(item.destination) > 0;
  });
}

Status Core::AddStoredAcceptances(const std::vector<std::string>& case_ids,
                                  WorkingCases& working) {
  if (!CountsNoticeDeliveries() || case_ids.empty()) return OkStatus();
  auto acceptances = store_.CaseAcceptances(case_ids);
  if (!acceptances) return acceptances.as_error();
  for (const auto& [case_id, rows] : *acceptances) {
    auto it = working.find(case_id);
    if (it == working.end()) continue;
    for (const auto& row : rows) Accepted(it->second, row.event_id, row.destination, row.delivered_at_us);
  }
  return OkStatus();
}

void Core::AddWatchedAcceptances(WorkingCases& working) {
  for (const Mark& m : unrecorded_marks_) {
    if (!m.watched) continue;
    auto it = working.find(m.case_id);
    if (it == working.end()) continue;
    Accepted(it->second, m.event_id, m.destination, m.at_us);
  }
}

}  // namespace slussen
