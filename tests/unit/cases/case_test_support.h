#pragma once
// Shared by case_scenarios_test.cc and case_state_test.cc: a timeline builder for one case with
// Stockholm local times (calendar::FromStockholm, so every DST offset is explicit in the test),
// the shipped agreements, and readable views of the case logic's results. No clock is read
// anywhere: every `now` is passed in by the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cases/agreement.h"
#include "config/agreement_loader.h"
#include "cases/case_state.h"
#include "cases/deadlines.h"
#include "cases/liability.h"
#include "common/swedish_calendar.h"
#include "testing/files.h"
#include "testing/test_envelopes.h"

namespace slussen::casetest {

using calendar::Date;
using testing::SourceDir;
using testing::Ts;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

inline Date D(std::string_view s) {
  const std::optional<Date> d = calendar::ParseDate(s);
  if (!d) throw std::invalid_argument("bad test date " + std::string(s));
  return *d;
}

// Stockholm wall-clock time (CET or CEST, whichever is in force on that date and time).
inline TimePoint L(std::string_view date, int hh, int mm, int ss = 0) {
  return calendar::FromStockholm(D(date), hours{hh} + minutes{mm}) + seconds{ss};
}

// UTC, to pin down what a local time is.
inline TimePoint Utc(std::string_view date, int hh, int mm) {
  return std::chrono::sys_days{D(date)} + hours{hh} + minutes{mm};
}

inline std::string Local(TimePoint t) {
  const auto lt = calendar::ToStockholm(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d UTC+%d", calendar::FormatDate(lt.date).c_str(),
                static_cast<int>(lt.time_of_day.count() / 60),
                static_cast<int>(lt.time_of_day.count() % 60),
                static_cast<int>(lt.utc_offset.count() / 60));
  return buf;
}

// What an inskrivningsmeddelande says besides the admission time, set by chaining:
// InskOptions().Sip().Estimate(t).
struct InskOptions {
  bool sip = false;
  v1::CareType care = v1::SOMATIC;
  std::optional<TimePoint> estimate;
  std::optional<TimePoint> assessed;
  std::string replaces;

  InskOptions& Sip(bool v = true) { sip = v; return *this; }
  InskOptions& Care(v1::CareType v) { care = v; return *this; }
  InskOptions& Estimate(TimePoint v) { estimate = v; return *this; }
  InskOptions& Assessed(std::optional<TimePoint> v) { assessed = v; return *this; }
  InskOptions& Replaces(std::string v) { replaces = std::move(v); return *this; }
};

// The events of one case, each with the time it happened (occurred_at) and the time the hub
// stored it (stored_at: what counts as "sent").
class Timeline {
 public:
  explicit Timeline(std::string kommunkod = "1380") : kommunkod_(std::move(kommunkod)) {}

