#include "core/case_tracker.h"

namespace slussen {

Result<DecodedCaseEvents> LoadCaseEvents(Store& store, const std::string& case_id,
                                         const std::vector<const EventRecord*>& added) {
  auto rows = store.CaseEvents(case_id);
  if (!rows) return rows.as_error();
  rows->reserve(rows->size() + added.size());
  for (const EventRecord* e : added) rows->push_back({e->body, e->received_at_us});
  return DecodeCaseEvents(*rows);
}

}  // namespace slussen
