#pragma once
// When does a case's evaluation change with nothing but time passing?
//
// The stored deadline states and liability of a case are evaluated at some `now`. Without a new
// event they change only at known instants: a deadline enters its at-risk horizon, a deadline
// falls due and is missed, a new local day adds a billable day while a notice period runs. The
// core re-evaluates each open case at the earliest of those instants (stored with the case, so a
// restart keeps the schedule) instead of re-evaluating every open case on a fixed beat.
#include <optional>

#include "cases/agreement.h"
#include "cases/case_state.h"
#include "cases/deadlines.h"
#include "cases/liability.h"

namespace slussen {

// The first instant after `now` at which EvaluateDeadlines/ComputeLiability may give another
// result for this case, or nullopt if time alone can no longer change it (cancelled, discharged
// with every deadline settled). Conservative: an instant may change nothing, never the reverse;
// an open case is looked at again at least once a day, as a safety net against a rule this
// function does not model.
std::optional<TimePoint> NextEvaluationAt(const CaseState& c, const std::vector<Deadline>& deadlines,
                                          const LiabilityResult& liability,
                                          const Agreement& agreement, TimePoint now);

}  // namespace slussen