  Timeline& Inskrivning(const std::string& id, TimePoint admitted, TimePoint stored,
                        const InskOptions& o = InskOptions()) {
    auto& env = Add(id, o.assessed ? *o.assessed : admitted, stored);
    env.set_replaces(o.replaces);
    auto* m = env.mutable_inskrivningsmeddelande();
    *m->mutable_admitted_at() = Ts(admitted);
    if (o.assessed) *m->mutable_assessed_at() = Ts(*o.assessed);
    if (o.estimate) *m->mutable_estimated_discharge_at() = Ts(*o.estimate);
    m->set_care_type(o.care);
    m->set_sip_expected(o.sip);
    m->mutable_name()->set_given_name("Test");
    m->mutable_name()->set_family_name("Testsson");
    return *this;
  }
  Timeline& EstimateChanged(const std::string& id, TimePoint new_estimate, TimePoint stored) {
    auto& env = Add(id, stored - minutes{1}, stored);
    *env.mutable_estimated_discharge_changed()->mutable_new_estimate() = Ts(new_estimate);
    return *this;
  }
  Timeline& PlanningRequest(const std::string& id, TimePoint stored) {
    auto& env = Add(id, stored - minutes{1}, stored);
    env.mutable_planeringsunderlag()->set_direction(v1::Planeringsunderlag::REQUEST);
    return *this;
  }
  Timeline& PlanningAnswer(const std::string& id, const std::string& request, TimePoint stored) {
    auto& env = Add(id, stored - minutes{1}, stored);
    env.mutable_planeringsunderlag()->set_direction(v1::Planeringsunderlag::ANSWER);
    env.mutable_planeringsunderlag()->set_in_reply_to(request);
    return *this;
  }
  // The physician decided 5 minutes before the notice was stored (sent).
  Timeline& Utskrivningsklar(const std::string& id, TimePoint stored,
                             v1::CareType care = v1::SOMATIC, const std::string& replaces = "") {
    auto& env = Add(id, stored - minutes{5}, stored);
    env.set_replaces(replaces);
    *env.mutable_utskrivningsklar()->mutable_decided_at() = Ts(stored - minutes{5});
    env.mutable_utskrivningsklar()->set_care_type(care);
    return *this;
  }
  Timeline& Withdrawn(const std::string& id, const std::string& notice, TimePoint occurred) {
    auto& env = Add(id, occurred, occurred + minutes{1});
    env.mutable_utskrivningsklar_withdrawn()->set_withdrawn_event_id(notice);
    env.mutable_utskrivningsklar_withdrawn()->set_reason("försämrad");
    return *this;
  }
  Timeline& Kallelse(const std::string& id, TimePoint stored) {
    auto& env = Add(id, stored - minutes{1}, stored);
    *env.mutable_kallelse_sip()->mutable_meeting_at() = Ts(stored + hours{48});
    return *this;
  }
  // The utskrivningsmeddelande, by default stored 5 minutes after the discharge.
  Timeline& Utskrivning(const std::string& id, TimePoint discharged,
                        std::optional<TimePoint> stored = std::nullopt,
                        const std::string& replaces = "") {
    const TimePoint s = stored ? *stored : discharged + minutes{5};
    auto& env = Add(id, std::min(discharged, s), s);
    env.set_replaces(replaces);
    *env.mutable_utskrivningsmeddelande()->mutable_discharged_at() = Ts(discharged);
    return *this;
  }
  Timeline& Receipt(const std::string& id, const std::string& acknowledged, TimePoint received,
                    TimePoint stored) {
    auto& env = Add(id, received, stored);
    auto* r = env.mutable_receipt();
    r->set_acknowledged_event_id(acknowledged);
    r->set_receiving_system("kommun-" + kommunkod_);
    r->set_external_ack_id("ack-" + id);
    *r->mutable_received_at() = Ts(received);
    return *this;
  }
  // Makulering of one event, or of the whole case when `target` is empty.
  Timeline& Cancellation(const std::string& id, const std::string& target, TimePoint stored) {
    auto& env = Add(id, stored - minutes{1}, stored);
    env.mutable_cancellation()->set_cancelled_event_id(target);
    env.mutable_cancellation()->set_reason("felregistrering");
    return *this;
  }
  Timeline& ClockStopper(const std::string& id, v1::ClockStopper::Action action,
                         TimePoint occurred) {
    auto& env = Add(id, occurred, occurred + minutes{1});
    env.mutable_clock_stopper()->set_action(action);
    env.mutable_clock_stopper()->set_reason("insatser från regionens öppna vård inte tillgängliga");
    return *this;
  }

  // Changes when the hub stored an already added event (for arrival-order scenarios).
  Timeline& StoredAt(const std::string& id, TimePoint stored) {
    for (auto& e : events_) {
      if (e.envelope.event_id() == id) {
        e.stored_at = stored;
        return *this;
      }
    }
    throw std::invalid_argument("no event " + id);
  }
  // The events stored no later than `t`: what the hub has at that moment.
  Timeline StoredBy(TimePoint t) const {
    Timeline out(kommunkod_);
    for (const auto& e : events_) {
      if (e.stored_at <= t) out.events_.push_back(e);
    }
    return out;
  }
  Timeline Without(const std::string& id) const {
    Timeline out(kommunkod_);
    for (const auto& e : events_) {
      if (e.envelope.event_id() != id) out.events_.push_back(e);
    }
    return out;
  }

  const std::vector<CaseEvent>& events() const { return events_; }
  std::vector<CaseEvent>& mutable_events() { return events_; }

 private:
  // The patient is the test envelopes' (testing/test_envelopes.h), not listed at a vårdcentral.
  v1::Envelope& Add(const std::string& id, TimePoint occurred, TimePoint stored) {
    testing::EnvelopeSpec spec;
    spec.event_id = id;
    spec.care_unit = spec.hospital = "SE2321000131-E1";
    spec.episode = "vt-1";
    spec.kommunkod = kommunkod_;
    spec.listed_vc.clear();
    events_.push_back({testing::EnvelopeHeader(spec, occurred), stored});
    return events_.back().envelope;
  }

