#include "cases/deadlines.h"

#include <algorithm>

#include "cases/notice_times.h"
#include "common/swedish_calendar.h"
#include "common/time_format.h"

namespace slussen {
namespace {

using std::chrono::hours;

calendar::CalendarRules Rules(const Agreement& a) { return {a.eves_are_holidays}; }

// A notice the agreement does not count yet (notice_times.h).
std::string NotGivenNote(const Agreement& a) {
  return a.notified_when == Agreement::NotifiedWhen::kReceipted
             ? "not yet receipted by the kommun's system, which is when this agreement counts it"
             : "not yet delivered to the kommun's system, which is when this agreement counts it";
}

// The end (exclusive) of the local day `days` after the day of `t`, counted as the agreement says.
TimePoint EndOfDayAfter(TimePoint t, int days, DayCounting counting, const Agreement& a) {
  const auto start = calendar::StockholmDate(t);
  const auto due_day = counting == DayCounting::kWorkingDays
                           ? calendar::AddWorkingDays(start, days, Rules(a))
                           : calendar::AddCalendarDays(start, days);
  return calendar::EndOfDay(due_day);
}

// Settles the state of a deadline from its due time and the time it was met (if it was).
void Judge(Deadline& d, std::optional<TimePoint> met_at, TimePoint now, const Agreement& a) {
  d.met_at = met_at;
  if (met_at) {
    d.state = (!d.due || *met_at <= *d.due) ? DeadlineState::kMet : DeadlineState::kMissed;
    return;
  }
  if (!d.due) {
    d.state = DeadlineState::kPending;
  } else if (now > *d.due) {
    d.state = DeadlineState::kMissed;
  } else if (*d.due - now <= a.at_risk_horizon) {
    d.state = DeadlineState::kAtRisk;
  } else {
    d.state = DeadlineState::kPending;
  }
}

Deadline Inskrivning(const CaseState& c, const Agreement& a, TimePoint now) {
  Deadline d{"inskrivningsmeddelande", "2 kap. 3 § lag (2017:612)",
             "inskrivningsmeddelande within " + std::to_string(a.inskrivning_deadline.count()) +
                 " h of admission (or of the later assessment)",
             std::nullopt, DeadlineState::kPending, std::nullopt, ""};
  if (c.admitted_at) {
    // The inskrivningsmeddelande is here (it gave the admission time); whether it has been
    // given yet is the agreement's rule (notice_times.h): inskrivning_sent_at is when it counts.
    d.due = (c.assessed_at ? *c.assessed_at : *c.admitted_at) + a.inskrivning_deadline;
    if (c.assessed_at) d.note = "counted from the assessment time";
    if (!c.inskrivning_sent_at) d.note = NotGivenNote(a);
    Judge(d, c.inskrivning_sent_at, now, a);
  } else if (!c.events.empty() && (!c.notices.empty() || c.discharged_at)) {
    // The admission time is unknown, but it lies before the case's first event, so the deadline
    // has certainly passed once that event is older than the deadline.
    const TimePoint latest_due = c.events.front().occurred_at + a.inskrivning_deadline;
    if (now > latest_due) {
      d.state = DeadlineState::kMissed;
      d.note = "no inskrivningsmeddelande received, and the case's first event is more than " +
               std::to_string(a.inskrivning_deadline.count()) + " h old";
    } else {
      d.note = "no inskrivningsmeddelande received yet; due at the latest " +
               std::to_string(a.inskrivning_deadline.count()) + " h after the case's first event";
      Judge(d, std::nullopt, now, a);  // due unknown: pending
    }
  } else {
    d.note = "the admission time is known once the inskrivningsmeddelande arrives";
  }
  return d;
}

std::optional<Deadline> KallelseSip(const CaseState& c, const Agreement& a, TimePoint now) {
  if (!KallelseSipApplies(c) || c.notices.empty()) return std::nullopt;
  Deadline d{"kallelse-sip", "4 kap. 3 § lag (2017:612)",
             "kallelse to SIP within " + std::to_string(a.sip_kallelse_days) +
                 (a.sip_kallelse_counting == DayCounting::kWorkingDays ? " working" : "") +
                 " days after the utskrivningsklar notice",
             std::nullopt, DeadlineState::kPending, std::nullopt, ""};
  // Counted from the notice in force, like the liability (5 kap. 4 §): a case whose first notice
  // was withdrawn is judged on the renewed one.
  if (!c.notices.back().given) {
    // 4 kap. 3 §: "efter det att en underrättelse ... har lämnats": not yet, under this rule.
    d.note = "the utskrivningsklar notice " + c.notices.back().event_id + ": " + NotGivenNote(a) +
             "; the kallelse is due " + std::to_string(a.sip_kallelse_days) + " days after it is";
    Judge(d, FirstKallelseSip(c), now, a);
    return d;
  }
  d.due = KallelseSipDueFor(c, c.notices.back(), a);
  Judge(d, FirstKallelseSip(c), now, a);
  if (c.notices.size() > 1 && c.notices.front().given) {
    const TimePoint first_due = KallelseSipDueFor(c, c.notices.front(), a);
    const auto met = FirstKallelseSip(c);
    d.note = "counted from the notice in force (" + c.notices.back().event_id + "); for the first "
             "notice (" + c.notices.front().event_id + ") it was " +
             (met && *met <= first_due ? "met"
              : now > first_due        ? "missed"
                                       : "not yet due");
  }
  auto add_note = [&d](const std::string& line) { d.note += (d.note.empty() ? "" : "; ") + line; };
  if (c.sip_required_since && *c.sip_required_since > c.notices.back().sent_at) {
    add_note("the SIP became expected after the notice (assessment stored " +
             FormatStockholmTime(*c.sip_required_since) + "): counted from the assessment");
  }
  for (const auto& flag : KallelseSenderFlags(c)) add_note(flag);
  return d;
}

std::optional<Deadline> InformationTransfer(const CaseState& c, const Agreement& a, TimePoint now) {
  Deadline d{"informationsoverforing", "3 kap. 2 § lag (2017:612)",
             "information transfer (utskrivningsmeddelande) no later than the day of discharge",
             std::nullopt, DeadlineState::kPending, std::nullopt, ""};
  if (c.discharged_at) {
    d.due = calendar::EndOfDay(calendar::StockholmDate(*c.discharged_at));
    Judge(d, c.utskrivningsmeddelande_sent_at, now, a);
    d.note = c.discharge_source == "Utskrivning"
                 ? "discharge time from the discharge itself (Utskrivning)"
                 : "discharge time from the utskrivningsmeddelande (no discharge fact received)";
    if (!c.utskrivningsmeddelande_sent_at && d.state == DeadlineState::kMissed) {
      d.note += "; no utskrivningsmeddelande by the end of the day of discharge";
    }
    return d;
  }
  if (c.estimates.empty()) return std::nullopt;
  // Not discharged yet: the estimate tells when it will be due, provisionally.
  d.due = calendar::EndOfDay(calendar::StockholmDate(c.estimates.back().estimate));
  d.note = "provisional: from the latest estimated discharge time";
  Judge(d, std::nullopt, now, a);
  if (d.state == DeadlineState::kMissed) d.state = DeadlineState::kAtRisk;  // not discharged yet
  return d;
}

void PlanningAnswers(const CaseState& c, const Agreement& a, TimePoint now, std::vector<Deadline>& out) {
  if (!a.planeringsunderlag_answer_deadline) return;
  for (const auto& r : c.planning_requests) {
    Deadline d{"planeringsunderlag-svar:" + r.event_id, "regional routine (" + a.name + ")",
               "planeringsunderlag answered within " +
                   std::to_string(a.planeringsunderlag_answer_deadline->count()) + " h of the request",
               r.sent_at + *a.planeringsunderlag_answer_deadline, DeadlineState::kPending,
               std::nullopt, ""};
    Judge(d, r.answered_at, now, a);
    out.push_back(d);
  }
}

std::optional<Deadline> EstimateChange(const CaseState& c, const Agreement& a, TimePoint now) {
  if (!a.estimate_change_threshold || !c.discharged_at || c.estimates.empty()) return std::nullopt;
  Deadline d{"andrat-utskrivningsdatum", "regional routine (" + a.name + ")",
             "a change of the estimated discharge by more than " +
                 std::to_string(a.estimate_change_threshold->count()) + " h notified before discharge",
             c.discharged_at, DeadlineState::kPending, std::nullopt, ""};
  // The last estimate notified before the discharge is what the kommun planned for.
  const EstimateNotice* last = nullptr;
  for (const auto& e : c.estimates) {
    if (e.notified_at <= *c.discharged_at) last = &e;
  }
  if (!last) {
    d.state = DeadlineState::kMissed;
    d.note = "no estimate was notified before the discharge";
    return d;
  }
  const auto diff = *c.discharged_at > last->estimate ? *c.discharged_at - last->estimate
                                                      : last->estimate - *c.discharged_at;
  if (diff > *a.estimate_change_threshold) {
    d.state = DeadlineState::kMissed;
    d.note = "discharged " + std::to_string(std::chrono::duration_cast<hours>(diff).count()) +
             " h from the last notified estimate";
  } else {
    Judge(d, last->notified_at, now, a);
  }
  return d;
}

}  // namespace

TimePoint KallelseSipDue(const NoticePeriod& notice, const Agreement& a) {
  if (a.sip_kallelse_reading == Agreement::SipKallelseReading::kElapsedHours) {
    return notice.sent_at + hours{24 * a.sip_kallelse_days};
  }
  return EndOfDayAfter(notice.sent_at, a.sip_kallelse_days, a.sip_kallelse_counting, a);
}

bool KallelseSipApplies(const CaseState& c) {
  return c.sip_required && c.samordnad_vardplan == v1::SAMORDNAD_VARDPLAN_NONE;
}

TimePoint KallelseSipDueFor(const CaseState& c, const NoticePeriod& notice, const Agreement& a) {
  if (!c.sip_required_since || *c.sip_required_since <= notice.sent_at) {
    return KallelseSipDue(notice, a);
  }
  NoticePeriod from_assessment = notice;
  from_assessment.sent_at = *c.sip_required_since;
  return KallelseSipDue(from_assessment, a);
}

std::vector<std::string> KallelseSenderFlags(const CaseState& c) {
  std::vector<std::string> out;
  auto hospital = [&c](const std::string& id) {
    return std::find(c.hospital_hsa_ids.begin(), c.hospital_hsa_ids.end(), id) !=
           c.hospital_hsa_ids.end();
  };
  for (const auto& k : c.kallelser) {
    const std::string which = "kallelse " + k.event_id;
    if (hospital(k.sender_hsa_id)) {
      out.push_back(which + " was sent by slutenvården (" + k.sender_hsa_id +
                    "), not by the fast vårdkontakt in regionens öppna vård (4 kap. 3 §)");
    } else if (!c.oppen_vard_unit_hsa_id.empty() && k.sender_hsa_id != c.oppen_vard_unit_hsa_id) {
      out.push_back(which + " was sent by " + k.sender_hsa_id + ", not by the öppen vård unit " +
                    c.oppen_vard_unit_hsa_id + " named to appoint the fast vårdkontakt (2 kap. 5 §, "
                    "4 kap. 3 §)");
    }
    if (hospital(k.fast_vardkontakt_hsa_id)) {
      out.push_back(which + " names slutenvården (" + k.fast_vardkontakt_hsa_id +
                    ") as fast vårdkontakt; the law places it in regionens öppna vård (2 kap. 5 §)");
    }
  }
  return out;
}

std::optional<TimePoint> FirstKallelseSip(const CaseState& c) {
  if (c.kallelse_sip_sent.empty()) return std::nullopt;
  return *std::min_element(c.kallelse_sip_sent.begin(), c.kallelse_sip_sent.end());
}

std::string_view DeadlineStateName(DeadlineState state) {
  switch (state) {
    case DeadlineState::kPending: return "pending";
    case DeadlineState::kAtRisk: return "at-risk";
    case DeadlineState::kMet: return "met";
    case DeadlineState::kMissed: return "missed";
  }
  return "unknown";
}

std::vector<Deadline> EvaluateDeadlines(const CaseState& raw, const Agreement& a, TimePoint now) {
  std::optional<CaseState> counted;
  const CaseState& c = CountedCase(raw, a, counted);
  std::vector<Deadline> out;
  if (c.status == CaseStatus::kCancelled) return out;  // a void case has no deadlines
  out.push_back(Inskrivning(c, a, now));
  if (auto d = KallelseSip(c, a, now)) out.push_back(*d);
  if (auto d = InformationTransfer(c, a, now)) out.push_back(*d);
  PlanningAnswers(c, a, now, out);
  if (auto d = EstimateChange(c, a, now)) out.push_back(*d);
  return out;
}

const Deadline* FindDeadline(const std::vector<Deadline>& deadlines, std::string_view id) {
  for (const auto& d : deadlines) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

}  // namespace slussen
