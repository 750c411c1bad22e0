#include "cases/case_projection.h"

#include "cases/next_evaluation.h"

namespace slussen {

void SlimForCaseLogic(v1::Envelope& env) {
  if (env.has_patient()) env.mutable_patient()->clear_identity();
  if (env.has_inskrivningsmeddelande()) {
    env.mutable_inskrivningsmeddelande()->clear_name();
    env.mutable_inskrivningsmeddelande()->clear_folkbokforing_address();
  }
  if (env.has_planeringsunderlag()) env.mutable_planeringsunderlag()->clear_items();
  if (env.has_utskrivningsmeddelande()) env.mutable_utskrivningsmeddelande()->clear_hemgangsklar();
}

DecodedCaseEvents DecodeCaseEvents(const std::vector<CaseEventRow>& rows) {
  DecodedCaseEvents out;
  out.events.reserve(rows.size());
  for (const auto& row : rows) {
    CaseEvent e;
    if (!e.envelope.ParseFromString(row.body)) {
      out.notes.push_back("a stored event of this case could not be decoded and is left out");
      continue;
    }
    SlimForCaseLogic(e.envelope);
    e.stored_at = FromMicros(row.received_at_us);
    out.events.push_back(std::move(e));
  }
  return out;
}

CaseProjection ProjectCase(const std::string& case_id, const std::vector<CaseEvent>& events,
                           const Agreement& agreement, TimePoint now,
                           const std::vector<std::string>& notes) {
  CaseProjection p;
  CaseView& view = p.view;
  view.state = BuildCase(case_id, events);
  view.state.notes.insert(view.state.notes.end(), notes.begin(), notes.end());
  view.deadlines = EvaluateDeadlines(view.state, agreement, now);
  view.liability = ComputeLiability(view.state, view.deadlines, agreement, now);

  CaseRecord& record = p.record;
  record.case_id = case_id;
  record.kommunkod = view.state.kommunkod;
  record.paying_kommunkod = PayingKommun(view.state);
  record.track = std::string(TrackName(view.state.track));
  record.status = std::string(CaseStatusName(view.state.status));
  record.updated_at_us = ToMicros(now);
  record.liable = view.liability.liable;
  record.provisional = view.liability.provisional;
  record.liability_days = view.liability.total_days;
  record.liability_amount_kr = view.liability.total_amount_kr;
  for (const auto& n : view.state.notes) record.notes += n + "\n";
  if (auto next = NextEvaluationAt(view.state, view.deadlines, view.liability, agreement, now)) {
    // Rounded up to the microsecond: never at or before `now` as the store counts time.
    const int64_t us = ToMicros(*next);
    record.next_evaluation_at_us = FromMicros(us) < *next ? us + 1 : us;
  }
  for (const auto& d : view.deadlines) {
    p.deadlines.push_back({d.id, d.rule, d.due ? ToMicros(*d.due) : 0,
                           std::string(DeadlineStateName(d.state)),
                           d.met_at ? ToMicros(*d.met_at) : 0});
  }
  return p;
}

}  // namespace slussen
