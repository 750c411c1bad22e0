#include "cases/liability.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cases/notice_times.h"
#include "common/time_format.h"

namespace slussen {
namespace {

using calendar::Date;
using State = LiabilityPrecondition::State;

calendar::CalendarRules Rules(const Agreement& a) { return {a.eves_are_holidays}; }

LiabilityPrecondition FromDeadline(const std::vector<Deadline>& deadlines, const std::string& id,
                                   const std::string& rule, const std::string& what) {
  LiabilityPrecondition p{rule, what, State::kNotYetKnown, ""};
  const Deadline* d = FindDeadline(deadlines, id);
  if (!d) {
    p.state = State::kFailed;
    p.detail = "no such message";
    return p;
  }
  switch (d->state) {
    case DeadlineState::kMet: p.state = State::kMet; break;
    case DeadlineState::kMissed:
      p.state = State::kFailed;
      p.detail = d->met_at ? "sent late" : (d->note.empty() ? "not sent in time" : d->note);
      break;
    case DeadlineState::kPending:
    case DeadlineState::kAtRisk: p.detail = "not yet sent, not yet due"; break;
  }
  return p;
}

// 5 kap. 3 § första stycket: the preconditions that hold or fail for the whole case.
std::vector<LiabilityPrecondition> CasePreconditions(const CaseState& c,
                                                     const std::vector<Deadline>& deadlines) {
  std::vector<LiabilityPrecondition> out;
  out.push_back(FromDeadline(deadlines, "inskrivningsmeddelande",
                             "5 kap. 3 § första stycket 1, 2 kap. 3 §",
                             "inskrivningsmeddelande sent in time"));
  LiabilityPrecondition notice{"5 kap. 3 § första stycket 2, 3 kap. 1 §",
                               "utskrivningsklar notice sent",
                               c.notices.empty() ? State::kFailed : State::kMet,
                               c.notices.empty() ? "no utskrivningsklar notice" : ""};
  out.push_back(notice);
  return out;
}

bool AnyFailed(const std::vector<LiabilityPrecondition>& preconditions) {
  return std::any_of(preconditions.begin(), preconditions.end(),
                     [](const auto& p) { return p.state == State::kFailed; });
}

// Whether day d is left out for a 5 kap. 5 § pause: touched by one at all, or (if the agreement
// bills partly paused days) covered by one from its start to its end.
bool PausedOn(const CaseState& c, Date d, const Agreement& a) {
  const TimePoint start = calendar::StartOfDay(d);
  const TimePoint end = calendar::EndOfDay(d);
  const bool whole_day_only = a.partly_paused_day == Agreement::PartlyPausedDay::kBilled;
  return std::any_of(c.pauses.begin(), c.pauses.end(), [&](const LiabilityPause& p) {
    if (whole_day_only) return p.from <= start && (!p.until || *p.until >= end);
    return p.from < end && (!p.until || *p.until > start);
  });
}

// The first day not counted after a notice period that ended at `ended_at` by `ended_by`: the
// local date of the end, or the day after when the agreement bills that day.
Date EndOfCount(TimePoint ended_at, const std::string& ended_by, const Agreement& a) {
  const Date end = calendar::StockholmDate(ended_at);
  const bool billed = ended_by == "discharged" ? a.bill_discharge_day
                      : ended_by == "withdrawn" ? a.bill_withdrawal_day
                                                : false;
  return billed ? calendar::AddCalendarDays(end, 1) : end;
}

// Days as utskrivningsklar for the average model: per notice period, the days from the notice's
// local date up to (not including) the day it ended, without withdrawn stretches (återtagande)
// and without days under a 5 kap. 5 § pause, which no agreement can bill (4 kap. 5 § lets it
// change only the start and the amount). A same-day discharge is 0 days. The day conventions
// (Agreement: the day of discharge or withdrawal, a partly paused day) apply here as in the
// individual bill: they are readings of what the law leaves open, not agreed changes. A period
// whose kallelse failed (5 kap. 3 § andra stycket), or whose notice the agreement does not count
// as given, is left out.
bool Counts(const LiabilityPeriod& p) {
  return (!p.kallelse || p.kallelse->state != State::kFailed) && !p.notice_given;
}

int UtskrivningsklarDays(const CaseState& c, const LiabilityResult& liability, const Agreement& a) {
  int days = 0;
  for (std::size_t i = 0; i < c.notices.size(); ++i) {
    const NoticePeriod& n = c.notices[i];
    if (!n.ended_at || !n.given || !Counts(liability.periods[i])) continue;
    const Date end = EndOfCount(*n.ended_at, n.ended_by, a);
    for (Date d = calendar::StockholmDate(n.sent_at); std::chrono::sys_days(d) < std::chrono::sys_days(end);
         d = calendar::AddCalendarDays(d, 1)) {
      if (!PausedOn(c, d, a)) ++days;
    }
  }
  return days;
}

// 5 kap. 3 § andra stycket for one notice period: the kallelse counted from its own notice.
LiabilityPrecondition PeriodKallelse(const CaseState& c, const NoticePeriod& n, const Agreement& a,
                                     TimePoint now) {
  LiabilityPrecondition p{"5 kap. 3 § andra stycket, 4 kap. 3 §",
                          "kallelse to SIP sent within " + std::to_string(a.sip_kallelse_days) +
                              " days of this notice",
                          State::kNotYetKnown, ""};
  const TimePoint due = KallelseSipDueFor(c, n, a);
  const auto sent = FirstKallelseSip(c);
  if (sent && *sent <= due) {
    p.state = State::kMet;
  } else if (sent || now > due) {
    p.state = State::kFailed;
    p.detail = sent ? "sent after " + FormatStockholmTime(due) : "none by " + FormatStockholmTime(due);
  } else {
    p.detail = "not yet sent, due " + FormatStockholmTime(due);
  }
  return p;
}

LiabilityPeriod ComputePeriod(const CaseState& c, const NoticePeriod& n, const Agreement& a,
                              TimePoint now, std::vector<std::string>& notes) {
  LiabilityPeriod p;
  p.notice_event_id = n.event_id;
  p.notice_sent_at = n.sent_at;
  p.psychiatric = n.care_type == v1::PSYCHIATRIC;
  p.free_days = p.psychiatric ? a.free_days_psychiatric : a.free_days_somatic;
  p.ended_at = n.ended_at;
  p.ended_by = n.ended_by;
  if (!n.given) {
    // 5 kap. 3 § första stycket 2 for this period, under an agreement that counts a notice when
    // the kommun's system has it (notice_times.h): nothing counts from it until then. A period
    // that ended before that never bills.
    p.notice_given = LiabilityPrecondition{
        "5 kap. 3 § första stycket 2, 3 kap. 1 §", "this notice given to the kommun (" +
            NoticeRuleText(a) + ")",
        n.ended_at ? State::kFailed : State::kNotYetKnown,
        n.ended_at ? "the period ended (" + n.ended_by + ") before the notice was given"
                   : "not yet given"};
    p.first_billable_day = calendar::StockholmDate(n.sent_at);
    return p;
  }
  if (KallelseSipApplies(c)) p.kallelse = PeriodKallelse(c, n, a, now);

  const Date notice_day = calendar::StockholmDate(n.sent_at);
  p.after_cutoff = a.cutoff_local_time &&
                   n.sent_at > calendar::FromStockholm(notice_day, *a.cutoff_local_time);
  // 5 kap. 4 §: after 12.00 "4 days instead of 3": the extra day is one more day of the same
  // kind, so with working-day counting it is a working day too.
  const int days = p.free_days + (p.after_cutoff ? a.extra_days_after_cutoff : 0);
  p.first_billable_day = a.day_counting == DayCounting::kWorkingDays
                             ? calendar::AddWorkingDays(notice_day, days, Rules(a))
                             : calendar::AddCalendarDays(notice_day, days);
  const Date end = n.ended_at ? EndOfCount(*n.ended_at, n.ended_by, a)
                              : calendar::AddCalendarDays(calendar::StockholmDate(now), 1);
  for (Date d = p.first_billable_day; std::chrono::sys_days(d) < std::chrono::sys_days(end);
       d = calendar::AddCalendarDays(d, 1)) {
    if (PausedOn(c, d, a)) {
      p.paused_days.push_back(d);
      continue;
    }
    const int year = static_cast<int>(d.year());
    const Agreement::AmountBasis basis = a.BasisFor(year);
    if (basis.year == 0) {
      notes.push_back("no amount configured for " + std::to_string(year) + "; " +
                      calendar::FormatDate(d) + " billed at 0 kr");
    } else if (basis.year != year) {
      const std::string note = std::to_string(year) + " has no amount of its own in the "
                               "agreement: its days are billed at " + std::to_string(basis.year) +
                               "'s, unconfirmed";
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    }
    LiabilityDay day;
    day.date = d;
    day.amount_kr = basis.kr;
    day.amount_year = basis.year;
    day.amount_confirmed = basis.confirmed;
    p.billed_days.push_back(day);
    p.amount_kr += basis.kr;
  }
  return p;
}

std::string RuleText(const Agreement& a) {
  std::string s = "first billable day = the notice's local date";
  if (a.cutoff_local_time) {
    const auto m = a.cutoff_local_time->count();
    char hhmm[8];
    std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", static_cast<int>(m / 60), static_cast<int>(m % 60));
    s += " (+" + std::to_string(a.extra_days_after_cutoff) + " if sent after " + hhmm + ")";
  }
  s += " + " + std::to_string(a.free_days_somatic) + " (psychiatric " +
       std::to_string(a.free_days_psychiatric) + ") " +
       (a.day_counting == DayCounting::kWorkingDays ? "working" : "calendar") +
       " days; days under a 5 kap. 5 § pause are not billed (" + a.name + ", 5 kap. 4 § lag (2017:612))";
  return s;
}

std::vector<std::string> ConventionsText(const Agreement& a) {
  const std::string silent = " (the default: lag 2017:612 is silent; Socialstyrelsen's vårdtid "
                             "counts the date difference, so the day a stretch ends is not a day)";
  const std::string agreed = " (" + a.name + ")";
  std::vector<std::string> out;
  out.push_back(std::string("day of discharge: ") +
                (a.bill_discharge_day ? "billed" + agreed : "not billed" + silent));
  out.push_back(std::string("day of a withdrawal (återtagande): ") +
                (a.bill_withdrawal_day ? "billed" + agreed : "not billed" + silent));
  out.push_back(std::string("partly paused day (5 kap. 5 §): ") +
                (a.partly_paused_day == Agreement::PartlyPausedDay::kBilled
                     ? "billed; only a day paused from start to end is left out" + agreed
                     : "not billed (the default: liability does not arise while the insatser "
                       "are missing, and the law does not split a vårddygn)"));
  return out;
}

}  // namespace

LiabilityResult ComputeLiability(const CaseState& raw, const std::vector<Deadline>& deadlines,
                                 const Agreement& a, TimePoint now) {
  std::optional<CaseState> counted;
  const CaseState& c = CountedCase(raw, a, counted);
  LiabilityResult r;
  r.model = a.model == LiabilityModel::kAverage ? "average" : "individual";
  r.rule = RuleText(a);
  r.conventions = ConventionsText(a);
  r.notice_rule = NoticeRuleText(a);
  r.paying_kommunkod = PayingKommun(c);
  r.paying_basis =
      c.placing_kommunkod.empty()
          ? "5 kap. 2 §: the kommun where the patient is folkbokförd"
          : "5 kap. 2 §: kommun " + c.placing_kommunkod +
                " placed the patient in a särskild boendeform in kommun " + c.kommunkod;
  if (c.status == CaseStatus::kCancelled) {
    r.notes.push_back("the case is cancelled (makulering): no liability");
    return r;
  }
  r.preconditions = CasePreconditions(c, deadlines);
  const bool failed = AnyFailed(r.preconditions);
  if (c.sip_required && !KallelseSipApplies(c)) {
    r.notes.push_back(std::string("SIP expected, but the patient is to have ") +
                      (c.samordnad_vardplan == v1::SAMORDNAD_VARDPLAN_LRV
                           ? "öppen rättspsykiatrisk vård: the samordnad vårdplan of 12 a § lag "
                             "(1991:1129)"
                           : "öppen psykiatrisk tvångsvård: the samordnad vårdplan of 7 a § lag "
                             "(1991:1128)") +
                      " replaces the SIP (4 kap. 1 § andra stycket), so no kallelse is a "
                      "precondition (5 kap. 3 § andra stycket)");
  }
  if (KallelseSipApplies(c)) {
    for (const auto& flag : KallelseSenderFlags(c)) r.notes.push_back("flagged: " + flag);
    // Shown for the notice in force; each period is judged on its own notice below.
    r.preconditions.push_back(FromDeadline(deadlines, "kallelse-sip",
                                           "5 kap. 3 § andra stycket, 4 kap. 3 §",
                                           "kallelse to SIP sent in time (SIP required), counted "
                                           "from the notice in force"));
  }
  const bool unknown = std::any_of(r.preconditions.begin(), r.preconditions.end(),
                                   [](const auto& p) { return p.state == State::kNotYetKnown; });
  for (const auto& n : c.notices) r.periods.push_back(ComputePeriod(c, n, a, now, r.notes));
  if (a.bill_withdrawal_day) {
    // A renewed notice on the day of the withdrawal must not bill that day twice.
    for (std::size_t i = 1; i < r.periods.size(); ++i) {
      auto& days = r.periods[i].billed_days;
      const auto& before = r.periods[i - 1].billed_days;
      while (!days.empty() && !before.empty() &&
             std::chrono::sys_days(days.front().date) <= std::chrono::sys_days(before.back().date)) {
        r.periods[i].amount_kr -= days.front().amount_kr;
        days.erase(days.begin());
      }
    }
  }
  if (failed) {
    r.notes.push_back("a precondition of 5 kap. 3 § failed: the kommun is not liable");
    for (auto& p : r.periods) {
      p.billed_days.clear();
      p.paused_days.clear();
      p.amount_kr = 0;
    }
    return r;
  }
  for (auto& p : r.periods) {
    if (p.kallelse && p.kallelse->state == State::kFailed) {
      r.notes.push_back("notice " + p.notice_event_id + ": the kallelse to SIP was not sent within " +
                        std::to_string(a.sip_kallelse_days) +
                        " days of it (4 kap. 3 §); its period is not billed (5 kap. 3 § andra "
                        "stycket)");
      p.billed_days.clear();
      p.paused_days.clear();
      p.amount_kr = 0;
    }
  }
  for (const auto& p : r.periods) {
    r.total_days += static_cast<int>(p.billed_days.size());
    r.total_amount_kr += p.amount_kr;
    for (const auto& day : p.billed_days) r.unconfirmed_amounts |= !day.amount_confirmed;
  }
  // A period still running can still grow, unless its kallelse failed: then it never bills.
  bool running = false;
  for (std::size_t i = 0; i < c.notices.size(); ++i) {
    const auto& kallelse = r.periods[i].kallelse;
    running = running || (!c.notices[i].ended_at && !(kallelse && kallelse->state == State::kFailed));
    if (const auto& given = r.periods[i].notice_given; given && given->state == State::kFailed) {
      r.notes.push_back("notice " + r.periods[i].notice_event_id + ": " + given->detail +
                        "; its period is not billed (5 kap. 3 § första stycket 2)");
    }
  }
  r.provisional = unknown || running;
  r.liable = r.total_days > 0;
  if (a.model == LiabilityModel::kAverage) {
    r.notes.push_back("average model: these individual days are the input to the kommun's monthly "
                      "average; the bill is the average-model report");
  }
  return r;
}

AverageModelRow AverageModelReport(const std::vector<CaseState>& cases, const std::string& kommunkod,
                                   int year, unsigned month, const Agreement& a, TimePoint now,
                                   bool psychiatric) {
  AverageModelRow row;
  row.kommunkod = kommunkod;
  row.year = year;
  row.month = month;
  row.psychiatric = psychiatric;
  row.threshold_days = a.AverageThreshold(psychiatric);
  int64_t amount_individual = 0;
  for (const auto& c : cases) {
    if (PayingKommun(c) != kommunkod || !c.discharged_at || c.notices.empty() ||
        c.status == CaseStatus::kCancelled ||
        (c.notices.back().care_type == v1::PSYCHIATRIC) != psychiatric) {
      continue;
    }
    const Date discharged = calendar::StockholmDate(*c.discharged_at);
    if (static_cast<int>(discharged.year()) != year || static_cast<unsigned>(discharged.month()) != month) {
      continue;
    }
    const auto deadlines = EvaluateDeadlines(c, a, now);
    const auto liability = ComputeLiability(c, deadlines, a, now);
    if (AnyFailed(CasePreconditions(c, deadlines))) continue;
    std::optional<CaseState> counted;
    const int days = UtskrivningsklarDays(CountedCase(c, a, counted), liability, a);
    if (days == 0 && std::none_of(liability.periods.begin(), liability.periods.end(),
                                  [](const auto& p) { return Counts(p); })) {
      continue;  // every period failed its kallelse (5 kap. 3 § andra stycket)
    }
    if (a.individual_after_days && days > *a.individual_after_days) {
      ++row.patients_billed_individually;
      row.billable_days_individual += liability.total_days;
      amount_individual += liability.total_amount_kr;
    } else {
      if (days == 0 && !a.day0_counted) continue;
      ++row.patients_in_average;
      row.days_in_average += days;
    }
    row.case_ids.push_back(c.case_id);
  }
  if (row.patients_in_average > 0) {
    row.average_days = static_cast<double>(row.days_in_average) / row.patients_in_average;
    row.billable_days_average =
        std::max(0.0, row.days_in_average - row.threshold_days * row.patients_in_average);
  }
  const Agreement::AmountBasis basis = a.BasisFor(year);
  const auto amount = basis.kr;
  row.amount_year = basis.year;
  row.amount_confirmed = basis.confirmed;
  row.amount_kr = static_cast<int64_t>(std::llround(row.billable_days_average * static_cast<double>(amount))) +
                  amount_individual;
  return row;
}

}  // namespace slussen
