#pragma once
// The monthly deviation report as a PDF for the county-wide working group, laid out by the pdf
// library like the evidence report (case_report_pdf.h): A4, DejaVu Sans, searchable Swedish text.
// Input is the JSON of DeviationReportJson, so the PDF shows exactly what the JSON says, case ids
// included only if the JSON has them: a header (month, period, generated at), the totals per
// category, the recurrence rule, then one table per category with a deviation (organisation,
// deadline, count, cases, recurring, counterparts, case ids). Headings in Swedish with English
// in parentheses.
//
// A report that is not a JSON object is an error; an unwritable path is an error Status (no
// partial file is left behind).
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace slussen {

Status WriteDeviationReportPdf(const nlohmann::json& report, const std::string& path);

}  // namespace slussen
