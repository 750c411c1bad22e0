#pragma once
// Payment liability (betalningsansvar, 5 kap. lag 2017:612) of one case under an agreement.
//
// Individual model, per utskrivningsklar notice period:
//   S      = local date (Europe/Stockholm) of the notice's sent time, moved on by
//            extra_days_after_cutoff when sent after the cut-off (5 kap. 4 §: after 12.00);
//   first  = S advanced by the free days (somatic or psychiatric, from the notice's care type),
//            in calendar or working days;
//   billed = every calendar day d with first <= d < end, where end is the local date of the
//            discharge or the withdrawal (that day itself is not billed, unless the agreement's
//            day conventions bill it: then the day after) or, while the patient is still in
//            hospital, tomorrow (days so far, including today);
//   minus  = days on which a 5 kap. 5 § pause (ClockStopper) was active at any time (or, if the
//            agreement bills partly paused days, the whole day);
//   amount = the agreement's amount for each billed day's year.
// No liability at all unless the 5 kap. 3 § preconditions hold: inskrivningsmeddelande sent in
// time and utskrivningsklar notice sent (första stycket). Where SIP is required its kallelse must
// be sent in time too (andra stycket), counted per notice period from that period's notice, as the
// liability is: a period whose kallelse was late is not billed, a renewed notice is judged anew.
//
// Average model: the individual days are still computed per case (they are the input), and
// AverageModelReport() turns the discharged cases of one kommun and month into the kommun's bill.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cases/agreement.h"
#include "cases/case_state.h"
#include "cases/deadlines.h"
#include "common/swedish_calendar.h"

namespace slussen {

struct LiabilityPrecondition {
  std::string rule;
  std::string what;
  enum class State { kMet, kFailed, kNotYetKnown } state = State::kNotYetKnown;
  std::string detail;
};

struct LiabilityDay {
  calendar::Date date;
  int64_t amount_kr = 0;
  // Whose amount it is and whether it is confirmed (Agreement::BasisFor): a day billed at an
  // unconfirmed amount, or at an earlier year's, says so in the report.
  int amount_year = 0;
  bool amount_confirmed = false;
};

struct LiabilityPeriod {
  std::string notice_event_id;
  TimePoint notice_sent_at;
  bool after_cutoff = false;
  bool psychiatric = false;
  int free_days = 0;
  calendar::Date first_billable_day;
  std::optional<TimePoint> ended_at;
  std::string ended_by;                     // "withdrawn", "discharged", or "" while running
  std::vector<LiabilityDay> billed_days;
  std::vector<calendar::Date> paused_days;  // would have been billed but for a 5 kap. 5 § pause
  int64_t amount_kr = 0;
  // Where SIP is required: the kallelse counted from this notice (4 kap. 3 §). A period whose
  // kallelse failed is not billed (5 kap. 3 § andra stycket); the others are judged on their own.
  std::optional<LiabilityPrecondition> kallelse;
  // Set when the agreement counts a notice when the kommun's system has it (notice_times.h) and
  // this one is not there yet: nothing is billed from it (5 kap. 3 § första stycket 2).
  std::optional<LiabilityPrecondition> notice_given;
};

struct LiabilityResult {
  std::string model;    // "individual" or "average"
  // 5 kap. 2 §: who pays. The placing kommun when one placed the patient in a särskild
  // boendeform in another kommun, else the kommun of folkbokföring; the basis says which.
  std::string paying_kommunkod;
  std::string paying_basis;
  std::string rule;     // how the first billable day is computed, with its paragraph
  // Which day conventions applied (Agreement: discharge day, withdrawal day, partly paused day),
  // one line each, saying whether it is the default and why.
  std::vector<std::string> conventions;
  std::string notice_rule;  // which time a notice counts from (NoticeRuleText)
  std::vector<LiabilityPrecondition> preconditions;
  bool liable = false;          // every precondition met and at least one billed day
  bool provisional = false;     // a precondition not yet known or the patient still in hospital
  std::vector<LiabilityPeriod> periods;
  int total_days = 0;
  int64_t total_amount_kr = 0;
  // Some billed day has an amount that is not confirmed: the report says so at the top.
  bool unconfirmed_amounts = false;
  std::vector<std::string> notes;
};

LiabilityResult ComputeLiability(const CaseState& c, const std::vector<Deadline>& deadlines,
                                 const Agreement& agreement, TimePoint now);

// One kommun's month under the average model (e.g. VGR: pay for days above 3.0 on average; a
// patient more than 7 days past the notice is billed individually instead).
struct AverageModelRow {
  std::string kommunkod;
  int year = 0;
  unsigned month = 0;
  bool psychiatric = false;  // which care type's average this is
  int patients_in_average = 0;
  int days_in_average = 0;
  double average_days = 0;
  double threshold_days = 0;
  double billable_days_average = 0;   // max(0, days - threshold * patients)
  int patients_billed_individually = 0;
  int billable_days_individual = 0;
  int64_t amount_kr = 0;
  int amount_year = 0;             // whose amount the month is billed at
  bool amount_confirmed = false;   // Agreement::BasisFor: the month's own year, confirmed
  std::vector<std::string> case_ids;
};

// Cases the kommun pays for (PayingKommun: 5 kap. 2 §) discharged in the month (local date of discharge) whose care type (that of
// the notice in force; unspecified counts as somatic) is `psychiatric` or not: the two care types
// are averaged apart, each against its own threshold, since their free days differ. Cases
// without a discharge, without a notice, cancelled ones, or whose preconditions failed are left
// out.
AverageModelRow AverageModelReport(const std::vector<CaseState>& cases, const std::string& kommunkod,
                                   int year, unsigned month, const Agreement& agreement,
                                   TimePoint now, bool psychiatric = false);

}  // namespace slussen
