#include "cases/case_state.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/time_format.h"
#include "common/timestamp.h"
#include "wire/event_kind.h"

namespace slussen {
namespace {

std::string KindName(const v1::Envelope& env) {
  const auto kind = KindOf(env);
  return kind ? std::string(EventKindName(*kind)) : "Unknown";
}

bool Before(const CaseEvent* a, const CaseEvent* b) {
  const auto ta = ToTimePoint(a->envelope.occurred_at());
  const auto tb = ToTimePoint(b->envelope.occurred_at());
  if (ta != tb) return ta < tb;
  return a->stored_at < b->stored_at;
}

// The open notice, if any (the last one not yet ended).
NoticePeriod* OpenNotice(CaseState& c) {
  if (c.notices.empty() || c.notices.back().ended_at) return nullptr;
  return &c.notices.back();
}

void AddHospitalId(CaseState& c, const std::string& hsa_id) {
  if (!hsa_id.empty() &&
      std::find(c.hospital_hsa_ids.begin(), c.hospital_hsa_ids.end(), hsa_id) == c.hospital_hsa_ids.end()) {
    c.hospital_hsa_ids.push_back(hsa_id);
  }
}

// A new SIP assessment comes into force (4 kap. 1 §). Only a SipBedomning that turns the SIP
// from not expected to expected starts a later count for the kallelse: the
// inskrivningsmeddelande's assessment is the original one, counted from the notice as the law
// says, even when the message itself came after the notice.
void Assess(CaseState& c, SipAssessment a) {
  if (!a.sip_expected || a.kind == "Inskrivningsmeddelande") {
    c.sip_required_since.reset();
  } else if (!c.sip_required) {
    c.sip_required_since = a.at;
  }
  c.sip_required = a.sip_expected;
  c.samordnad_vardplan = a.samordnad_vardplan;
  c.sip_assessments.push_back(std::move(a));
}

// The discharge, from its own fact (`fact`) or from the utskrivningsmeddelande. The fact takes
// precedence whichever arrives first; the notice period it ends ends at the fact's time.
void Discharge(CaseState& c, TimePoint at, bool fact) {
  if (!fact && c.discharge_fact_at) return;  // the fact stands; the disagreement is noted later
  c.discharged_at = at;
  c.discharge_source = fact ? "Utskrivning" : "Utskrivningsmeddelande";
  if (NoticePeriod* open = OpenNotice(c)) {
    open->ended_at = at;
    open->ended_by = "discharged";
  } else if (fact && !c.notices.empty() && c.notices.back().ended_by == "discharged") {
    c.notices.back().ended_at = at;  // ended by the utskrivningsmeddelande's time before
  }
  c.status = CaseStatus::kDischarged;
}

void Apply(CaseState& c, const CaseEvent& e) {
  const auto& env = e.envelope;
  const TimePoint occurred = ToTimePoint(env.occurred_at());
  if (env.has_patient()) {
    const bool seen = !c.kommunkod.empty();  // an earlier event named the patient
    if (!seen) c.kommunkod = env.patient().kommunkod();
    const std::string& placing = env.patient().placing_kommunkod();
    if (seen && placing != c.placing_kommunkod) {
      c.notes.push_back(env.event_id() + " names " +
                        (placing.empty() ? std::string("no placing kommun") : "placing kommun " + placing) +
                        " (5 kap. 2 §), where earlier events named " +
                        (c.placing_kommunkod.empty() ? std::string("none") : c.placing_kommunkod) +
                        "; the latest counts");
    }
    c.placing_kommunkod = placing;
    c.sarskilt_boende = env.patient().sarskilt_boende();
  }
  AddHospitalId(c, env.case_id().care_unit_hsa_id());
  switch (env.event_case()) {
    case v1::Envelope::kInskrivningsmeddelande:
    case v1::Envelope::kUtskrivningsklar:
    case v1::Envelope::kUtskrivningsklarWithdrawn:
    case v1::Envelope::kUtskrivningsmeddelande:
    case v1::Envelope::kUtskrivning:
      AddHospitalId(c, env.sender_hsa_id());
      break;
    default:
      break;
  }
  switch (env.event_case()) {
    case v1::Envelope::kInskrivningsmeddelande: {
      const auto& m = env.inskrivningsmeddelande();
      if (c.inskrivning_sent_at) {
        c.notes.push_back("a second inskrivningsmeddelande " + env.event_id() +
                          " without `replaces`; the first one counts for the deadline");
        break;
      }
      c.admitted_at = ToTimePoint(m.admitted_at());
      if (m.has_assessed_at()) c.assessed_at = ToTimePoint(m.assessed_at());
      c.inskrivning_sent_at = e.stored_at;
      c.inskrivning_event_id = env.event_id();
      Assess(c, {env.event_id(), "Inskrivningsmeddelande", e.stored_at, m.sip_expected(),
                 m.samordnad_vardplan(), ""});
      if (!m.oppen_vard_unit_hsa_id().empty()) c.oppen_vard_unit_hsa_id = m.oppen_vard_unit_hsa_id();
      c.care_type = m.care_type();
      if (m.has_estimated_discharge_at()) {
        c.estimates.push_back({e.stored_at, ToTimePoint(m.estimated_discharge_at()), env.event_id()});
      }
      if (c.status == CaseStatus::kOpen) c.status = CaseStatus::kAdmitted;
      break;
    }
    case v1::Envelope::kEstimatedDischargeChanged:
      c.estimates.push_back({e.stored_at,
                             ToTimePoint(env.estimated_discharge_changed().new_estimate()),
                             env.event_id()});
      break;
    case v1::Envelope::kPlaneringsunderlag: {
      const auto& m = env.planeringsunderlag();
      if (m.track() != v1::Planeringsunderlag::TRACK_UNSPECIFIED) {
        c.track = m.track();
        c.track_event_id = env.event_id();
      }
      if (m.direction() == v1::Planeringsunderlag::REQUEST) {
        c.planning_requests.push_back({env.event_id(), e.stored_at, std::nullopt, ""});
        auto& addressed = c.planning_requests.back().addressed;
        addressed.assign(m.addressed_unit_hsa_ids().begin(), m.addressed_unit_hsa_ids().end());
        // On a request, responding_unit_hsa_id names the unit asked to answer (the XML
        // adapters' svarande-enhet-hsa-id): it is addressed too.
        const std::string& asked = m.responding_unit_hsa_id();
        if (!asked.empty() && std::find(addressed.begin(), addressed.end(), asked) == addressed.end()) {
          addressed.push_back(asked);
        }
        if (c.status == CaseStatus::kAdmitted || c.status == CaseStatus::kOpen) {
          c.status = CaseStatus::kPlanning;
        }
      } else {
        auto it = std::find_if(c.planning_requests.begin(), c.planning_requests.end(),
                               [&](const auto& r) { return r.event_id == m.in_reply_to(); });
        if (it == c.planning_requests.end()) {
          c.notes.push_back("planning answer " + env.event_id() + " replies to " +
                            m.in_reply_to() + ", which is not a request of this case");
        } else {
          if (!it->answered_at) {
            it->answered_at = e.stored_at;
            it->answer_event_id = env.event_id();
          }
          const auto& unit = m.responding_unit_hsa_id();
          if (std::none_of(it->answers.begin(), it->answers.end(),
                           [&](const auto& a) { return a.first == unit; })) {
            it->answers.emplace_back(unit, e.stored_at);
          }
        }
      }
      break;
    }
    case v1::Envelope::kUtskrivningsklar: {
      if (OpenNotice(c)) {
        c.notes.push_back("utskrivningsklar " + env.event_id() +
                          " while an earlier notice is still open; the earlier one counts");
        break;
      }
      const auto& m = env.utskrivningsklar();
      NoticePeriod n;
      n.event_id = env.event_id();
      n.sent_at = e.stored_at;
      n.decided_at = ToTimePoint(m.decided_at());
      n.care_type = m.care_type();
      c.notices.push_back(n);
      c.status = CaseStatus::kUtskrivningsklar;
      break;
    }
    case v1::Envelope::kUtskrivningsklarWithdrawn: {
      NoticePeriod* open = OpenNotice(c);
      if (!open) {
        c.notes.push_back("återtagande " + env.event_id() + " with no open utskrivningsklar notice");
        break;
      }
      const auto& withdrawn = env.utskrivningsklar_withdrawn().withdrawn_event_id();
      if (withdrawn != open->event_id) {
        // The open notice is withdrawn all the same: the patient is no longer utskrivningsklar.
        c.notes.push_back("återtagande " + env.event_id() + " names " + withdrawn +
                          ", but the open notice is " + open->event_id);
      }
      open->ended_at = occurred;
      open->ended_by = "withdrawn";
      c.status = CaseStatus::kWithdrawn;
      break;
    }
    case v1::Envelope::kKallelseSip:
      c.kallelse_sip_sent.push_back(e.stored_at);
      c.kallelser.push_back({env.event_id(), e.stored_at, env.sender_hsa_id(),
                             env.kallelse_sip().fast_vardkontakt_hsa_id()});
      break;
    case v1::Envelope::kUtskrivningsmeddelande: {
      c.utskrivningsmeddelande_discharged_at =
          ToTimePoint(env.utskrivningsmeddelande().discharged_at());
      c.utskrivningsmeddelande_sent_at = e.stored_at;
      Discharge(c, *c.utskrivningsmeddelande_discharged_at, false);
      break;
    }
    case v1::Envelope::kUtskrivning: {
      if (c.discharge_fact_at) {
        c.notes.push_back("a second discharge (Utskrivning) " + env.event_id() +
                          " without `replaces`; the first one counts");
        break;
      }
      c.discharge_fact_at = ToTimePoint(env.utskrivning().discharged_at());
      Discharge(c, *c.discharge_fact_at, true);
      break;
    }
    case v1::Envelope::kSipBedomning: {
      const auto& m = env.sip_bedomning();
      Assess(c, {env.event_id(), "SipBedomning", e.stored_at, m.sip_expected(),
                 m.samordnad_vardplan(), m.reason()});
      if (!m.oppen_vard_unit_hsa_id().empty()) c.oppen_vard_unit_hsa_id = m.oppen_vard_unit_hsa_id();
      break;
    }
    case v1::Envelope::kClockStopper: {
      const auto& m = env.clock_stopper();
      const bool open = !c.pauses.empty() && !c.pauses.back().until;
      if (m.action() == v1::ClockStopper::START && open) {
        // One pause at a time: a second START continues the open one, and the next END ends it.
        c.notes.push_back("clock stopper START " + env.event_id() + " while the pause since " +
                          FormatStockholmTime(c.pauses.back().from) +
                          " is open: that pause continues");
      } else if (m.action() == v1::ClockStopper::START) {
        c.pauses.push_back({occurred, std::nullopt, m.reason()});
      } else if (!c.pauses.empty() && !c.pauses.back().until) {
        c.pauses.back().until = occurred;
      } else {
        c.notes.push_back("clock stopper END " + env.event_id() + " without a START");
      }
      break;
    }
    case v1::Envelope::kReceipt:
    case v1::Envelope::kCancellation:
    case v1::Envelope::EVENT_NOT_SET:
      break;  // handled before the fold
  }
}

}  // namespace

TimePoint ToTimePoint(const google::protobuf::Timestamp& ts) { return TimestampToTimePoint(ts); }

std::string KommunDestinationId(std::string_view kommunkod) {
  return "kommun-" + std::string(kommunkod);
}

const std::string& PayingKommun(const CaseState& c) {
  return c.placing_kommunkod.empty() ? c.kommunkod : c.placing_kommunkod;
}

std::string_view TrackName(v1::Planeringsunderlag::Track track) {
  switch (track) {
    case v1::Planeringsunderlag::GRONT: return "grönt";
    case v1::Planeringsunderlag::GULT: return "gult";
    case v1::Planeringsunderlag::RODT: return "rött";
    default: return "";
  }
}

std::vector<RedTrackChange> FindRedTrackChanges(const std::vector<CaseEvent>& events,
                                                const CaseEvent* extra) {
  using Pu = v1::Planeringsunderlag;
  // Most cases never reach the red track: one pass decides that, with no sort (every fold runs
  // this).
  auto red = [](const CaseEvent& e) {
    return e.envelope.has_planeringsunderlag() && e.envelope.planeringsunderlag().track() == Pu::RODT;
  };
  if (std::none_of(events.begin(), events.end(), red) && !(extra && red(*extra))) return {};
  std::vector<const CaseEvent*> order;
  order.reserve(events.size() + 1);
  for (const auto& e : events) order.push_back(&e);
  // Changes happen in the order the hub learns of them.
  std::stable_sort(order.begin(), order.end(),
                   [](const CaseEvent* a, const CaseEvent* b) { return a->stored_at < b->stored_at; });
  if (extra) order.push_back(extra);
  std::vector<RedTrackChange> out;
  std::string red_id;  // the planeringsunderlag in force that led to the red track
  for (const CaseEvent* e : order) {
    const auto& env = e->envelope;
    const bool saebo = env.has_patient() && env.patient().sarskilt_boende();
    const Pu::Track track = env.has_planeringsunderlag() ? env.planeringsunderlag().track()
                                                         : Pu::TRACK_UNSPECIFIED;
    std::string what;
    if (!red_id.empty()) {
      if (env.has_cancellation() && env.cancellation().cancelled_event_id() == red_id) {
        what = "makulering of the planeringsunderlag " + red_id + " that led to the red track";
      } else if (env.has_planeringsunderlag() && env.replaces() == red_id && track != Pu::RODT) {
        what = "correction of the planeringsunderlag " + red_id + " that led to the red track, to " +
               (track == Pu::TRACK_UNSPECIFIED ? std::string("no track")
                                               : std::string(TrackName(track)) + " spår");
      } else if (track != Pu::TRACK_UNSPECIFIED && track != Pu::RODT) {
        what = "a planeringsunderlag naming " + std::string(TrackName(track)) +
               " spår after " + red_id + " led to the red track";
      }
    }
    if (!what.empty()) {
      // SÄBO residents are the routine's exception: their change is allowed.
      if (!saebo) out.push_back({env.event_id(), e->stored_at, red_id, what});
      red_id.clear();
    }
    if (track == Pu::RODT && (red_id.empty() || env.replaces() == red_id)) red_id = env.event_id();
  }
  return out;
}

std::string_view CaseStatusName(CaseStatus status) {
  switch (status) {
    case CaseStatus::kOpen: return "open";
    case CaseStatus::kAdmitted: return "admitted";
    case CaseStatus::kPlanning: return "planning";
    case CaseStatus::kUtskrivningsklar: return "utskrivningsklar";
    case CaseStatus::kWithdrawn: return "withdrawn";
    case CaseStatus::kDischarged: return "discharged";
    case CaseStatus::kCancelled: return "cancelled";
  }
  return "unknown";
}

CaseState BuildCase(const std::string& case_id, const std::vector<CaseEvent>& events) {
  CaseState c;
  c.case_id = case_id;

  std::map<std::string, const CaseEvent*> by_id;
  for (const auto& e : events) by_id[e.envelope.event_id()] = &e;

  // Corrections and cancellations first: they decide which events count.
  std::map<std::string, std::string> superseded_by, cancelled_by;
  bool whole_case_cancelled = false;
  for (const auto& e : events) {
    const auto& env = e.envelope;
    if (!env.replaces().empty()) {
      if (by_id.count(env.replaces()) == 0) {
        c.notes.push_back(env.event_id() + " corrects " + env.replaces() +
                          ", which the hub has not received (yet)");
      }
      superseded_by[env.replaces()] = env.event_id();
    }
    if (env.has_cancellation()) {
      const auto& target = env.cancellation().cancelled_event_id();
      if (target.empty()) {
        whole_case_cancelled = true;
      } else {
        if (by_id.count(target) == 0) {
          c.notes.push_back("makulering " + env.event_id() + " of " + target +
                            ", which the hub has not received (yet)");
        }
        cancelled_by[target] = env.event_id();
      }
    }
  }

  std::vector<const CaseEvent*> ordered;
  for (const auto& e : events) ordered.push_back(&e);
  std::stable_sort(ordered.begin(), ordered.end(), Before);

  // Arrival order differing from occurrence order is legal but worth showing.
  TimePoint latest_stored{};
  for (const auto* e : ordered) {
    const auto& env = e->envelope;
    CaseEventSummary s;
    s.event_id = env.event_id();
    s.kind = KindName(env);
    s.occurred_at = ToTimePoint(env.occurred_at());
    s.stored_at = e->stored_at;
    if (env.has_source_sent_at()) s.source_sent_at = ToTimePoint(env.source_sent_at());
    s.replaces = env.replaces();
    if (auto it = superseded_by.find(s.event_id); it != superseded_by.end()) s.superseded_by = it->second;
    if (auto it = cancelled_by.find(s.event_id); it != cancelled_by.end()) s.cancelled_by = it->second;
    c.events.push_back(s);
    if (e->stored_at < latest_stored) {
      c.notes.push_back(s.kind + " " + s.event_id +
                        " arrived before an event that happened earlier (out of order)");
    }
    latest_stored = std::max(latest_stored, e->stored_at);
  }

  // A correction does not re-send a message for the law's deadlines: what was sent in time stays
  // sent in time. Every "sent" time is therefore the first stored time of its correction chain.
  // The event and the ones it corrects, back to the first (a malformed chain may loop).
  auto chain = [&](const CaseEvent& e) {
    std::vector<const CaseEvent*> out{&e};
    std::set<std::string> seen{e.envelope.event_id()};
    for (std::string prev = e.envelope.replaces(); !prev.empty() && seen.insert(prev).second;) {
      auto it = by_id.find(prev);
      if (it == by_id.end()) break;
      out.push_back(it->second);
      prev = it->second->envelope.replaces();
    }
    return out;
  };
  auto first_sent = [&](const CaseEvent& e) {
    TimePoint first = e.stored_at;
    for (const CaseEvent* link : chain(e)) first = std::min(first, link->stored_at);
    return first;
  };

  // Per notice in force: the ids of its chain, for the receipts once they are all known.
  std::vector<std::vector<std::string>> notice_chains;

  for (const auto* e : ordered) {
    const auto& env = e->envelope;
    const auto& id = env.event_id();
    if (env.has_receipt()) {
      const auto& r = env.receipt();
      const auto acknowledged = by_id.find(r.acknowledged_event_id());
      ReceiptRecord record{id, r.acknowledged_event_id(), r.receiving_system(),
                           r.external_ack_id(), ToTimePoint(r.received_at()), e->stored_at,
                           acknowledged != by_id.end()};
      // A receipt is the receiving system's word; the hub's own record bounds it. Refusing it
      // would lose a genuine receipt from a system whose clock runs a little behind (and send a
      // needless fallback letter); recorded as the claimed time, a wrong one would put a
      // "received" before "sent" into the evidence. So it is kept, clamped and flagged. Folded
      // from all events, this also holds for receipts stored before the rule existed and for
      // a receipt that arrived before its event.
      if (acknowledged != by_id.end() && record.received_at < acknowledged->second->stored_at) {
        record.claimed_received_at = record.received_at;
        record.received_at = acknowledged->second->stored_at;
        c.notes.push_back("receipt " + id + " claims " + r.acknowledged_event_id() +
                          " was received before the hub stored it; recorded as received when "
                          "it was stored");
      }
      c.receipts.push_back(std::move(record));
      continue;
    }
    if (env.has_cancellation() || superseded_by.count(id) || cancelled_by.count(id)) continue;
    CaseEvent effective{env, first_sent(*e)};
    Apply(c, effective);
    if (env.has_inskrivningsmeddelande() || env.has_utskrivningsklar() || env.has_kallelse_sip()) {
      NoticeTimes t;
      t.event_id = id;
      t.kind = KindName(env);
      t.stored_at = effective.stored_at;
      t.kommun_destination = KommunDestinationId(env.patient().kommunkod());
      auto earliest = [](std::optional<TimePoint>& into, std::optional<TimePoint> v) {
        if (v && (!into || *v < *into)) into = v;
      };
      std::vector<std::string> ids;
      for (const CaseEvent* link : chain(*e)) {
        ids.push_back(link->envelope.event_id());
        if (link->envelope.has_source_sent_at()) {
          earliest(t.source_sent_at, ToTimePoint(link->envelope.source_sent_at()));
        }
        earliest(t.delivered_at, link->kommun_delivered_at);
      }
      c.notice_times.push_back(std::move(t));
      notice_chains.push_back(std::move(ids));
    }
  }
  // A receipt from the notice's kommun for any event of its chain (clamped above: never before
  // the hub stored what it acknowledges).
  for (std::size_t i = 0; i < c.notice_times.size(); ++i) {
    NoticeTimes& t = c.notice_times[i];
    for (const auto& r : c.receipts) {
      if (r.receiving_system != t.kommun_destination) continue;
      const auto& ids = notice_chains[i];
      if (std::find(ids.begin(), ids.end(), r.acknowledged_event_id) == ids.end()) continue;
      if (!t.receipted_at || r.received_at < *t.receipted_at) t.receipted_at = r.received_at;
    }
  }
  for (const auto& r : c.receipts) {
    if (!r.matched) {
      c.notes.push_back("receipt " + r.receipt_event_id + " acknowledges " +
                        r.acknowledged_event_id + ", which the hub has not received (yet)");
    }
  }
  if (c.discharge_fact_at && c.utskrivningsmeddelande_discharged_at &&
      *c.discharge_fact_at != *c.utskrivningsmeddelande_discharged_at) {
    c.notes.push_back("the utskrivningsmeddelande gives the discharge as " +
                      FormatStockholmTime(*c.utskrivningsmeddelande_discharged_at) +
                      ", the discharge itself (Utskrivning) as " +
                      FormatStockholmTime(*c.discharge_fact_at) + ": the latter counts");
  }
  c.red_track_changes = FindRedTrackChanges(events);
  if (whole_case_cancelled) c.status = CaseStatus::kCancelled;
  return c;
}

}  // namespace slussen
