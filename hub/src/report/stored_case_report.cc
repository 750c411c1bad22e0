#include "report/stored_case_report.h"

#include <optional>

namespace slussen {

nlohmann::json StoredCaseReport::Json(const Agreement& agreement, TimePoint now) const {
  const CaseView& v = projection.view;
  return CaseReportJson(v.state, v.deadlines, v.liability, agreement, deliveries, now);
}

Result<StoredCaseReport> LoadCaseReport(StoreReader& store, const std::string& case_id,
                                        const Agreement& agreement, TimePoint now) {
  auto rows = store.CaseEvents(case_id);
  if (!rows) return rows.as_error();
  auto decoded = DecodeCaseEvents(*rows);
  if (decoded.events.empty() && decoded.notes.empty()) {
    return Error{"no case " + case_id, ErrorCode::kNotFound};
  }
  auto delivered = store.CaseDeliveries(case_id);
  if (!delivered) return delivered.as_error();
  // When the kommun's system accepted each event (the notice times of the report, and the
  // agreement's rule if it counts notices when delivered): a receiver's acceptance, not an
  // operator's record of a delivery by other means.
  for (auto& e : decoded.events) {
    const std::string kommun = KommunDestinationId(e.envelope.patient().kommunkod());
    for (const auto& d : *delivered) {
      if (d.event_id != e.envelope.event_id() || d.destination != kommun ||
          d.delivered_at_us == 0 || !d.manual_by.empty()) {
        continue;
      }
      const TimePoint at = FromMicros(d.delivered_at_us);
      if (!e.kommun_delivered_at || at < *e.kommun_delivered_at) e.kommun_delivered_at = at;
    }
  }
  StoredCaseReport report{ProjectCase(case_id, decoded.events, agreement, now, decoded.notes), {}};
  if (report.projection.view.state.events.empty()) {
    return Error{"no case " + case_id, ErrorCode::kNotFound};
  }
  auto at = [](int64_t us) { return us ? std::optional(FromMicros(us)) : std::nullopt; };
  for (const auto& d : *delivered) {
    std::vector<DeliveryRecord::Action> actions;
    for (const auto& a : d.actions) {
      actions.push_back({FromMicros(a.at_us), a.action, a.operator_id, a.reason});
    }
    report.deliveries.push_back({d.event_id, d.destination, at(d.delivered_at_us), d.attempts,
                                 at(d.dead_at_us), d.last_error, at(d.receipt_overdue_at_us),
                                 d.fallback_to, d.added_cause, d.manual_by, d.manual_reason,
                                 std::move(actions)});
  }
  return report;
}

}  // namespace slussen
