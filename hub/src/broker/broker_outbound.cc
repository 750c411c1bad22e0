// BrokerTransport, outbound: demand told to the core per destination, outbox items published to
// the destination's queue with confirmation, the broker's outcomes reported back, and a case's
// train kept in order (a later event is published only once the broker confirmed the earlier).
// The same rules as the embedded transport's amqp_connection_outbound.cc, with the broker as the
// receiver.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/broker_transport.h"
#include "runtime/hub_session.h"

namespace slussen {
namespace {

DeliveryOutcome::Kind KindOf(client::SendOutcome::Kind kind) {
  using K = client::SendOutcome::Kind;
  switch (kind) {
    case K::kAccepted: return DeliveryOutcome::Kind::kAccepted;
    case K::kRejected: return DeliveryOutcome::Kind::kRejected;
    case K::kModified: return DeliveryOutcome::Kind::kModified;
    case K::kReleased:
    // kError: no outcome (the connection went, too much waits, the session stops). Not known to
    // be in the broker, so an attempt to make again.
    case K::kError: return DeliveryOutcome::Kind::kReleased;
  }
  return DeliveryOutcome::Kind::kReleased;
}

}  // namespace

BrokerTransport::OutLink* BrokerTransport::FindLink(uint64_t link_id) {
  for (auto& [destination, link] : out_) {
    if (link.id == link_id) return &link;
  }
  return nullptr;
}

// Demand is the destination's window less what is published and unconfirmed, held, or already
// asked for: the core never has more than `in-flight` on its way to one queue.
void BrokerTransport::AskForMore(OutLink& link) {
  const int used = static_cast<int>(link.in_flight.size() + link.trains.size()) + link.requested;
  const int want = broker_.in_flight - used;
  if (want <= 0) return;
  link.requested += want;
  inbox_->Post(LinkDemand{generation_, link.id, link.destination, want});
}

void BrokerTransport::Deliver(uint64_t conn_id, uint64_t link_id, std::vector<OutboxItem> items) {
  Push([this, conn_id, link_id, items = std::move(items)]() mutable {
    OutLink* link = conn_id == generation_ ? FindLink(link_id) : nullptr;
    if (link == nullptr) return;  // that connection is gone, and LinkGone told the core
    SendNow(*link, items);
  });
}

void BrokerTransport::SendNow(OutLink& link, std::vector<OutboxItem>& items) {
  for (auto& item : items) {
    link.requested = std::max(0, link.requested - 1);
    switch (link.trains.Arrive(item, link.in_flight.count(item.after_seq) != 0)) {
      case TrainHold::Place::kSend: SendOne(link, item); break;
      case TrainHold::Place::kHeld: break;
      case TrainHold::Place::kGiveBack: GiveBack(link, item.seq); break;
    }
  }
  AskForMore(link);
}

void BrokerTransport::SendOne(OutLink& link, OutboxItem& item) {
  client::OutgoingMessage m;
  m.message_id = item.event_id;
  m.subject = item.kind;
  m.body = std::move(item.body);
  m.properties = {{"event_type", item.kind},
                  {"case_id", item.case_id},
                  {"schema_version", std::to_string(item.schema_version)}};
  if (!item.added_cause.empty()) m.properties["reason"] = item.added_cause;
  if (!item.added_for.empty()) m.properties["for_destination"] = item.added_for;
  // Should the broker dead-letter it, the copy the hub reads from the dead-letter queue names
  // the delivery (OnDeadLetter); the user-id the session stamps proves the hub published it.
  m.properties[std::string(kOutboxSeqProperty)] = std::to_string(item.seq);
  m.properties[std::string(kDestinationProperty)] = link.destination;
  link.in_flight.insert(item.seq);
  const uint64_t link_id = link.id;
  const int64_t seq = item.seq;
  // On this connection only: once it is lost, LinkGone has given the item back to the core.
  session_->SendOn(static_cast<int>(generation_), "out/" + link.destination, std::move(m),
                   [this, link_id, seq](const client::SendOutcome& o) {
                     SendResult r{link_id, seq, KindOf(o.kind), o.condition, o.description};
                     if (o.kind == client::SendOutcome::Kind::kError && r.description.empty()) {
                       r.description = "no confirmation from the broker";
                     }
                     Push([this, r = std::move(r)] { OnSendResult(r); });
                   });
}

void BrokerTransport::OnSendResult(const SendResult& result) {
  OutLink* link = FindLink(result.link_id);
  if (link == nullptr || link->in_flight.erase(result.seq) == 0) return;  // the link is gone
  DeliveryOutcome outcome;
  outcome.conn_id = generation_;
  outcome.link_id = link->id;
  outcome.seq = result.seq;
  outcome.kind = result.kind;
  // A peer's text, kept with the attempt: bounded as the embedded transport bounds it.
  outcome.condition = result.condition.substr(0, 256);
  outcome.description = result.description.substr(0, 1024);
  const bool accepted = result.kind == DeliveryOutcome::Kind::kAccepted;
  inbox_->Post(std::move(outcome));  // before anything of what waited behind it
  Follow(*link, result.seq, accepted);
  AskForMore(*link);
}

void BrokerTransport::GiveBack(OutLink& link, int64_t seq) {
  inbox_->Post(NotSent(generation_, link.id, seq));
  Follow(link, seq, /*accepted=*/false);
}

void BrokerTransport::Follow(OutLink& link, int64_t seq, bool accepted) {
  std::vector<int64_t> given_back;
  if (auto next = link.trains.Follow(seq, accepted, given_back)) return SendOne(link, *next);
  for (int64_t back : given_back) inbox_->Post(NotSent(generation_, link.id, back));
}

}  // namespace slussen
