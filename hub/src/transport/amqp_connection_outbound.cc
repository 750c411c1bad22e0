// AmqpConnection, outbound: the demand told to the core, outbox items sent, and the receivers'
// outcomes reported back.
#include <proton/delivery.h>
#include <proton/tracker.hpp>

#include <algorithm>
#include <cstring>

#include "amqp/proton_compat.h"
#include "transport/amqp_connection.h"
#include "transport/message_encoder.h"

namespace slussen {
namespace {

int64_t SeqFromTag(const proton::binary& tag) {
  int64_t seq = -1;
  if (tag.size() == sizeof seq) std::memcpy(&seq, tag.data(), sizeof seq);
  return seq;
}

}  // namespace

// Demand told to the core is bounded by the receiver's credit AND by max-unsettled-outbound
// minus what the link holds unsettled: a receiver that grants a huge credit and never settles
// holds at most the cap, and the destination's other receivers get the rest.
void AmqpConnection::AskForMore(uint64_t link_id) {
  auto it = out_links_.find(link_id);
  if (it == out_links_.end()) return;
  OutLink& link = it->second;
  // Held items take the receiver's credit once they go, so they count as spent already.
  const int held = static_cast<int>(link.trains.size());
  const int room = config_.transport.max_unsettled_outbound -
                   static_cast<int>(link.in_flight.size() + link.awaiting_record.size()) - held;
  const int want = std::min(link.sender.credit() - held, room) - link.requested;
  if (want <= 0) return;
  link.requested += want;
  core_.Post(LinkDemand{id_, link_id, link.destination, want});
}

void AmqpConnection::on_sendable(proton::sender& s) {
  if (auto id = out_ids_.find(s); id != out_ids_.end()) AskForMore(id->second);
}

// The core's calls run outside Proton's dispatch, so nothing else would catch a throw here.
void AmqpConnection::Deliver(uint64_t link_id, std::vector<OutboxItem>& items) {
  if (failed_) return;
  try {
    SendNow(link_id, items);
  } catch (const std::exception& e) {
    Fail("amqp:internal-error", std::string("deliver failed: ") + e.what());
  }
}

void AmqpConnection::Recorded(uint64_t link_id, const std::vector<int64_t>& seqs) {
  auto it = out_links_.find(link_id);
  if (it == out_links_.end()) return;  // the link went away; the receiver has them anyway
  for (int64_t seq : seqs) {
    auto d = it->second.awaiting_record.find(seq);
    if (d == it->second.awaiting_record.end()) continue;  // the receiver settled it itself
    pn_delivery_settle(d->second.get());
    it->second.awaiting_record.erase(d);
  }
  AskForMore(link_id);
}

void AmqpConnection::SendNow(uint64_t link_id, std::vector<OutboxItem>& items) {
  auto it = out_links_.find(link_id);
  if (it == out_links_.end()) return;  // LinkGone already told the core
  OutLink& link = it->second;
  for (auto& item : items) {
    link.requested = std::max(0, link.requested - 1);
    switch (link.trains.Arrive(item, link.in_flight.count(item.after_seq) != 0)) {
      case TrainHold::Place::kSend: SendOne(link_id, link, item); break;
      case TrainHold::Place::kHeld: break;
      case TrainHold::Place::kGiveBack: GiveBack(link_id, link, item.seq); break;
    }
  }
  AskForMore(link_id);
}

void AmqpConnection::GiveBack(uint64_t link_id, OutLink& link, int64_t seq) {
  core_.Post(NotSent(id_, link_id, seq));
  Follow(link_id, link, seq, /*accepted=*/false);
}

void AmqpConnection::Follow(uint64_t link_id, OutLink& link, int64_t seq, bool accepted) {
  std::vector<int64_t> given_back;
  if (auto next = link.trains.Follow(seq, accepted, given_back)) {
    return SendOne(link_id, link, *next);
  }
  for (int64_t back : given_back) core_.Post(NotSent(id_, link_id, back));
}

void AmqpConnection::SendOne(uint64_t link_id, OutLink& link, OutboxItem& item) {
  if (link.sender.credit() <= 0 ||
      static_cast<int>(link.in_flight.size() + link.awaiting_record.size()) >=
          config_.transport.max_unsettled_outbound) {
    // The receiver drained its credit meanwhile; give the item back for a later attempt.
    return GiveBack(link_id, link, item.seq);
  }
  const std::string schema_version = std::to_string(item.schema_version);
  OutgoingMessage m;
  m.message_id = item.event_id;
  m.subject = item.kind;
  m.content_type = "application/x-protobuf";
  m.durable = true;
  m.properties = {{"event_type", item.kind},
                  {"case_id", item.case_id},
                  {"schema_version", schema_version}};
  if (!item.added_cause.empty()) m.properties.push_back({"reason", item.added_cause});
  if (!item.added_for.empty()) m.properties.push_back({"for_destination", item.added_for});
  m.body = item.body;
  EncodeMessage(m, encoded_);
  const char* tag = reinterpret_cast<const char*>(&item.seq);
  amqp::SendRaw(link.sender, {tag, sizeof item.seq}, encoded_);
  link.in_flight.insert(item.seq);
}

void AmqpConnection::Outcome(const proton::tracker& t, DeliveryOutcome outcome) {
  auto id = out_ids_.find(t.sender());
  if (id == out_ids_.end()) return;
  const int64_t seq = SeqFromTag(t.tag());
  OutLink& link = out_links_[id->second];
  if (link.in_flight.erase(seq) == 0) return;  // already reported
  if (!t.settled()) {
    // The receiver waits for us to settle (rcv-settle-mode second). An acceptance is settled
    // once the core has it on disk; any other outcome at once (nothing to record).
    if (outcome.kind == DeliveryOutcome::Kind::kAccepted) {
      link.awaiting_record.emplace(seq, amqp::Ref<pn_delivery_t>(amqp::Raw(t)));
    } else {
      pn_delivery_settle(amqp::Raw(t));
    }
  }
  const bool accepted = outcome.kind == DeliveryOutcome::Kind::kAccepted;
  outcome.conn_id = id_;
  outcome.link_id = id->second;
  outcome.seq = seq;
  core_.Post(std::move(outcome));  // before anything of what waited behind it
  Follow(id->second, link, seq, accepted);
  AskForMore(id->second);
}

namespace {
DeliveryOutcome OfKind(DeliveryOutcome::Kind kind) {
  DeliveryOutcome o;
  o.kind = kind;
  return o;
}
}  // namespace

void AmqpConnection::on_tracker_accept(proton::tracker& t) {
  Outcome(t, OfKind(DeliveryOutcome::Kind::kAccepted));
}
void AmqpConnection::on_tracker_reject(proton::tracker& t) {
  DeliveryOutcome o = OfKind(DeliveryOutcome::Kind::kRejected);
  amqp::Condition c = amqp::RemoteCondition(t);
  // Kept with every attempt: a peer's text, so bounded (a frame could carry 64 KiB of it).
  constexpr std::size_t kMaxPeerText = 1024;
  o.condition = c.name.substr(0, 256);
  o.description = c.description.substr(0, kMaxPeerText);
  Outcome(t, std::move(o));
}
void AmqpConnection::on_tracker_release(proton::tracker& t) {
  if (t.state() != proton::transfer::MODIFIED) {
    return Outcome(t, OfKind(DeliveryOutcome::Kind::kReleased));
  }
  DeliveryOutcome o = OfKind(DeliveryOutcome::Kind::kModified);
  o.undeliverable_here = amqp::UndeliverableHere(t);
  Outcome(t, std::move(o));
}
// Settled with no outcome: not known to be delivered, so it is tried again.
void AmqpConnection::on_tracker_settle(proton::tracker& t) {
  Outcome(t, OfKind(DeliveryOutcome::Kind::kReleased));
}

}  // namespace slussen
