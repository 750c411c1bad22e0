// The deviation report as JSON and as CSV (RFC 4180).
#include <iterator>
#include <string>

#include "common/kommuner.h"
#include "common/time_format.h"
#include "report/deviation_report.h"

namespace slussen {
namespace {

using nlohmann::json;

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::string OrganisationName(const Organisation& o) {
  if (o.kind != "kommun") return "";
  const KommunEntry* k = FindKommunEntry(o.id);
  return k ? k->name : "";
}

// A field as RFC 4180 wants it: quoted (with its quotes doubled) when it holds a comma, a quote
// or a line break, else as it is.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

json DeviationReportJson(const DeviationReport& report, bool with_case_ids) {
  json totals = json::object();
  for (const auto& c : DeviationCategories()) totals[c] = 0;
  json groups = json::array();
  for (const auto& g : report.groups) {
    totals[g.category] = totals[g.category].get<int64_t>() + g.count;
    json j{{"category", g.category},
           {"organisation",
            {{"kind", g.organisation.kind}, {"id", g.organisation.id},
             {"name", OrganisationName(g.organisation)}}},
           {"count", g.count},
           {"cases", g.case_ids.size()},
           {"counterparts", g.counterparts},
           {"recurring", g.recurring},
           {"also_in", g.also_in}};
    if (!g.rule.empty()) {
      j["rule"] = g.rule;
      j["rule_text"] = g.rule_text;
    }
    if (!g.fallback_to.empty()) j["fallback_to"] = g.fallback_to;
    if (with_case_ids) j["case_ids"] = g.case_ids;
    groups.push_back(std::move(j));
  }
  const ReportMonth before1 = report.month.Previous();
  return json{{"month", report.month.Text()},
              {"from", FormatStockholmTime(report.span.from)},
              {"to", FormatStockholmTime(report.span.to)},
              {"generated_at", FormatStockholmTime(report.generated_at)},
              {"case_ids_included", with_case_ids},
              {"recurring_rule",
               "the same category (and deadline) for the same organisation also in " +
                   before1.Previous().Text() + " or " + before1.Text() + ", or at least " +
                   std::to_string(kRecurringInOneMonth) + " times in " + report.month.Text()},
              {"totals", totals},
              {"deviations", groups}};
}

std::string DeviationReportCsv(const DeviationReport& report, bool with_case_ids) {
  std::string out =
      "month,category,rule,rule_text,organisation_kind,organisation_id,organisation_name,"
      "fallback_to,count,cases,recurring,also_in,counterparts";
  out += with_case_ids ? ",case_ids\r\n" : "\r\n";
  for (const auto& g : report.groups) {
    const std::string fields[] = {report.month.Text(),
                                  g.category,
                                  g.rule,
                                  g.rule_text,
                                  g.organisation.kind,
                                  g.organisation.id,
                                  OrganisationName(g.organisation),
                                  g.fallback_to,
                                  std::to_string(g.count),
                                  std::to_string(g.case_ids.size()),
                                  g.recurring ? "yes" : "no",
                                  Joined(g.also_in),
                                  Joined(g.counterparts)};
    std::string line = CsvField(fields[0]);
    for (std::size_t i = 1; i < std::size(fields); ++i) line += "," + CsvField(fields[i]);
    if (with_case_ids) line += "," + CsvField(Joined(g.case_ids));
    out += line + "\r\n";
  }
  return out;
}

}  // namespace slussen
