#pragma once
// Keeps the persisted case summary (cases, deadlines tables) in step with the events: the core
// calls UpdateCase() inside the transaction that stored an event of the case, so the case and
// the event are committed together. The case is rebuilt from all its stored events (BuildCase),
// which makes arrival order irrelevant.
#include <string>
#include <vector>

#include "cases/agreement.h"
#include "cases/case_state.h"
#include "cases/deadlines.h"
#include "cases/liability.h"
#include "store/store.h"

namespace slussen {

// Everything known about one case at `now`, read from the store.
struct CaseView {
  CaseState state;
  std::vector<Deadline> deadlines;
  LiabilityResult liability;
  std::vector<DeliveryRow> deliveries;
};

Result<CaseView> LoadCase(Store& store, const std::string& case_id, const Agreement& agreement,
                          TimePoint now);

// Rebuilds and persists the case. Fails only on store errors.
Status UpdateCase(Store& store, const std::string& case_id, const Agreement& agreement, TimePoint now);

}  // namespace slussen
