#pragma once
// One care episode (vårdtillfälle) under lag 2017:612, as a pure fold over its events.
//
// BuildCase() takes every stored event of a case — in any arrival order, with corrections
// (`replaces`), cancellations (makulering) and receipts mixed in — and returns the case's state.
// Because the state is recomputed from all events, out-of-order arrival (a receipt before its
// event, an utskrivningsklar before the inskrivningsmeddelande) needs no special path: it is
// recorded as a note and the result is the same as had the events arrived in order.
//
// Times: "sent" times are when the hub stored the event (stored_at: what the hub can prove);
// facts such as the discharge or a withdrawal use the time the sender says they happened. The
// notices of 5 kap. 3 § also keep their other times (NoticeTimes: the source system's send time,
// the kommun's acceptance and receipt), from which the agreement may choose another
// (cases/notice_times.h); the fold itself is the same under every agreement.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "slussen/v1/events.pb.h"

namespace slussen {

using TimePoint = std::chrono::system_clock::time_point;

// An event as the case logic sees it.
struct CaseEvent {
  v1::Envelope envelope;
  TimePoint stored_at;  // when the hub committed it (the simulator: its occurred_at)
  // When the kommun's system accepted this event's delivery: the first acceptance by the
  // destination kommun-<kod> of the event's patient.kommunkod (KommunDestinationId), not an
  // operator's record of a delivery by other means. Not part of the event: a fact from the
  // outbox that the caller gathers (the core only for the notices, and only when the agreement
  // counts notices when delivered; the report always). Absent: not delivered, or not gathered.
  std::optional<TimePoint> kommun_delivered_at = {};
};

// The destination id the hub config gives kommun `kommunkod` (config_loader.cc: "kommun-<kod>").
std::string KommunDestinationId(std::string_view kommunkod);

enum class CaseStatus {
  kOpen,              // events seen, but no inskrivningsmeddelande yet
  kAdmitted,          // inskrivningsmeddelande received
  kPlanning,          // a planning request went out
  kUtskrivningsklar,  // notice sent, not withdrawn, not discharged
  kWithdrawn,         // återtagande: no longer utskrivningsklar
  kDischarged,
  kCancelled,         // the whole case was cancelled (makulering)
};
std::string_view CaseStatusName(CaseStatus status);

// One utskrivningsklar notice and how it ended.
struct NoticePeriod {
  std::string event_id;
  TimePoint sent_at;
  TimePoint decided_at;
  v1::CareType care_type = v1::CARE_TYPE_UNSPECIFIED;
  std::optional<TimePoint> ended_at;  // withdrawal or discharge
  std::string ended_by;               // "withdrawn" or "discharged"
  // False when the agreement counts notices when delivered (receipted) and this one has not
  // been (CountedCase): it has not been given, so nothing counts from it yet.
  bool given = true;
};

// The times of one notice of 5 kap. 3 § (inskrivningsmeddelande, utskrivningsklar, kallelse to
// SIP), from which the agreement chooses the one it counts from (cases/notice_times.h). Each is
// the earliest over the notice's correction chain: a correction does not re-send a notice.
struct NoticeTimes {
  std::string event_id;  // the event in force (the last correction)
  std::string kind;      // EventKindName
  TimePoint stored_at;   // when the hub stored it (the chain's first)
  std::optional<TimePoint> source_sent_at;  // the source system's send time (Envelope field)
  std::optional<TimePoint> delivered_at;    // the kommun's system accepted it
  std::optional<TimePoint> receipted_at;    // that system's Receipt: received at
  std::string kommun_destination;           // KommunDestinationId of its kommunkod
};

struct PlanningRequest {
  std::string event_id;
  TimePoint sent_at;
  std::optional<TimePoint> answered_at;  // the first answer
  std::string answer_event_id;
  std::vector<std::string> addressed = {};  // Planeringsunderlag.addressed_unit_hsa_ids
  // Each answering unit's first answer (responding_unit_hsa_id, possibly empty).
  std::vector<std::pair<std::string, TimePoint>> answers = {};
};

// A change of the planeringsunderlag that led to the red track (Halland samverkansrutin 2022:
// not allowed except for SÄBO residents): a correction or makulering of it, or a later
// planeringsunderlag naming another track. Those of SÄBO residents are not listed.
struct RedTrackChange {
  std::string event_id;      // the change
  TimePoint at;              // when the hub stored it
  std::string red_event_id;  // the planeringsunderlag that led to the red track
  std::string what;
};

// A 5 kap. 5 § pause of the liability count.
struct LiabilityPause {
  TimePoint from;
  std::optional<TimePoint> until;
  std::string reason;
};

struct EstimateNotice {
  TimePoint notified_at;
  TimePoint estimate;
  std::string event_id = {};  // the inskrivningsmeddelande or the change that notified it
};

struct ReceiptRecord {
  std::string receipt_event_id;
  std::string acknowledged_event_id;
  std::string receiving_system;
  std::string external_ack_id;
  // The receiving system's own time, but never before the hub stored the acknowledged event:
  // nothing can be received before it was sent (hub/DESIGN.md "Entitlements and minimum
  // dataset").
  TimePoint received_at;
  TimePoint stored_at;
  bool matched = false;   // the acknowledged event is part of this case
  // Set when the receipt claimed an earlier time than that: what it claimed.
  std::optional<TimePoint> claimed_received_at = {};
};

// One assessment of whether a SIP is expected (4 kap. 1 §): the inskrivningsmeddelande's, then
// each SipBedomning made during the stay, in order.
struct SipAssessment {
  std::string event_id;
  std::string kind;        // "Inskrivningsmeddelande" or "SipBedomning"
  TimePoint at;            // when the hub stored it: when the receivers could know
  bool sip_expected = false;
  v1::SamordnadVardplan samordnad_vardplan = v1::SAMORDNAD_VARDPLAN_NONE;
  std::string reason;
};

// A kallelse to SIP, with who sent it and whom it names as fast vårdkontakt (4 kap. 3 §).
struct KallelseRecord {
  std::string event_id;
  TimePoint sent_at;
  std::string sender_hsa_id;
  std::string fast_vardkontakt_hsa_id;
};

// Every event of the case, for the evidence chain.
struct CaseEventSummary {
  std::string event_id;
  std::string kind;
  TimePoint occurred_at;
  TimePoint stored_at;
  std::optional<TimePoint> source_sent_at;  // the source system's own send time, if it gave one
  std::string replaces;
  std::string superseded_by;  // a later correction
  std::string cancelled_by;   // a makulering
};

struct CaseState {
  std::string case_id;
  CaseStatus status = CaseStatus::kOpen;
  std::string kommunkod;  // where the patient is folkbokförd (from the case's first event)
  // 5 kap. 2 §: the kommun that placed the patient in a särskild boendeform here, if any, and
  // whether the patient lives in SÄBO; both as the latest event in force with a patient says.
  std::string placing_kommunkod;
  bool sarskilt_boende = false;

