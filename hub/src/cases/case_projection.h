#pragma once
// A case's persisted summary as a pure function of its events: the core writes what this
// returns in the transaction that stores the events (the cases and deadlines tables), and the
// report shows the same view. No store, no clock of its own: the caller gathers the events
// (stored ones plus the batch's new ones) and says what time it is.
#include <string>
#include <vector>

#include "api/records.h"
#include "cases/agreement.h"
#include "cases/case_state.h"
#include "cases/deadlines.h"
#include "cases/liability.h"

namespace slussen {

// Everything known about one case at a time.
struct CaseView {
  CaseState state;
  std::vector<Deadline> deadlines;
  LiabilityResult liability;
};

struct CaseProjection {
  CaseView view;
  CaseRecord record;
  std::vector<DeadlineRecord> deadlines;
};

// Decodes stored bodies for the case logic. A body that no longer parses (they were validated
// before they were stored, so this means a damaged store) is left out and reported in `notes`:
// tracking carries on without it rather than blocking every message of the case.
struct DecodedCaseEvents {
  std::vector<CaseEvent> events;
  std::vector<std::string> notes;
};
DecodedCaseEvents DecodeCaseEvents(const std::vector<CaseEventRow>& rows);

// Drops what the case logic never reads and should not keep in memory: the patient's identity
// number, name and address, and the free text of planning and discharge items. The events the
// core caches are slimmed so (a third of the memory for a 1 KB message, and no personal data).
void SlimForCaseLogic(v1::Envelope& env);

// Folds the events (BuildCase), evaluates deadlines and liability at `now`, and gives the rows to
// persist. `notes` (e.g. from DecodeCaseEvents) are added to the case's own.
CaseProjection ProjectCase(const std::string& case_id, const std::vector<CaseEvent>& events,
                           const Agreement& agreement, TimePoint now,
                           const std::vector<std::string>& notes = {});

}  // namespace slussen
