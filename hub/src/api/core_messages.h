#pragma once
// What the transport tells the core, and what the core tells the transport back. The core never
// sees a Proton object: the transport identifies connections, links and inbound deliveries by
// opaque numbers (skupper-router's rule: copy state, don't share pointers across threads).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/records.h"
#include "common/result.h"

namespace slussen {

// Which inbound channel a message came in on. The transport maps its own addresses (embedded:
// `events`, `receipts`; broker mode: queues under a configurable prefix) onto these, so that no
// address string reaches ingest.
enum class Channel { kEvents, kReceipts };

// The channel's name as operators see it (dead letters, logs): "events" or "receipts".
inline std::string_view ChannelName(Channel c) {
  return c == Channel::kReceipts ? "receipts" : "events";
}

// A message that arrived on a channel, waiting for its settlement.
struct InboundMessage {
  uint64_t conn_id = 0;
  uint64_t token = 0;            // identifies the delivery within the transport
  Channel channel = Channel::kEvents;
  // The adapter entry (<adapters><adapter name>) the connection's login is bound to.
  std::string principal;
  // The AMQP message-id as a string (a string id as sent, other id types rendered by the
  // transport); empty if the message had none. Ingest compares it with the event id.
  std::string message_id;
  std::string body;              // data-section bytes (possibly cut at the size limit)
  std::size_t body_size = 0;     // the full size as received
  std::string body_problem;      // non-empty if the body is not a single data section
  int64_t received_at_us = 0;
};

// A receiver on out/<destination> can take `credit` more messages.
struct LinkDemand {
  uint64_t conn_id = 0;
  uint64_t link_id = 0;
  std::string destination;
  int credit = 0;
};

// An outbound link is gone (detached, connection lost): what it had in flight is not delivered.
struct LinkGone {
  uint64_t link_id = 0;
};

// The receiving adapter settled one of our messages.
struct DeliveryOutcome {
  // kNotSent: the transport gave the item back unsent (the receiver's credit was gone by the
  // time it came); not an attempt.
  enum class Kind { kAccepted, kReleased, kRejected, kModified, kNotSent };
  uint64_t conn_id = 0;
  uint64_t link_id = 0;
  int64_t seq = 0;
  Kind kind = Kind::kAccepted;
  // What the receiver said: the error condition of a rejection; for kModified whether it marked
  // the delivery undeliverable-here. As sent by the peer, so never logged raw.
  std::string condition;
  std::string description;
  bool undeliverable_here = false;
};

// Broker mode: the broker dead-lettered one of the hub's own publications (its receiving
// adapter rejected it, or it passed its queue's delivery limit) and the hub read it from the
// dead-letter queue. The delivery, which the broker had confirmed, is dead after all; the core
// records that (and the destination's fallback) and then settles the message (conn_id, token).
struct BrokerDeadLetter {
  uint64_t conn_id = 0;
  uint64_t token = 0;
  int64_t seq = 0;           // the outbox row the publication carried
  std::string destination;   // ... and its destination and event id, checked against the row
  std::string event_id;
  std::string queue;         // the broker queue it was dead-lettered from, for the record
};

// An operator's action on delivery (hub/DESIGN.md "Operator actions"): the admin API and
// slussenctl send these; each is recorded with who and why, on the case where it concerns one,
// and answered once it is durable (or refused: kNotFound, kFailedPrecondition, kInvalidArgument).
struct OperatorCommand {
  enum class Action {
    kRetryDead,      // seq: a dead delivery is tried again (its attempts stay on record)
    kReroute,        // event_id, destination: the event is also sent there
    kMarkDelivered,  // seq: delivered by other means ("phoned through")
    kPause,          // destination: nothing new is sent to it until resumed
    kResume,         // destination
    kRecordRead,     // case_ids, reason = what was read: an operator reads those cases' data;
                     // it is recorded (an audit row per case, in one transaction) before the
                     // data is answered
    kRecordExtract,  // patient_key: an auditor takes a patient's access-log extract
                     // (loggutdrag); recorded as an audit row before it is answered
  };
  Action action = Action::kRetryDead;
  int64_t seq = 0;
  std::string event_id;
  std::string destination;
  std::vector<std::string> case_ids;  // kRecordRead
  std::string patient_key;            // kRecordExtract (audit/patient_key.h)
  std::string operator_id;  // who
  std::string reason;       // why
  // Called on the core thread with the outcome; must not block.
  std::function<void(const Status&)> done;
};

using CoreInput = std::variant<InboundMessage, LinkDemand, LinkGone, DeliveryOutcome,
                               OperatorCommand, BrokerDeadLetter>;

// Implemented by the core: where a transport puts what it receives. Thread-safe, never blocks
// for long (a queue push).
class CoreInbox {
 public:
  virtual ~CoreInbox() = default;
  virtual void Post(CoreInput input) = 0;
};

// How to settle an inbound delivery.
struct Settlement {
  enum class Kind { kAccepted, kRejected, kReleased };
  Kind kind = Kind::kAccepted;
  std::string condition;    // for kRejected, e.g. "slussen:invalid-event"
  std::string description;  // for kRejected: every problem, "; "-separated
};

// Implemented by the transport; called from the core thread, must not block.
class CoreOutput {
 public:
  virtual ~CoreOutput() = default;
  virtual void Settle(uint64_t conn_id, uint64_t token, Settlement settlement) = 0;
  virtual void Deliver(uint64_t conn_id, uint64_t link_id, std::vector<OutboxItem> items) = 0;
  // The acceptances of these deliveries on the link are durably recorded: a receiver that waits
  // for the hub to settle (rcv-settle-mode second) may now forget them. Before this, a crash
  // sends them again; after it, never.
  virtual void Recorded(uint64_t conn_id, uint64_t link_id, std::vector<int64_t> seqs) = 0;
  // The core calls this at the end of each turn of its loop, after the turn's settlements,
  // deliveries and records, before anything that may take longer (a flush of the store) and
  // before it waits for work. A transport may hold what it was handed until then and pass it on
  // at once, so that a turn wakes the transport's thread once rather than once per call.
  virtual void EndOfTurn() {}
};

}  // namespace slussen
