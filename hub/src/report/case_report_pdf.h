#pragma once
// The evidence report of one case (issue 4 item 5) as a PDF that a municipality and a region can
// put in an invoice dispute, laid out by the pdf library (pdf/document.h): A4, DejaVu Sans
// (fonts-dejavu-core) through pango and cairo, so that åäö are real glyphs and the text can be
// searched and copied. This file holds only the report's sections.
//
// Input is the JSON of CaseReportJson (case_report.h), so the PDF shows exactly what the JSON
// says: a header (case id, status, kommun, agreement, generated at), a summary, the chain of
// events (occurred, stored, kind, per destination delivered time and receipt), the deadlines
// (rule, due, state, met at, note), the payment liability (rule, preconditions, periods with the
// first billable day and the billed days with amounts, totals, notes) and the case notes. Every
// page has a footer with the case id and "Sida N av M". Headings are Swedish with English in
// parentheses. Times are printed as the JSON has them (Europe/Stockholm with the UTC offset).
//
// The report carries no personnummer, names or addresses, and nothing else is read. Missing or
// null fields print as "–"; a report that is not a JSON object is an error. An unwritable path is
// an error Status (no partial file is left behind).
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace slussen {

Status WriteCaseReportPdf(const nlohmann::json& report, const std::string& path);

}  // namespace slussen
