#pragma once
// Where the core gets a case's events from when a batch touches the case: the events the store
// holds plus the batch's new ones (not yet stored: they are written together with the case's new
// summary, in the batch's one transaction). The projection itself is pure (cases/case_projection.h);
// this is the one place that loads, so that a cache of decoded events can take its place.
#include <string>
#include <vector>

#include "api/records.h"
#include "cases/case_projection.h"
#include "store/store.h"

namespace slussen {

// The decoded events of `case_id`: the stored ones, in the order they were stored, then `added`
// (new events of this case in the batch, in batch order).
Result<DecodedCaseEvents> LoadCaseEvents(Store& store, const std::string& case_id,
                                         const std::vector<const EventRecord*>& added);

}  // namespace slussen
