#pragma once
// Where the core gets a case's events from when a batch touches the case: the events the store
// holds plus the batch's new ones (not yet stored: they are written together with the case's new
// summary, in the batch's one transaction). The projection itself is pure
// (cases/case_projection.h); this is the one place that loads, so that a cache of decoded events
// can take its place.
#include <map>
#include <string>
#include <vector>

#include "api/records.h"
#include "cases/case_projection.h"
#include "store/store.h"

namespace slussen {

// The new events of a batch by case, in batch order.
using AddedCaseEvents = std::map<std::string, std::vector<const EventRecord*>>;

// The decoded events of each case in `added`: the stored ones, in the order they were stored,
// then the batch's new ones. One store read for all the cases.
Result<std::map<std::string, DecodedCaseEvents>> LoadCaseEvents(Store& store,
                                                                const AddedCaseEvents& added);

}  // namespace slussen
