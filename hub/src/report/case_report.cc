#include "report/case_report.h"

#include <algorithm>
#include <sstream>

#include "cases/notice_times.h"
#include "common/swedish_calendar.h"
#include "common/time_format.h"

namespace slussen {
namespace {

using nlohmann::json;

// One destination of one event: its delivery (if the caller knows of one) and the first receipt
// from that receiving system (if any arrived).
struct DestinationRow {
  std::string destination;
  std::optional<TimePoint> delivered_at;
  const ReceiptRecord* receipt = nullptr;
  const DeliveryRecord* delivery = nullptr;  // the outbox row, if the caller knows of one
};

std::vector<DestinationRow> DestinationsOf(const CaseState& c, const std::string& event_id,
                                           const std::vector<DeliveryRecord>& deliveries) {
  std::vector<DestinationRow> rows;
  for (const auto& d : deliveries) {
    if (d.event_id != event_id) continue;
    auto it = std::find_if(rows.begin(), rows.end(),
                           [&](const auto& r) { return r.destination == d.destination; });
    if (it == rows.end()) {
      rows.push_back({d.destination, d.delivered_at, nullptr, &d});
    } else if (d.delivered_at && (!it->delivered_at || *d.delivered_at < *it->delivered_at)) {
      it->delivered_at = d.delivered_at;
    }
  }
  // Receipts in the order the hub stored them: the first one per receiving system is the proof.
  std::vector<const ReceiptRecord*> receipts;
  for (const auto& r : c.receipts) {
    if (r.acknowledged_event_id == event_id) receipts.push_back(&r);
  }
  std::stable_sort(receipts.begin(), receipts.end(),
                   [](const auto* a, const auto* b) { return a->stored_at < b->stored_at; });
  for (const auto* r : receipts) {
    auto it = std::find_if(rows.begin(), rows.end(),
                           [&](const auto& row) { return row.destination == r->receiving_system; });
    if (it == rows.end()) {
      rows.push_back({r->receiving_system, std::nullopt, r, nullptr});
    } else if (!it->receipt) {
      it->receipt = r;
    }
  }
  return rows;
}

json Time(const std::optional<TimePoint>& t) {
  return t ? json(FormatStockholmTime(*t)) : json(nullptr);
}
json Text(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string_view PreconditionStateName(LiabilityPrecondition::State s) {
  switch (s) {
    case LiabilityPrecondition::State::kMet: return "met";
    case LiabilityPrecondition::State::kFailed: return "failed";
    case LiabilityPrecondition::State::kNotYetKnown: return "not-yet-known";
  }
  return "unknown";
}

std::string SamordnadVardplanName(v1::SamordnadVardplan v) {
  switch (v) {
    case v1::SAMORDNAD_VARDPLAN_LPT: return "LPT 7 a §";
    case v1::SAMORDNAD_VARDPLAN_LRV: return "LRV 12 a §";
    default: return "none";
  }
}

json ReceiptJson(const ReceiptRecord& r) {
  return json{{"receipt_event_id", r.receipt_event_id},
              {"receiving_system", r.receiving_system},
              {"external_ack_id", Text(r.external_ack_id)},
              {"received_at", FormatStockholmTime(r.received_at)},
              // A receipt time before the event was stored is recorded as the stored time;
              // what the receipt claimed stays visible here.
              {"claimed_received_at", Time(r.claimed_received_at)},
              {"stored_at", FormatStockholmTime(r.stored_at)}};
}

// ---- plain text helpers -------------------------------------------------------------------

// Display width: UTF-8 code points (åäö are one column each).
std::size_t Width(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

std::string Pad(std::string_view s, std::size_t width) {
  std::string out(s);
  const std::size_t w = Width(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

// The table shows whole seconds so that its columns line up; the JSON keeps the stored precision.
std::string TableTime(TimePoint t) {
  return FormatStockholmTime(std::chrono::floor<std::chrono::seconds>(t));
}

std::string TimeText(const std::optional<TimePoint>& t) {
  return t ? TableTime(*t) : std::string("-");
}

// 21000 -> "21 000 kr"
std::string Kr(int64_t amount) {
  std::string digits = std::to_string(amount < 0 ? -amount : amount);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return (amount < 0 ? "-" : "") + out + " kr";
}

std::string_view SentTimeName(Agreement::SentTime t) {
  return t == Agreement::SentTime::kSource ? "source" : "stored";
}

std::string_view NotifiedWhenName(Agreement::NotifiedWhen w) {
  switch (w) {
    case Agreement::NotifiedWhen::kDelivered: return "delivered";
    case Agreement::NotifiedWhen::kReceipted: return "receipted";
    case Agreement::NotifiedWhen::kStored: break;
  }
  return "stored";
}

// Issue 15 items 4-5: every time of each 5 kap. 3 § notice, the one the agreement applied, and
// whether the source and stored times diverge enough to look at.
json NoticeTimesJson(const CaseState& c, const Agreement& a) {
  json notices = json::array();
  for (const auto& t : c.notice_times) {
    const std::string divergence = SourceTimeDivergence(t, a);
    notices.push_back(json{{"event_id", t.event_id},
                           {"kind", t.kind},
                           {"kommun_destination", t.kommun_destination},
                           {"stored_at", FormatStockholmTime(t.stored_at)},
                           {"source_sent_at", Time(t.source_sent_at)},
                           {"delivered_at", Time(t.delivered_at)},
                           {"receipted_at", Time(t.receipted_at)},
                           {"applied", AppliedTimeName(t, a)},
                           {"applied_at", Time(CountedTime(t, a))},
                           {"divergence", Text(divergence)}});
  }
  return json{{"rule", NoticeRuleText(a)},
              {"sent", SentTimeName(a.sent_time)},
              {"notified", NotifiedWhenName(a.notified_when)},
              {"source_skew_minutes", a.source_time_skew.count()},
              {"notices", std::move(notices)}};
}

}  // namespace

nlohmann::json AgreementReadings(const Agreement& a) {
  json r = json::object();
  if (a.planeringsunderlag_answer_deadline) {
    r["planeringsunderlag_answer_from"] =
        a.planeringsunderlag_from == Agreement::PlaneringsunderlagFrom::kRequest
            ? "request"
            : "inskrivningsmeddelande";
    r["planeringsunderlag_answered_by"] =
        a.planeringsunderlag_answered_by == Agreement::PlaneringsunderlagAnsweredBy::kAny
            ? "any"
            : "each-addressed";
  }
  if (a.estimate_change_threshold) {
    r["estimate_change_counting"] =
        a.estimate_change_counting == Agreement::EstimateChangeCounting::kCalendarDays ? "calendar"
                                                                                      : "elapsed";
  }
  if (a.planning_tracks) {
    r["red_track_change"] =
        a.red_track_change == Agreement::RedTrackChange::kRefuse ? "refuse" : "deviation";
  }
  return r;
}

nlohmann::json CaseReportJson(const CaseState& c, const std::vector<Deadline>& deadlines,
                              const LiabilityResult& liability, const Agreement& agreement,
                              const std::vector<DeliveryRecord>& deliveries, TimePoint now) {
  json report;
  report["case_id"] = c.case_id;
  report["status"] = std::string(CaseStatusName(c.status));
  report["kommunkod"] = Text(c.kommunkod);
  // 5 kap. 2 §: the kommun of folkbokföring above, the placing kommun (a särskild boendeform in
  // another kommun) and the one that pays.
  report["placing_kommunkod"] = Text(c.placing_kommunkod);
  report["paying_kommunkod"] = Text(liability.paying_kommunkod);
  report["sarskilt_boende"] = c.sarskilt_boende;
  // Halland's planning track (samverkansrutin 2022), from the planeringsunderlag that set it.
  report["track"] = Text(std::string(TrackName(c.track)));
  report["track_event_id"] = Text(c.track_event_id);
  report["agreement"] = json{{"id", agreement.id},
                             {"name", agreement.name},
                             {"source", Text(agreement.source_path)},
                             {"source_note", Text(agreement.source_note)},
                             {"readings", AgreementReadings(agreement)}};
  report["generated_at"] = FormatStockholmTime(now);

  json events = json::array();
  for (const auto& e : c.events) {
    json destinations = json::array();
    for (const auto& row : DestinationsOf(c, e.event_id, deliveries)) {
      json dest{{"destination", row.destination},
                {"delivered_at", Time(row.delivered_at)},
                {"receipt", row.receipt ? ReceiptJson(*row.receipt) : json(nullptr)}};
      if (const DeliveryRecord* d = row.delivery) {
        dest["failed_attempts"] = d->attempts;
        dest["last_error"] = Text(d->last_error);
        dest["dead_at"] = Time(d->dead_at);
        dest["receipt_overdue_at"] = Time(d->receipt_overdue_at);
        dest["fallback_to"] = Text(d->fallback_to);
        dest["added_because"] = Text(d->added_because);
        dest["manually_delivered_by"] = Text(d->manual_by);
        dest["manual_delivery_reason"] = Text(d->manual_reason);
        json actions = json::array();
        for (const auto& a : d->operator_actions) {
          actions.push_back(json{{"at", FormatStockholmTime(a.at)},
                                 {"action", a.action},
                                 {"operator", a.operator_id},
                                 {"reason", a.reason}});
        }
        dest["operator_actions"] = std::move(actions);
      }
      destinations.push_back(std::move(dest));
    }
    events.push_back(json{{"event_id", e.event_id},
                          {"kind", e.kind},
                          {"occurred_at", FormatStockholmTime(e.occurred_at)},
                          {"stored_at", FormatStockholmTime(e.stored_at)},
                          {"source_sent_at", Time(e.source_sent_at)},
                          {"replaces", Text(e.replaces)},
                          {"superseded_by", Text(e.superseded_by)},
                          {"cancelled_by", Text(e.cancelled_by)},
                          {"destinations", destinations}});
  }
  report["events"] = events;

  json dl = json::array();
  for (const auto& d : deadlines) {
    dl.push_back(json{{"id", d.id},
                      {"rule", d.rule},
                      {"what", d.what},
                      {"due", Time(d.due)},
                      {"state", std::string(DeadlineStateName(d.state))},
                      {"met_at", Time(d.met_at)},
                      {"note", Text(d.note)}});
  }
  report["deadlines"] = dl;
  report["notice_times"] = NoticeTimesJson(c, agreement);

  json preconditions = json::array();
  for (const auto& p : liability.preconditions) {
    preconditions.push_back(json{{"rule", p.rule},
                                 {"what", p.what},
                                 {"state", std::string(PreconditionStateName(p.state))},
                                 {"detail", Text(p.detail)}});
  }
  json periods = json::array();
  for (const auto& p : liability.periods) {
    json billed = json::array();
    for (const auto& day : p.billed_days) {
      billed.push_back(json{{"date", calendar::FormatDate(day.date)},
                            {"amount_kr", day.amount_kr},
                            {"amount_year", day.amount_year},
                            {"amount_confirmed", day.amount_confirmed}});
    }
    json paused = json::array();
    for (const auto& day : p.paused_days) paused.push_back(calendar::FormatDate(day));
    json period = json{{"notice_event_id", p.notice_event_id},
                           {"sent_at", FormatStockholmTime(p.notice_sent_at)},
                           {"after_cutoff", p.after_cutoff},
                           {"care_type", p.psychiatric ? "psychiatric" : "somatic"},
                           {"free_days", p.free_days},
                           {"first_billable_day", calendar::FormatDate(p.first_billable_day)},
                           {"ended_at", Time(p.ended_at)},
                           {"ended_by", Text(p.ended_by)},
                           {"billed_days", billed},
                           {"paused_days", paused},
                           {"amount_kr", p.amount_kr}};
    if (p.notice_given) {
      period["notice_given"] = json{{"rule", p.notice_given->rule},
                                    {"state", std::string(PreconditionStateName(p.notice_given->state))},
                                    {"detail", Text(p.notice_given->detail)}};
    }
    if (p.kallelse) {
      // 5 kap. 3 § andra stycket for this period: the kallelse counted from its own notice.
      period["kallelse"] = json{{"rule", p.kallelse->rule},
                                {"state", std::string(PreconditionStateName(p.kallelse->state))},
                                {"detail", Text(p.kallelse->detail)}};
    }
    periods.push_back(std::move(period));
  }
  report["liability"] = json{{"model", liability.model},
                             {"rule", liability.rule},
                             {"day_conventions", liability.conventions},
                             {"notice_rule", Text(liability.notice_rule)},
                             {"paying_kommunkod", Text(liability.paying_kommunkod)},
                             {"paying_basis", Text(liability.paying_basis)},
                             {"liable", liability.liable},
                             // Some day is billed at an amount the agreement does not confirm.
                             {"unconfirmed_amounts", liability.unconfirmed_amounts},
                             {"provisional", liability.provisional},
                             {"preconditions", preconditions},
                             {"periods", periods},
                             {"totals", json{{"days", liability.total_days},
                                             {"amount_kr", liability.total_amount_kr}}},
                             {"notes", liability.notes}};
  report["discharge"] = json{{"at", Time(c.discharged_at)},
                             {"source", Text(c.discharge_source)},
                             {"discharge_fact_at", Time(c.discharge_fact_at)},
                             {"utskrivningsmeddelande_says", Time(c.utskrivningsmeddelande_discharged_at)}};
  json sip = json::array();
  for (const auto& s : c.sip_assessments) {
    sip.push_back(json{{"event_id", s.event_id},
                       {"kind", s.kind},
                       {"stored_at", FormatStockholmTime(s.at)},
                       {"sip_expected", s.sip_expected},
                       {"samordnad_vardplan", SamordnadVardplanName(s.samordnad_vardplan)},
                       {"reason", Text(s.reason)}});
  }
  report["sip_assessments"] = std::move(sip);
  report["notes"] = c.notes;
  return report;
}

std::string CaseReportTable(const CaseState& c, const std::vector<Deadline>& deadlines,
                            const LiabilityResult& liability, const Agreement& agreement,
                            const std::vector<DeliveryRecord>& deliveries, TimePoint now) {
  std::ostringstream o;
  constexpr std::size_t kTime = 27;  // "2026-03-30T11:59:00+02:00" and two spaces
  o << "Case " << c.case_id << "\n";
  if (liability.unconfirmed_amounts) {
    o << "WARNING: some days are billed at an amount the agreement does not confirm (marked "
         "UNCONFIRMED below)\n";
  }
  o << "  status        " << CaseStatusName(c.status) << "\n";
  o << "  kommunkod     " << (c.kommunkod.empty() ? "-" : c.kommunkod) << "\n";
  if (!c.placing_kommunkod.empty()) {
    o << "  placed by     " << c.placing_kommunkod << " (särskild boendeform, 5 kap. 2 §)\n";
  }
  if (c.sarskilt_boende) o << "  särskilt boende (SÄBO)\n";
  o << "  paying kommun " << (liability.paying_kommunkod.empty() ? "-" : liability.paying_kommunkod)
    << "\n";
  if (agreement.planning_tracks || c.track != v1::Planeringsunderlag::TRACK_UNSPECIFIED) {
    o << "  track         "
      << (c.track_event_id.empty() ? std::string("-")
                                   : std::string(TrackName(c.track)) + " spår (" + c.track_event_id + ")")
      << "\n";
  }
  o << "  agreement     " << agreement.id << ": " << agreement.name;
  if (!agreement.source_path.empty()) o << " (" << agreement.source_path << ")";
  o << "\n";
  if (const json readings = AgreementReadings(agreement); !readings.empty()) {
    o << "  readings     ";
    for (const auto& [key, value] : readings.items()) o << " " << key << "=" << value.get<std::string>();
    o << "\n";
  }
  o << "  evaluated at  " << TableTime(now) << "\n";
  if (c.discharged_at) {
    o << "  discharged    " << TableTime(*c.discharged_at) << " (from the "
      << c.discharge_source << ")\n";
  }
  for (const auto& s : c.sip_assessments) {
    o << "  SIP           " << (s.sip_expected ? "expected" : "not expected");
    if (s.samordnad_vardplan != v1::SAMORDNAD_VARDPLAN_NONE) {
      o << ", samordnad vårdplan (" << SamordnadVardplanName(s.samordnad_vardplan) << ") instead";
    }
    o << " (" << s.kind << " " << TableTime(s.at);
    if (!s.reason.empty()) o << ": " << s.reason;
    o << ")\n";
  }

  o << "\nEvents, in order of occurrence\n";
  o << "  " << Pad("occurred", kTime) << Pad("stored", kTime) << Pad("kind", 27) << "event id\n";
  if (c.events.empty()) o << "  (none)\n";
  for (const auto& e : c.events) {
    o << "  " << Pad(TableTime(e.occurred_at), kTime)
      << Pad(TableTime(e.stored_at), kTime) << Pad(e.kind, 27) << e.event_id << "\n";
    if (e.source_sent_at) o << "      sent by the source system " << TableTime(*e.source_sent_at) << "\n";
    if (!e.replaces.empty()) o << "      corrects " << e.replaces << "\n";
    if (!e.superseded_by.empty()) o << "      superseded by " << e.superseded_by << "\n";
    if (!e.cancelled_by.empty()) o << "      cancelled by " << e.cancelled_by << "\n";
    for (const auto& row : DestinationsOf(c, e.event_id, deliveries)) {
      o << "      -> " << Pad(row.destination, 30) << "delivered " << Pad(TimeText(row.delivered_at), kTime);
      if (row.receipt) {
        o << "receipt " << TableTime(row.receipt->received_at);
        if (row.receipt->claimed_received_at) {
          o << " (claimed " << TableTime(*row.receipt->claimed_received_at) << ", before it was stored)";
        }
        if (!row.receipt->external_ack_id.empty()) o << " (ack " << row.receipt->external_ack_id << ")";
      } else {
        o << "no receipt";
      }
      o << "\n";
      if (const DeliveryRecord* d = row.delivery) {
        if (!d->added_because.empty()) o << "         sent here because: " << d->added_because << "\n";
        if (d->attempts > 0) {
          o << "         " << d->attempts << " failed attempt(s)";
          if (!d->last_error.empty()) o << "; last: " << d->last_error;
          o << "\n";
        }
        if (d->dead_at) o << "         DEAD since " << TableTime(*d->dead_at) << "\n";
        for (const auto& a : d->operator_actions) {
          o << "         " << TableTime(a.at) << " " << a.action << " by " << a.operator_id
            << ": " << a.reason << "\n";
        }
        if (d->receipt_overdue_at) {
          o << "         receipt missing at " << TableTime(*d->receipt_overdue_at);
          if (!d->fallback_to.empty()) o << "; fell back to " << d->fallback_to;
          o << "\n";
        }
      }
    }
  }

  o << "\nDeadlines\n";
  o << "  " << Pad("state", 10) << Pad("due", kTime) << Pad("met at", kTime) << "deadline\n";
  if (deadlines.empty()) o << "  (none)\n";
  for (const auto& d : deadlines) {
    o << "  " << Pad(DeadlineStateName(d.state), 10) << Pad(TimeText(d.due), kTime)
      << Pad(TimeText(d.met_at), kTime) << d.id << "\n";
    o << "      " << d.what << " [" << d.rule << "]\n";
    if (!d.note.empty()) o << "      note: " << d.note << "\n";
  }

  o << "\nNotice times (5 kap. 3-4 §§)\n";
  o << "  rule: " << NoticeRuleText(agreement) << "\n";
  if (c.notice_times.empty()) o << "  (none)\n";
  for (const auto& t : c.notice_times) {
    o << "  " << Pad(t.kind, 24) << t.event_id << "\n";
    o << "      stored " << TableTime(t.stored_at) << "   source " << TimeText(t.source_sent_at)
      << "\n      delivered to " << t.kommun_destination << " " << TimeText(t.delivered_at)
      << "   receipted " << TimeText(t.receipted_at) << "\n";
    const auto applied = CountedTime(t, agreement);
    o << "      applied: " << AppliedTimeName(t, agreement)
      << (applied ? " " + TableTime(*applied) : std::string()) << "\n";
    if (const std::string d = SourceTimeDivergence(t, agreement); !d.empty()) {
      o << "      DIVERGES: " << d << "\n";
    }
  }

  o << "\nPayment liability (" << liability.model << " model)\n";
  o << "  rule: " << liability.rule << "\n";
  for (const auto& line : liability.conventions) o << "  convention: " << line << "\n";
  if (!liability.paying_basis.empty()) {
    o << "  paying kommun: " << liability.paying_kommunkod << " (" << liability.paying_basis << ")\n";
  }
  if (!liability.preconditions.empty()) o << "  preconditions (5 kap. 3 §):\n";
  for (const auto& p : liability.preconditions) {
    o << "    " << Pad(PreconditionStateName(p.state), 15) << p.what << " [" << p.rule << "]";
    if (!p.detail.empty()) o << ": " << p.detail;
    o << "\n";
  }
  for (const auto& p : liability.periods) {
    o << "  notice " << p.notice_event_id << "\n";
    o << "    sent " << TableTime(p.notice_sent_at)
      << (p.after_cutoff ? " (after the cut-off)" : " (before the cut-off)") << ", "
      << (p.psychiatric ? "psychiatric" : "somatic") << ", " << p.free_days << " free days\n";
    if (p.notice_given) {
      o << "    NOT BILLED: " << p.notice_given->what << ": " << p.notice_given->detail << "\n";
    }
    o << "    first billable day " << calendar::FormatDate(p.first_billable_day) << "; ";
    if (p.ended_at) {
      o << "ended (" << p.ended_by << ") " << TableTime(*p.ended_at) << "\n";
    } else {
      o << "still running\n";
    }
    if (p.billed_days.empty()) {
      o << "    billed: none\n";
    } else {
      o << "    billed:\n";
      for (const auto& day : p.billed_days) {
        o << "      " << calendar::FormatDate(day.date) << "  " << Kr(day.amount_kr)
          << (day.amount_confirmed ? "" : "  UNCONFIRMED (" + std::to_string(day.amount_year) +
                                              "'s amount)")
          << "\n";
      }
    }
    if (!p.paused_days.empty()) {
      o << "    paused (5 kap. 5 §):";
      for (const auto& day : p.paused_days) o << " " << calendar::FormatDate(day);
      o << "\n";
    }
    o << "    amount " << Kr(p.amount_kr) << "\n";
  }
  o << "  total: " << liability.total_days << (liability.total_days == 1 ? " day, " : " days, ")
    << Kr(liability.total_amount_kr) << "; liable: " << (liability.liable ? "yes" : "no")
    << (liability.provisional ? " (provisional)" : "") << "\n";
  for (const auto& n : liability.notes) o << "  note: " << n << "\n";

  if (!c.notes.empty()) {
    o << "\nNotes\n";
    for (const auto& n : c.notes) o << "  - " << n << "\n";
  }
  return o.str();
}

}  // namespace slussen
