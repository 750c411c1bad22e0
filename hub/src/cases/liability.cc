#include "cases/liability.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

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

bool PausedOn(const CaseState& c, Date d) {
  const TimePoint start = calendar::StartOfDay(d);
  const TimePoint end = calendar::EndOfDay(d);
  return std::any_of(c.pauses.begin(), c.pauses.end(), [&](const LiabilityPause& p) {
    return p.from < end && (!p.until || *p.until > start);
  });
}

// Days as utskrivningsklar for the average model: per notice period, the days from the notice's
// local date up to (not including) the day it ended, without withdrawn stretches (återtagande)
// and without days under a 5 kap. 5 § pause, which no agreement can bill (4 kap. 5 § lets it
// change only the start and the amount). A same-day discharge is 0 days. A period whose kallelse
// failed (5 kap. 3 § andra stycket) is left out.
bool Counts(const LiabilityPeriod& p) { return !p.kallelse || p.kallelse->state != State::kFailed; }

int UtskrivningsklarDays(const CaseState& c, const LiabilityResult& liability) {
  int days = 0;
  for (std::size_t i = 0; i < c.notices.size(); ++i) {
    const NoticePeriod& n = c.notices[i];
    if (!n.ended_at || !Counts(liability.periods[i])) continue;
    const Date end = calendar::StockholmDate(*n.ended_at);
    for (Date d = calendar::StockholmDate(n.sent_at); std::chrono::sys_days(d) < std::chrono::sys_days(end);
         d = calendar::AddCalendarDays(d, 1)) {
      if (!PausedOn(c, d)) ++days;
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
  const TimePoint due = KallelseSipDue(n, a);
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
  if (c.sip_required) p.kallelse = PeriodKallelse(c, n, a, now);
  p.notice_event_id = n.event_id;
  p.notice_sent_at = n.sent_at;
  p.psychiatric = n.care_type == v1::PSYCHIATRIC;
  p.free_days = p.psychiatric ? a.free_days_psychiatric : a.free_days_somatic;
  p.ended_at = n.ended_at;
  p.ended_by = n.ended_by;

  const Date notice_day = calendar::StockholmDate(n.sent_at);
  p.after_cutoff = a.cutoff_local_time &&
                   n.sent_at > calendar::FromStockholm(notice_day, *a.cutoff_local_time);
  // 5 kap. 4 §: after 12.00 "4 days instead of 3": the extra day is one more day of the same
  // kind, so with working-day counting it is a working day too.
  const int days = p.free_days + (p.after_cutoff ? a.extra_days_after_cutoff : 0);
  p.first_billable_day = a.day_counting == DayCounting::kWorkingDays
                             ? calendar::AddWorkingDays(notice_day, days, Rules(a))
                             : calendar::AddCalendarDays(notice_day, days);
  const Date end = n.ended_at ? calendar::StockholmDate(*n.ended_at)
                              : calendar::AddCalendarDays(calendar::StockholmDate(now), 1);
  for (Date d = p.first_billable_day; std::chrono::sys_days(d) < std::chrono::sys_days(end);
       d = calendar::AddCalendarDays(d, 1)) {
    if (PausedOn(c, d)) {
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

}  // namespace

LiabilityResult ComputeLiability(const CaseState& c, const std::vector<Deadline>& deadlines,
                                 const Agreement& a, TimePoint now) {
  LiabilityResult r;
  r.model = a.model == LiabilityModel::kAverage ? "average" : "individual";
  r.rule = RuleText(a);
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
  if (c.sip_required) {
    // Shown for the notice in force; each period is judged on its own notice below.
    r.preconditions.push_back(FromDeadline(deadlines, "kallelse-sip",
                                           "5 kap. 3 § andra stycket, 4 kap. 3 §",
                                           "kallelse to SIP sent in time (SIP required), counted "
                                           "from the notice in force"));
  }
  const bool unknown = std::any_of(r.preconditions.begin(), r.preconditions.end(),
                                   [](const auto& p) { return p.state == State::kNotYetKnown; });
  for (const auto& n : c.notices) r.periods.push_back(ComputePeriod(c, n, a, now, r.notes));
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
    const int days = UtskrivningsklarDays(c, liability);
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
