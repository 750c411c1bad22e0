#include "cases/next_evaluation.h"

#include <algorithm>

#include "common/swedish_calendar.h"

namespace slussen {
namespace {

// Deadlines compare `now > due` (deadlines.cc, Judge): the state flips just after `due`.
constexpr auto kJustAfter = std::chrono::microseconds(1);

void Consider(std::optional<TimePoint>& next, TimePoint candidate, TimePoint now) {
  if (candidate <= now) return;
  if (!next || candidate < *next) next = candidate;
}

}  // namespace

std::optional<TimePoint> NextEvaluationAt(const CaseState& c, const std::vector<Deadline>& deadlines,
                                          const LiabilityResult& liability,
                                          const Agreement& agreement, TimePoint now) {
  if (c.status == CaseStatus::kCancelled) return std::nullopt;
  std::optional<TimePoint> next;
  bool unknown_due = false;
  for (const auto& d : deadlines) {
    if (d.met_at || d.state == DeadlineState::kMet) continue;
    if (!d.due) {
      // Its due time is derived from other facts (e.g. the inskrivningsmeddelande's latest due
      // from the case's first event); the daily safety net below covers it.
      unknown_due = d.state != DeadlineState::kMissed;
      continue;
    }
    Consider(next, *d.due - agreement.at_risk_horizon, now);
    Consider(next, *d.due + kJustAfter, now);
  }
  const bool in_hospital = c.status != CaseStatus::kDischarged;
  bool period_running = false;
  for (const auto& p : liability.periods) period_running |= !p.ended_at;
  if (in_hospital || period_running || unknown_due) {
    // Billable days are counted per local day; an open case is also looked at daily.
    const auto tomorrow = calendar::EndOfDay(calendar::StockholmDate(now));
    Consider(next, tomorrow, now);
  }
  return next;
}

}  // namespace slussen
