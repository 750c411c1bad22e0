#pragma once
// The records that cross the hub's layers: what ingest decides (EventRecord, DeadLetterRecord),
// what the store journals and what the transport sends (OutboxItem), and the persisted case
// summary the case logic computes and the store keeps (CaseRecord, DeadlineRecord). Plain values,
// no behaviour, so that the transport, ingest, the case logic and the store can share them
// without depending on one another.
#include <cstdint>
#include <string>
#include <vector>

namespace slussen {

// An accepted event as journaled, with the destinations it must be delivered to.
struct EventRecord {
  std::string event_id;
  std::string kind;       // EventKindName
  std::string case_id;    // "<care_unit_hsa_id>/<episode_id>"
  std::string sender_hsa_id;
  uint32_t schema_version = 0;
  int64_t occurred_at_us = 0;
  int64_t received_at_us = 0;
  std::string body;       // the serialized Envelope exactly as received
  std::vector<std::string> destinations;
  // Per destination (same order; empty: none): when its Receipt is due, 0 if none is awaited.
  std::vector<int64_t> receipt_due_at_us;
  // The patient's key in the audit log (audit/patient_key.h), made by the core from the decoded
  // envelope, so that a delivery's disclosure row does not decode the body again. Empty when
  // the audit log's secret is not loaded.
  std::string patient_key = {};
};

// Input the hub refused, kept with every reason so that nothing refused is lost without trace.
struct DeadLetterRecord {
  int64_t received_at_us = 0;
  std::string address;
  std::string event_id;   // if the body could be decoded far enough to have one
  std::string reasons;    // one reason per line
  std::string sender;     // the claimed sender HSA id if well-formed, else empty (unknown)
  std::string reason_key; // the field or part the first reason names (core/stats.h)
  std::string body;       // possibly truncated to the message size limit
  bool body_truncated = false;
};

// One pending delivery: an event for one destination.
struct OutboxItem {
  int64_t seq = 0;        // unique over all destinations; increasing per destination
  std::string destination;
  std::string event_id;
  std::string kind;
  std::string case_id;
  uint32_t schema_version = 0;
  std::string body;
  // Delivery state: failed attempts so far, and the earliest time of the next (0: at once).
  int attempts = 0;
  int64_t next_attempt_at_us = 0;
  int64_t enqueued_at_us = 0;
  // A row added after the event was stored (outbox_added): why ("no receipt from kommun-1380 by
  // …", an operator's re-route), and the destination of the row it stands in for (a fallback's
  // original; empty for a re-route). Receivers get them as the application properties `reason`
  // and `for_destination`: the letter adapter addresses and explains its letter with them.
  std::string added_cause{};
  std::string added_for{};
  // EventRecord::patient_key as stored (empty for events stored before schema v11).
  std::string patient_key{};
  // Set by the dispatcher, not stored: send only after the receiver on the same link accepted
  // row `after_seq` (the case's previous event); if that one ends any other way, give this one
  // back unsent (DeliveryOutcome::kNotSent). 0: send at once.
  int64_t after_seq = 0;
};

// A stored event of one case, for the case logic.
struct CaseEventRow {
  std::string body;
  int64_t received_at_us = 0;
};

// The persisted summary of a case, rewritten with every event that changes it.
struct CaseRecord {
  std::string case_id;
  std::string kommunkod;
  std::string status;
  int64_t updated_at_us = 0;
  bool liable = false;
  bool provisional = false;
  int64_t liability_days = 0;
  int64_t liability_amount_kr = 0;
  std::string notes;  // one per line
  // When time alone may next change the deadline states or liability (cases/next_evaluation.h);
  // 0: never (nothing left that time can change). The core re-evaluates due cases by this.
  int64_t next_evaluation_at_us = 0;
  std::string paying_kommunkod = {};  // 5 kap. 2 §; empty: the kommunkod pays
  std::string track = {};             // "grönt", "gult", "rött"; empty: none named
};

struct DeadlineRecord {
  std::string deadline_id;
  std::string rule;
  int64_t due_at_us = 0;  // 0: not known yet
  std::string state;      // as evaluated when the case was last updated
  int64_t met_at_us = 0;  // 0: not met
};

// One outbox row of a case's event: where it went and when the receiver took it.
struct DeliveryRow {
  std::string event_id;
  std::string destination;
  int64_t delivered_at_us = 0;  // 0: not delivered yet
  int attempts = 0;             // failed attempts
  std::string last_error;
  int64_t dead_at_us = 0;       // 0: not dead
  int64_t receipt_due_at_us = 0;      // while a Receipt is awaited
  int64_t receipt_overdue_at_us = 0;  // when the Receipt was found missing
  int64_t receipt_at_us = 0;          // when the matching Receipt was stored
  std::string fallback_to;            // the destination the event fell back to, if it did
  std::string added_cause;            // for a row added later (a fallback, a re-route): why
  std::string manual_by;              // delivered by other means, as an operator recorded
  std::string manual_reason;
  struct Action {
    int64_t at_us = 0;
    std::string action;  // retry-dead, reroute, mark-delivered
    std::string operator_id;
    std::string reason;
  };
  std::vector<Action> actions;  // operators' actions on this row, oldest first
};

}  // namespace slussen