  std::string kommunkod_;
  std::vector<CaseEvent> events_;
};

struct Outcome {
  CaseState c;
  std::vector<Deadline> deadlines;
  LiabilityResult liability;
};

inline Outcome Evaluate(const Timeline& t, const Agreement& a, TimePoint now,
                   const std::string& case_id = "vt-1") {
  Outcome o;
  o.c = BuildCase(case_id, t.events());
  o.deadlines = EvaluateDeadlines(o.c, a, now);
  o.liability = ComputeLiability(o.c, o.deadlines, a, now);
  return o;
}

// "absent" when the case has no such deadline.
inline std::string StateOf(const Outcome& o, std::string_view id) {
  const Deadline* d = FindDeadline(o.deadlines, id);
  return d ? std::string(DeadlineStateName(d->state)) : "absent";
}

inline std::vector<std::string> BilledDates(const LiabilityResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.periods) {
    for (const auto& d : p.billed_days) out.push_back(calendar::FormatDate(d.date));
  }
  return out;
}

inline std::vector<std::string> PausedDates(const LiabilityResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.periods) {
    for (const auto& d : p.paused_days) out.push_back(calendar::FormatDate(d));
  }
  return out;
}

inline std::string PreconditionState(LiabilityPrecondition::State s) {
  switch (s) {
    case LiabilityPrecondition::State::kMet: return "met";
    case LiabilityPrecondition::State::kFailed: return "failed";
    case LiabilityPrecondition::State::kNotYetKnown: return "not-yet-known";
  }
  return "?";
}

// The precondition whose rule mentions `paragraph` (e.g. "4 kap. 3 §"), or nullptr.
inline const LiabilityPrecondition* Precondition(const LiabilityResult& r, std::string_view paragraph) {
  for (const auto& p : r.preconditions) {
    if (p.rule.find(paragraph) != std::string::npos) return &p;
  }
  return nullptr;
}

// Everything that decides money and deadlines, as text, so that two runs can be compared and a
// difference prints readably. met_at is left out on request (it is the stored time of the
// fulfilling message, which arrival-order scenarios change on purpose).
inline std::string Decisions(const Outcome& o, bool with_met_at = true) {
  std::ostringstream s;
  s << "status " << CaseStatusName(o.c.status) << "\n";
  for (const auto& d : o.deadlines) {
    s << "deadline " << d.id << " " << DeadlineStateName(d.state) << " due "
      << (d.due ? Local(*d.due) : "-");
    if (with_met_at) s << " met_at " << (d.met_at ? Local(*d.met_at) : "-");
    s << "\n";
  }
  const auto& r = o.liability;
  s << "liable " << r.liable << " provisional " << r.provisional << " days " << r.total_days
    << " kr " << r.total_amount_kr << "\n";
  for (const auto& p : r.preconditions) s << "pre " << p.rule << " " << PreconditionState(p.state) << "\n";
  for (const auto& p : r.periods) {
    s << "period " << p.notice_event_id << " first " << calendar::FormatDate(p.first_billable_day)
      << " ended_by '" << p.ended_by << "' billed";
    for (const auto& d : p.billed_days) s << " " << calendar::FormatDate(d.date) << "=" << d.amount_kr;
    s << " paused";
    for (const auto& d : p.paused_days) s << " " << calendar::FormatDate(d);
    s << "\n";
  }
  return s.str();
}

inline bool AnyNoteContains(const std::vector<std::string>& notes, std::string_view text) {
  for (const auto& n : notes) {
    if (n.find(text) != std::string::npos) return true;
  }
  return false;
}

inline std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "  " + x + "\n";
  return s;
}

inline Agreement MustLoad(const std::string& path) {
  auto a = LoadAgreement(path);
  if (!a.ok()) throw std::runtime_error("cannot load agreement: " + a.error());
  return *a;
}

inline Agreement Shipped(const char* name) {
  return MustLoad((SourceDir() / "config" / "agreements" / name).string());
}

// The law's own parameters (config/agreements/lag-2017-612.xml), loaded once per test binary.
inline const Agreement& Law() {
  static const Agreement a = Shipped("lag-2017-612.xml");
  return a;
}

}  // namespace slussen::casetest
