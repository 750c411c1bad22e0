#include "report/loggutdrag.h"

#include "common/clock.h"
#include "common/time_format.h"

namespace slussen {

std::string AuditActionText(const std::string& action) {
  if (action == "delivered") return "Överlämnad till mottagarens system (delivered)";
  if (action == "letter") return "Skickad som brev via brevtjänsten (sent as a letter)";
  if (action == "read") return "Läst av handläggare (read by an operator)";
  if (action == "loggutdrag") return "Loggutdrag taget (access-log extract taken)";
  if (action == "purge") return "Gallrad (purged)";
  return action;
}

nlohmann::json LoggutdragJson(const std::vector<AuditRecord>& rows,
                              std::chrono::system_clock::time_point generated_at) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json e{{"at", FormatStockholmTime(FromMicros(r.at_us))},
                     {"action", r.action},
                     {"action_text", AuditActionText(r.action)},
                     {"organisation", r.organisation},
                     {"actor", r.actor},
                     {"actor_kind", r.actor_kind},
                     {"what", r.what},
                     {"case_id", r.case_id}};
    if (r.action == "delivered" || r.action == "letter") e["event_id"] = r.ref;
    entries.push_back(std::move(e));
  }
  return {{"generated_at", FormatStockholmTime(generated_at)},
          {"count", rows.size()},
          {"entries", std::move(entries)}};
}

}  // namespace slussen
