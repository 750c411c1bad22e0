#pragma once
// The patient's access-log extract (loggutdrag; HSLF-FS 2016:40 4 kap. 9 a–10 §§): which
// organisation and unit got or saw which of the patient's data, and when, from the audit log's
// rows of that patient (hub/DESIGN.md "Audit log and retention"). As JSON here, and as a PDF for
// the patient (loggutdrag_pdf.h). The JSON carries no personnummer: the caller knows whose it is.
//
//   {"generated_at": "...", "count": N, "entries": [{"at", "action", "action_text",
//    "organisation", "actor", "actor_kind", "what", "case_id", "event_id"}...]}
#include <chrono>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/audit_record.h"

namespace slussen {

nlohmann::json LoggutdragJson(const std::vector<AuditRecord>& rows,
                              std::chrono::system_clock::time_point generated_at);

// The Swedish text of an audit action, with the English in parentheses.
std::string AuditActionText(const std::string& action);

}  // namespace slussen
