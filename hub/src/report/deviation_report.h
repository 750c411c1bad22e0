#pragma once
// The monthly deviation report (avvikelser, issue 12 item 5; hub/DESIGN.md "Deviation report"):
// per Europe/Stockholm calendar month and organisation, how often each kind of deviation the store
// records happened, the cases behind each count, and which ones recur. Built from
// StoreReader::Deviations (what went wrong, never whole tables) for the month and the two before
// it, and rendered as JSON, CSV (RFC 4180) and a PDF (deviation_report_pdf.h, from the JSON).
//
// Each deviation is attributed to one organisation: a missed deadline to the party whose duty it
// was (the region by the case's care unit, or the kommun for a planeringsunderlag answer); a
// delivery deviation (dead letter, fallback, late or missing receipt) to the receiving side whose
// path failed (a kommun, a vårdcentral, or a system such as a letter or EHR destination). The
// other party of the cases (kommunkoder, or care units) is listed as counterparts.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "store/store_reader.h"

namespace slussen {

struct ReportMonth {
  int year = 0;
  unsigned month = 0;  // 1..12
  std::string Text() const;  // "2026-03"
  ReportMonth Previous() const;
  friend bool operator==(const ReportMonth&, const ReportMonth&) = default;
};

// "YYYY-MM" with a year from 2000 to 2999; nullopt for anything else.
std::optional<ReportMonth> ParseReportMonth(std::string_view text);

// The month's first instant and the next month's, Europe/Stockholm wall time.
struct MonthSpan {
  std::chrono::system_clock::time_point from, to;
};
MonthSpan SpanOf(ReportMonth month);

struct Organisation {
  // "kommun" (by kommunkod), "region" (a care unit by HSA id), "system" (another destination),
  // "sender" (a rejected message's claimed sender HSA id, or "unknown")
  std::string kind;
  std::string id;
  friend auto operator<=>(const Organisation&, const Organisation&) = default;
};

struct DeviationGroup {
  std::string category;   // as DeviationRow::category
  // deadlines: the deadline ("kallelse-sip"); rejections: the field or part the reason named
  // ("patient.kommunkod"); empty for deliveries
  std::string rule;
  std::string rule_text;  // deadlines: the rule that set it ("4 kap. 3 § lag (2017:612)")
  Organisation organisation;
  std::string fallback_to;  // fallbacks: where the events went instead
  int64_t count = 0;        // deviations (an event or a deadline each)
  std::vector<std::string> case_ids;      // distinct, sorted
  std::vector<std::string> counterparts;  // the other party's ids, distinct, sorted
  std::vector<std::string> also_in;       // of the two months before, those with the same
  bool recurring = false;
};

// Recurring: the same category (and deadline) for the same organisation also in at least one of
// the two months before, or at least this many times in the month.
inline constexpr int64_t kRecurringInOneMonth = 3;
// The most deviations read for one report (its month and the two before); more is an error
// rather than a report that silently leaves some out.
inline constexpr std::size_t kMaxDeviationRows = 200000;

struct DeviationReport {
  ReportMonth month;
  MonthSpan span;
  std::chrono::system_clock::time_point generated_at;
  std::vector<DeviationGroup> groups;  // by category, organisation, rule
};

// The categories, in report order.
const std::vector<std::string>& DeviationCategories();

// kInvalidArgument if the store holds more than kMaxDeviationRows deviations in the three months.
Result<DeviationReport> BuildDeviationReport(StoreReader& store, ReportMonth month,
                                             std::chrono::system_clock::time_point now);

// Case ids only `with_case_ids` (operators and auditors); counts, organisations and rules always.
nlohmann::json DeviationReportJson(const DeviationReport& report, bool with_case_ids);
// One row per group; header first; fields quoted per RFC 4180 where needed; CRLF line ends. The
// case_ids column (space-separated) only `with_case_ids`.
std::string DeviationReportCsv(const DeviationReport& report, bool with_case_ids);

}  // namespace slussen
