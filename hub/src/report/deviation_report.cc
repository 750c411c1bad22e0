#include "report/deviation_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "common/clock.h"
#include "common/swedish_calendar.h"

namespace slussen {
namespace {

using std::chrono::system_clock;

// Whose duty a deadline was. The planeringsunderlag answer is the kommun's (it answers the
// region's request); every other deadline the hub evaluates is a message the region sends (the
// slutenvård unit, or for the kallelse to SIP its fast vårdkontakt in öppenvården, which the
// store does not name: the case's care unit stands for the region then).
bool KommunsDuty(const std::string& deadline_id) {
  return deadline_id.rfind("planeringsunderlag-svar", 0) == 0;
}

std::string CareUnitOf(const std::string& case_id) {
  const auto slash = case_id.find('/');
  return slash == std::string::npos ? case_id : case_id.substr(0, slash);
}

// The deadline without its per-request suffix ("planeringsunderlag-svar:<event id>").
std::string RuleOf(const std::string& deadline_id) {
  return deadline_id.substr(0, deadline_id.find(':'));
}

// Where a delivery went: kommun-<kod>, vc-<HSA id> (the region's vårdcentral), or a system.
Organisation ReceiverOf(const std::string& destination) {
  if (destination.rfind("kommun-", 0) == 0) return {"kommun", destination.substr(7)};
  if (destination.rfind("vc-", 0) == 0) return {"region", destination.substr(3)};
  return {"system", destination};
}

struct Attributed {
  Organisation organisation;
  std::string counterpart;
};

Attributed Attribute(const DeviationRow& row) {
  // A rejected message is the sending side's: the HSA id it claimed (well-formed, not verified
  // until senders authenticate), or "unknown" when it did not decode that far.
  if (row.category == "rejected") return {{"sender", row.sender.empty() ? "unknown" : row.sender}, ""};
  if (!row.deadline_id.empty()) {
    if (KommunsDuty(row.deadline_id)) return {{"kommun", row.kommunkod}, CareUnitOf(row.case_id)};
    return {{"region", CareUnitOf(row.case_id)}, row.kommunkod};
  }
  return {ReceiverOf(row.destination), CareUnitOf(row.case_id)};
}

using RecurrenceKey = std::tuple<std::string, std::string, Organisation>;  // category, rule, org
using GroupKey = std::tuple<std::size_t, Organisation, std::string, std::string>;

std::size_t CategoryIndex(const std::string& category) {
  const auto& all = DeviationCategories();
  return static_cast<std::size_t>(std::find(all.begin(), all.end(), category) - all.begin());
}

template <typename T>
void SortUnique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

std::string ReportMonth::Text() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", year, month);
  return buf;
}

ReportMonth ReportMonth::Previous() const {
  return month == 1 ? ReportMonth{year - 1, 12} : ReportMonth{year, month - 1};
}

std::optional<ReportMonth> ParseReportMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int year =
      (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  const unsigned month = static_cast<unsigned>((text[5] - '0') * 10 + (text[6] - '0'));
  if (year < 2000 || year > 2999 || month < 1 || month > 12) return std::nullopt;
  return ReportMonth{year, month};
}

MonthSpan SpanOf(ReportMonth m) {
  using namespace std::chrono;
  const ReportMonth next =
      m.month == 12 ? ReportMonth{m.year + 1, 1} : ReportMonth{m.year, m.month + 1};
  return {calendar::StartOfDay(year_month_day{year{m.year}, month{m.month}, day{1}}),
          calendar::StartOfDay(year_month_day{year{next.year}, month{next.month}, day{1}})};
}

const std::vector<std::string>& DeviationCategories() {
  static const std::vector<std::string> all = {"deadline-missed", "estimate-change-not-notified",
                                               "dead-letter",     "fallback",
                                               "receipt-late",    "receipt-missing",
                                               "rejected"};
  return all;
}

Result<DeviationReport> BuildDeviationReport(StoreReader& store, ReportMonth month,
                                             system_clock::time_point now) {
  DeviationReport report;
  report.month = month;
  report.span = SpanOf(month);
  report.generated_at = now;
  const ReportMonth before1 = month.Previous();
  const ReportMonth before2 = before1.Previous();
  const MonthSpan earliest = SpanOf(before2);
  auto rows =
      store.Deviations(ToMicros(earliest.from), ToMicros(report.span.to), kMaxDeviationRows + 1);
  if (!rows) return rows.as_error();
  if (rows->size() > kMaxDeviationRows) {
    return Error{"more than " + std::to_string(kMaxDeviationRows) + " deviations in " +
                     before2.Text() + " to " + month.Text() +
                     ": too many for one report (is a destination failing everything?)",
                 ErrorCode::kInvalidArgument};
  }
  const int64_t month_from = ToMicros(report.span.from);
  const int64_t before1_from = ToMicros(SpanOf(before1).from);
  std::map<RecurrenceKey, std::set<std::string>> earlier;  // key -> the earlier months it is in
  std::map<GroupKey, DeviationGroup> groups;
  for (const DeviationRow& row : *rows) {
    const Attributed who = Attribute(row);
    // For a rejection the "rule" is the field or part its reason named (e.g. patient.kommunkod).
    const std::string rule = row.category == "rejected" ? row.reason : RuleOf(row.deadline_id);
    if (row.at_us < month_from) {
      earlier[{row.category, rule, who.organisation}].insert(
          (row.at_us < before1_from ? before2 : before1).Text());
      continue;
    }
    const GroupKey key{CategoryIndex(row.category), who.organisation, rule,
                       row.category == "fallback" ? row.fallback_to : std::string()};
    DeviationGroup& g = groups[key];
    if (g.count == 0) {
      g.category = row.category;
      g.rule = rule;
      g.rule_text = row.rule;
      g.organisation = who.organisation;
      g.fallback_to = std::get<3>(key);
    }
    ++g.count;
    if (!row.case_id.empty()) g.case_ids.push_back(row.case_id);  // a rejection has none
    if (!who.counterpart.empty()) g.counterparts.push_back(who.counterpart);
  }
  for (auto& [key, g] : groups) {
    SortUnique(g.case_ids);
    SortUnique(g.counterparts);
    if (auto it = earlier.find({g.category, g.rule, g.organisation}); it != earlier.end()) {
      g.also_in.assign(it->second.begin(), it->second.end());
    }
    g.recurring = !g.also_in.empty() || g.count >= kRecurringInOneMonth;
    report.groups.push_back(std::move(g));
  }
  return report;
}

}  // namespace slussen