  std::optional<TimePoint> admitted_at;
  std::optional<TimePoint> assessed_at;
  std::optional<TimePoint> inskrivning_sent_at;
  std::string inskrivning_event_id;
  // The SIP assessment in force (the last of sip_assessments): whether a SIP is expected (4 kap.
  // 1 § första stycket), and whether a samordnad vårdplan under LPT 7 a § / LRV 12 a § replaces
  // it (andra stycket: then no kallelse is due).
  bool sip_required = false;
  v1::SamordnadVardplan samordnad_vardplan = v1::SAMORDNAD_VARDPLAN_NONE;
  // When the SipBedomning that made the SIP expected (the start of the current "expected"
  // stretch) was stored; unset when the inskrivningsmeddelande's own assessment stands. A SIP
  // that becomes expected after the utskrivningsklar notice has its kallelse counted from it
  // (deadlines.h KallelseSipDueFor).
  std::optional<TimePoint> sip_required_since;
  std::vector<SipAssessment> sip_assessments;
  // The öppen vård unit that is to appoint the fast vårdkontakt (2 kap. 5 §), if named.
  std::string oppen_vard_unit_hsa_id;
  v1::CareType care_type = v1::CARE_TYPE_UNSPECIFIED;

  std::vector<EstimateNotice> estimates;  // from the inskrivningsmeddelande and every change
  std::vector<PlanningRequest> planning_requests;
  // Halland's planning track: that of the latest planeringsunderlag in force naming one.
  v1::Planeringsunderlag::Track track = v1::Planeringsunderlag::TRACK_UNSPECIFIED;
  std::string track_event_id;
  std::vector<RedTrackChange> red_track_changes;
  std::vector<NoticePeriod> notices;
  std::vector<TimePoint> kallelse_sip_sent;
  std::vector<KallelseRecord> kallelser;
  // HSA-ids of slutenvården on this case: the case's care unit and the senders of the
  // hospital's own messages (inskrivningsmeddelande, utskrivningsklar, återtagande, discharge,
  // utskrivningsmeddelande). A kallelse from one of them is not from öppen vård.
  std::vector<std::string> hospital_hsa_ids;
  // The discharge. Its own fact (Utskrivning, from the EHR's ADT A03) takes precedence over the
  // time the utskrivningsmeddelande states: the patient administration records when the patient
  // left, the utskrivningsmeddelande is the information transfer about it (3 kap. 2 §) and may be
  // written before or after. A disagreement between the two is a note.
  std::optional<TimePoint> discharged_at;
  std::string discharge_source;  // "Utskrivning" or "Utskrivningsmeddelande"; "" if none
  std::optional<TimePoint> discharge_fact_at;                   // Utskrivning.discharged_at
  std::optional<TimePoint> utskrivningsmeddelande_discharged_at;
  std::optional<TimePoint> utskrivningsmeddelande_sent_at;
  std::vector<LiabilityPause> pauses;
  std::vector<ReceiptRecord> receipts;
  // Every notice of 5 kap. 3 § in force (not superseded or cancelled), in order of occurrence.
  std::vector<NoticeTimes> notice_times;

  std::vector<CaseEventSummary> events;  // in order of occurrence
  std::vector<std::string> notes;        // anomalies worth showing: order, corrections, orphans
};

CaseState BuildCase(const std::string& case_id, const std::vector<CaseEvent>& events);

// 5 kap. 2 §: the kommun that pays, the placing kommun if there is one, else the kommun of
// folkbokföring.
const std::string& PayingKommun(const CaseState& c);
// "grönt", "gult", "rött", or "" when no planeringsunderlag named a track.
std::string_view TrackName(v1::Planeringsunderlag::Track track);

// The changes of a red-track planeringsunderlag among `events` (and `extra`, taken as stored
// last), in the order the hub stored them. BuildCase lists them; the core asks whether a new
// event would be one when the agreement refuses such changes.
std::vector<RedTrackChange> FindRedTrackChanges(const std::vector<CaseEvent>& events,
                                                const CaseEvent* extra = nullptr);

// Clamped into 1900..2199 (common/timestamp.h): events are validated before they are stored, and
// a stray value from an older store must not overflow deadline arithmetic.
TimePoint ToTimePoint(const google::protobuf::Timestamp& ts);

}  // namespace slussen
