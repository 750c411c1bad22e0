#include "core/case_tracker.h"

namespace slussen {

Result<CaseView> LoadCase(Store& store, const std::string& case_id, const Agreement& agreement,
                          TimePoint now) {
  auto rows = store.CaseEvents(case_id);
  if (!rows) return Error{rows.error()};
  std::vector<CaseEvent> events;
  std::vector<std::string> unreadable;
  for (auto& row : *rows) {
    CaseEvent e;
    // Bodies were validated before they were stored; a body that no longer parses means a damaged
    // store. Tracking carries on without it, and says so, rather than blocking every message.
    if (!e.envelope.ParseFromString(row.body)) {
      unreadable.push_back("a stored event of this case could not be decoded and is left out");
      continue;
    }
    e.stored_at = FromMicros(row.received_at_us);
    events.push_back(std::move(e));
  }
  CaseView view;
  view.state = BuildCase(case_id, events);
  view.state.notes.insert(view.state.notes.end(), unreadable.begin(), unreadable.end());
  view.deadlines = EvaluateDeadlines(view.state, agreement, now);
  view.liability = ComputeLiability(view.state, view.deadlines, agreement, now);
  auto deliveries = store.CaseDeliveries(case_id);
  if (!deliveries) return Error{deliveries.error()};
  view.deliveries = std::move(*deliveries);
  return view;
}

Status UpdateCase(Store& store, const std::string& case_id, const Agreement& agreement, TimePoint now) {
  auto view = LoadCase(store, case_id, agreement, now);
  if (!view) return Error{view.error()};
  CaseRecord record;
  record.case_id = case_id;
  record.kommunkod = view->state.kommunkod;
  record.status = std::string(CaseStatusName(view->state.status));
  record.updated_at_us = ToMicros(now);
  record.liable = view->liability.liable;
  record.provisional = view->liability.provisional;
  record.liability_days = view->liability.total_days;
  record.liability_amount_kr = view->liability.total_amount_kr;
  for (const auto& n : view->state.notes) record.notes += n + "\n";
  std::vector<DeadlineRecord> deadlines;
  for (const auto& d : view->deadlines) {
    deadlines.push_back({d.id, d.rule, d.due ? ToMicros(*d.due) : 0,
                         std::string(DeadlineStateName(d.state)), d.met_at ? ToMicros(*d.met_at) : 0});
  }
  return store.UpsertCase(record, deadlines);
}

}  // namespace slussen
