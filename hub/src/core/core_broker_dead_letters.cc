// Broker mode: the hub's publications the broker dead-lettered (hub/DESIGN.md "Broker mode").
// The broker confirmed them, so the core recorded them delivered; the receiving adapter then
// rejected them, or they passed their queue's delivery limit, and the broker moved them to the
// dead-letter queue, which the hub reads. Here that becomes what it is in embedded mode: a dead
// delivery with its reason, and the destination's fallback.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/core.h"

namespace slussen {

void Core::OnBrokerDeadLetter(const BrokerDeadLetter& dead, int64_t now_us) {
  const auto settle = [&](Settlement::Kind kind) {
    output_.Settle(dead.conn_id, dead.token, Settlement{kind, "", ""});
  };
  auto row = store_.OutboxRow(dead.seq);
  if (!row) {
    // Left for later: released, the broker gives it again.
    spdlog::error("broker mode: dead letter of outbox row {} not handled, the store cannot be "
                  "read ({}); it stays in the broker's dead-letter queue",
                  dead.seq, row.error());
    return settle(Settlement::Kind::kReleased);
  }
  if (!*row || (*row)->destination != dead.destination || (*row)->event_id != dead.event_id) {
    // Not one of this store's rows (a queue shared with another hub, or a store replaced):
    // nothing here to mark. Taken off the queue so that it does not come back forever.
    spdlog::warn("broker mode: a message in the dead-letter queue names outbox row {}, which "
                 "this hub's store does not hold for that event and destination; discarded",
                 dead.seq);
    return settle(Settlement::Kind::kAccepted);
  }
  const OutboxRowState& r = **row;
  const bool pending = std::any_of(unrecorded_failures_.begin(), unrecorded_failures_.end(),
                                   [&](const FailedAttempt& f) { return f.seq == r.seq && f.dead; });
  if (r.dead_at_us != 0 || pending) {
    // A second copy (the hub published it again after a lost confirmation): its death is
    // recorded, or about to be with the one pending.
    if (!pending) return settle(Settlement::Kind::kAccepted);
    dead_letters_to_settle_.push_back({dead.conn_id, dead.token});
    return;
  }
  // Not recorded delivered: its confirmation was lost with a connection, and the dispatcher
  // waits to send it again. It is dead now; nothing more goes.
  if (r.delivered_at_us == 0) dispatcher_.Forget(r.seq);
  FailedAttempt f;
  f.seq = r.seq;
  f.attempt = r.attempts + 1;
  f.at_us = now_us;
  f.outcome = "dead-lettered";
  f.dead = true;
  f.withdraws_delivery = true;
  f.reason = "dead-lettered by the broker from queue " + dead.queue +
             " after it had taken the delivery: the receiver rejected it, or it passed the "
             "queue's delivery limit";
  f.destination = r.destination;
  f.event_id = r.event_id;
  f.case_id = r.case_id;
  spdlog::warn("delivery of event {} to {} is dead: the broker dead-lettered it after taking it "
               "(the receiver rejected it, or it passed its queue's delivery limit)",
               f.event_id, f.destination);
  RecordFailure(std::move(f));
  dead_letters_to_settle_.push_back({dead.conn_id, dead.token});
}

}  // namespace slussen
