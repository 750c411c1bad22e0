#include "core/case_tracker.h"

namespace slussen {

Result<std::map<std::string, DecodedCaseEvents>> LoadCaseEvents(Store& store,
                                                                const AddedCaseEvents& added) {
  std::vector<std::string> case_ids;
  case_ids.reserve(added.size());
  for (const auto& entry : added) case_ids.push_back(entry.first);
  auto stored = store.CaseEvents(case_ids);
  if (!stored) return stored.as_error();
  std::map<std::string, DecodedCaseEvents> out;
  for (const auto& [case_id, events] : added) {
    auto& rows = (*stored)[case_id];
    rows.reserve(rows.size() + events.size());
    for (const EventRecord* e : events) rows.push_back({e->body, e->received_at_us});
    out.emplace(case_id, DecodeCaseEvents(rows));
  }
  return out;
}

}  // namespace slussen
