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
  const auto decoded = DecodeCaseEvents(*rows);
  StoredCaseReport report{ProjectCase(case_id, decoded.events, agreement, now, decoded.notes), {}};
  if (report.projection.view.state.events.empty()) {
    return Error{"no case " + case_id, ErrorCode::kNotFound};
  }
  auto delivered = store.CaseDeliveries(case_id);
  if (!delivered) return delivered.as_error();
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
