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
  if (a.planning_tracks && c.track == v1::Planeringsunderlag::GULT) {
    // Samverkansrutin 2022 [S20]: on the yellow track the SIP meeting is held in the home after
    // discharge. That moves the meeting, not the kallelse: 4 kap. 3 § still counts from the
    // notice, and a meeting after the discharge is no fault.
    d.note = "gult spår: the SIP is held in the home after discharge; the kallelse is due as "
             "4 kap. 3 § says";
  }
  if (c.notices.size() > 1 && c.notices.front().given) {
    const TimePoint first_due = KallelseSipDueFor(c, c.notices.front(), a);
    const auto met = FirstKallelseSip(c);
    d.note += std::string(d.note.empty() ? "" : "; ") + "counted from the notice in force (" +
              c.notices.back().event_id + "); for the first notice (" +
              c.notices.front().event_id + ") it was " +
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

std::string HoursText(std::chrono::hours h) { return std::to_string(h.count()) + " h"; }

// Halland's 48-hour rule, as the agreement reads it (agreement.h): counted from the request or
// from the inskrivningsmeddelande, met by any addressed unit's answer or by each one's.
void PlanningAnswers(const CaseState& c, const Agreement& a, TimePoint now, std::vector<Deadline>& out) {
  if (!a.planeringsunderlag_answer_deadline) return;
  const auto limit = *a.planeringsunderlag_answer_deadline;
  const bool from_insk =
      a.planeringsunderlag_from == Agreement::PlaneringsunderlagFrom::kInskrivningsmeddelande;
  const bool each =
      a.planeringsunderlag_answered_by == Agreement::PlaneringsunderlagAnsweredBy::kEachAddressed;
  for (const auto& r : c.planning_requests) {
    Deadline d{"planeringsunderlag-svar:" + r.event_id, "regional routine (" + a.name + ")",
               "planeringsunderlag answered within " + HoursText(limit) + " of the " +
                   (from_insk ? "inskrivningsmeddelande" : "request") +
                   (each ? ", by each addressed unit" : ", by an addressed unit"),
               r.sent_at + limit, DeadlineState::kPending, std::nullopt, ""};
    if (from_insk && c.inskrivning_sent_at) d.due = *c.inskrivning_sent_at + limit;
    std::optional<TimePoint> met = r.answered_at;
    if (each && !r.addressed.empty()) {
      std::string missing;
      for (const auto& unit : r.addressed) {
        auto it = std::find_if(r.answers.begin(), r.answers.end(),
                               [&](const auto& x) { return x.first == unit; });
        if (it == r.answers.end()) {
          missing += (missing.empty() ? "" : ", ") + unit;
          met.reset();
        } else if (met) {
          met = std::max(*met, it->second);
        }
      }
      if (!missing.empty()) met.reset();
      if (!missing.empty()) d.note = "no answer yet from " + missing;
    }
    Judge(d, met, now, a);
    out.push_back(d);
  }
}

// Halland's ±1 dygn rule (samverkansrutin 2022 [S20]: slutenvården contacts the kommun when the
// beräknat utskrivningsdatum moves earlier or later by more than one dygn), evaluated as time
// passes. A deviation happens
//   - when the estimate in force is passed by more than one dygn with the patient still in
//     hospital and no new estimate notified: dated by that instant;
//   - at a discharge more than one dygn earlier than the latest estimate notified in time for
//     it (at least one dygn before it): dated by the discharge. (A later discharge was already
//     caught as it passed the estimate.)
// Deadline ids: "andrat-utskrivningsdatum" for the first deviation (or, with none, the rule's
// state: pending until the estimate in force is passed, met at a discharge within it), then
// "andrat-utskrivningsdatum:2", ":3", ... in time order.
void EstimateChanges(const CaseState& c, const Agreement& a, TimePoint now, std::vector<Deadline>& out) {
  if (!a.estimate_change_threshold || c.estimates.empty()) return;
  const auto threshold = *a.estimate_change_threshold;
  const bool calendar = a.estimate_change_counting == Agreement::EstimateChangeCounting::kCalendarDays;
  const int days = static_cast<int>(threshold.count() / 24);
  const std::string dygn =
      calendar ? std::to_string(days) + (days == 1 ? " calendar day" : " calendar days")
               : HoursText(threshold);
  auto day_number = [](TimePoint t) { return std::chrono::sys_days(calendar::StockholmDate(t)); };
  // The instant the estimate e is passed by more than the threshold.
  auto passed_at = [&](TimePoint e) {
    return calendar ? calendar::EndOfDay(calendar::AddCalendarDays(calendar::StockholmDate(e), days))
                    : e + threshold;
  };
  // A change notified at n is in time for a discharge at x when it came one dygn ahead.
  auto in_time = [&](TimePoint n, TimePoint x) {
    return calendar ? day_number(n) <= day_number(x) - std::chrono::days(days) : n <= x - threshold;
  };
  auto earlier_by_more = [&](TimePoint x, TimePoint e) {
    return calendar ? day_number(e) - day_number(x) > std::chrono::days(days) : e - x > threshold;
  };
  std::vector<EstimateNotice> estimates = c.estimates;
  std::stable_sort(estimates.begin(), estimates.end(),
                   [](const auto& x, const auto& y) { return x.notified_at < y.notified_at; });

  const std::string rule = "regional routine (" + a.name + "): beräknat utskrivningsdatum moved "
                           "more than one dygn";
  const std::string what = "the kommun is told, at least one dygn (" + dygn + ") ahead, of an "
                           "estimated discharge moved by more than " + dygn;
  std::vector<Deadline> deviations;
  auto deviation = [&](TimePoint at, std::string note) {
    Deadline d{"", rule, what, at, DeadlineState::kMissed, std::nullopt, std::move(note)};
    deviations.push_back(std::move(d));
  };
  const std::optional<TimePoint> discharged = c.discharged_at;
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    const EstimateNotice& e = estimates[i];
    if (discharged && e.notified_at >= *discharged) break;  // in force only after the discharge
    const TimePoint instant = std::max(passed_at(e.estimate), e.notified_at);
    const bool superseded = i + 1 < estimates.size() && estimates[i + 1].notified_at <= instant;
    // Like every deadline (Judge), a deviation from just after the instant.
    if (superseded || instant >= now || (discharged && *discharged <= instant)) continue;
    deviation(instant, "the estimate " + FormatStockholmTime(e.estimate) + " (" + e.event_id +
                           ") was passed by more than " + dygn + " at " + FormatStockholmTime(instant) +
                           " with the patient still in hospital and no new estimate notified");
  }
  std::optional<Deadline> state;
  if (discharged) {
    // The plan the kommun had one dygn ahead: the latest estimate notified in time, else the
    // first one notified before the discharge (a stay too short for any notice to be in time).
    const EstimateNotice* plan = nullptr;
    for (const auto& e : estimates) {
      if (e.notified_at <= *discharged && (!plan || in_time(e.notified_at, *discharged))) plan = &e;
      if (!in_time(e.notified_at, *discharged)) break;
    }
    if (!plan) {
      deviation(*discharged, "no estimate was notified before the discharge");
    } else if (earlier_by_more(*discharged, plan->estimate)) {
      std::string late;
      for (const auto& e : estimates) {
        if (e.notified_at > plan->notified_at && e.notified_at <= *discharged) {
          late = "; the change " + e.event_id + " notified " + FormatStockholmTime(e.notified_at) +
                 " came less than one dygn ahead";
        }
      }
      deviation(*discharged, "discharged " + FormatStockholmTime(*discharged) + ", more than " +
                                 dygn + " before the estimate " + FormatStockholmTime(plan->estimate) +
                                 " (" + plan->event_id + ") the kommun had one dygn ahead" + late);
    } else if (deviations.empty()) {
      Deadline d{"", rule, what, discharged, DeadlineState::kPending, std::nullopt,
                 "discharged within " + dygn + " of the estimate notified in time (" +
                     plan->event_id + ")"};
      Judge(d, plan->notified_at, now, a);
      state = d;
    }
  } else {
    // Still in hospital: due when the estimate in force is passed by more than one dygn.
    const EstimateNotice* in_force = nullptr;
    for (const auto& e : estimates) {
      if (e.notified_at <= now) in_force = &e;
    }
    if (in_force) {
      const TimePoint due = std::max(passed_at(in_force->estimate), in_force->notified_at);
      if (due >= now) {  // else the loop above recorded it passed
        Deadline d{"", rule, what, due, DeadlineState::kPending, std::nullopt,
                   "the estimate in force: " + FormatStockholmTime(in_force->estimate) + " (" +
                       in_force->event_id + ")"};
        Judge(d, std::nullopt, now, a);
        state = d;
      }
    }
  }
  if (state) deviations.push_back(*state);
  for (std::size_t i = 0; i < deviations.size(); ++i) {
    deviations[i].id = i == 0 ? "andrat-utskrivningsdatum"
                              : "andrat-utskrivningsdatum:" + std::to_string(i + 1);
    out.push_back(std::move(deviations[i]));
  }
}

// Halland's red track (samverkansrutin 2022 [S20]): each change of the planeringsunderlag that
// led to it, other than a SÄBO resident's, is a deviation dated by its arrival. With
// red-track-change="refuse" the hub refuses such a change at ingest; one stored all the same
// (before the agreement said so) is shown here too.
void RedTrack(const CaseState& c, const Agreement& a, std::vector<Deadline>& out) {
  if (!a.planning_tracks) return;
  for (const auto& change : c.red_track_changes) {
    out.push_back({"rott-spar-andrat:" + change.event_id,
                   "regional routine (" + a.name + "): rött spår, planeringsunderlag not changed "
                   "(except SÄBO)",
                   "a planeringsunderlag that led to the red track is not changed afterwards, "
                   "except for residents of särskilt boende",
                   change.at, DeadlineState::kMissed, std::nullopt, change.what});
  }
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
  EstimateChanges(c, a, now, out);
  RedTrack(c, a, out);
  return out;
}

const Deadline* FindDeadline(const std::vector<Deadline>& deadlines, std::string_view id) {
  for (const auto& d : deadlines) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

}  // namespace slussen
