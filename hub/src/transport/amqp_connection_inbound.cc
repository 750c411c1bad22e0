// AmqpConnection, inbound: deliveries read straight off the peer's sending links before Proton's
// dispatch, posted to the core, settled as it decides, and the credit that bounds them.
#include <proton/delivery.h>
#include <proton/link.h>
#include <proton/session.h>

#include <algorithm>

#include "transport/amqp_connection.h"
#include "transport/message_codec.h"

namespace slussen {

std::size_t AmqpConnection::BufferedInboundBytes() {
  std::size_t total = 0;
  pn_connection_t* c = amqp::Raw(driver_.connection());
  for (pn_session_t* s = pn_session_head(c, 0); s; s = pn_session_next(s, 0)) {
    total += pn_session_incoming_bytes(s);
  }
  return total;
}

// ---- Inbound: deliveries read straight off their links, before Proton's dispatch. ----

void AmqpConnection::TakeInbound() {
  for (auto& [raw, link] : in_links_) {
    TakeFrom(link);
    if (failed_) return;
  }
}

void AmqpConnection::TakeFrom(InLink& link) {
  while (pn_delivery_t* d = pn_link_current(link.raw)) {
    if (link.oversized.get() == d) {
      // Already refused: drop whatever of it keeps coming, so nothing accumulates.
      char sink[4096];
      while (!pn_delivery_aborted(d) && pn_link_recv(link.raw, sink, sizeof sink) > 0) {
      }
      if (pn_delivery_partial(d)) return;
      pn_link_advance(link.raw);
      link.oversized = {};
      continue;
    }
    if (pn_delivery_aborted(d)) {  // the sender gave it up; nothing to decide
      pn_delivery_settle(d);
      continue;
    }
    const std::size_t pending = pn_delivery_pending(d);
    if (pn_delivery_partial(d)) {
      if (pending > delivery_limit_) RefuseOversized(link, d);
      return;  // the rest has not arrived yet
    }
    std::string bytes(pending, '\0');
    if (pending > 0 && pn_link_recv(link.raw, bytes.data(), pending) != static_cast<ssize_t>(pending)) {
      Fail("amqp:internal-error", "a transfer could not be read");
      return;
    }
    pn_link_advance(link.raw);
    auto decoded = DecodeMessage(bytes, /*complete=*/true, config_.max_message_bytes);
    if (!decoded) {
      Fail("amqp:decode-error", "a transfer on '" + std::string(ChannelName(link.channel)) +
                                    "' is not an AMQP message: " + decoded.error());
      return;
    }
    PostInbound(link, d, std::move(decoded->message_id), std::move(decoded->body),
                decoded->body_size, std::move(decoded->body_problem));
  }
}

void AmqpConnection::RefuseOversized(InLink& link, pn_delivery_t* d) {
  counters_.oversized_deliveries++;
  std::string prefix(pn_delivery_pending(d), '\0');
  const ssize_t got = pn_link_recv(link.raw, prefix.data(), prefix.size());
  prefix.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  auto decoded = DecodeMessage(prefix, /*complete=*/false, config_.max_message_bytes);
  if (!decoded) {
    Fail("amqp:decode-error", "a transfer on '" + std::string(ChannelName(link.channel)) +
                                  "' is not an AMQP message: " + decoded.error());
    return;
  }
  if (decoded->body_problem.empty() && decoded->body_size <= config_.max_message_bytes) {
    decoded->body_problem = "the message passed " + std::to_string(delivery_limit_) +
                            " bytes (max-message-bytes plus " +
                            std::to_string(kSectionAllowance) + " for its other sections)";
  }
  // The core refuses it (dead letter with the prefix, rejection to the sender) while the rest is
  // still arriving; from now on its bytes are dropped as they come.
  link.oversized = amqp::Ref<pn_delivery_t>(d);
  PostInbound(link, d, std::move(decoded->message_id), std::move(decoded->body),
              decoded->body_size, std::move(decoded->body_problem));
}

void AmqpConnection::PostInbound(InLink& link, pn_delivery_t* d, std::string message_id,
                                 std::string body, std::size_t body_size, std::string body_problem) {
  InboundMessage in;
  in.conn_id = id_;
  in.token = next_token_++;
  in.channel = link.channel;
  in.principal = adapter_->name;
  in.message_id = std::move(message_id);
  in.body = std::move(body);
  in.body_size = body_size;
  in.body_problem = std::move(body_problem);
  in.received_at_us = ToMicros(clock_());
  pending_[in.token] = {amqp::Ref<pn_delivery_t>(d), link.raw};
  ++link.unsettled;
  if (!accepting_) {
    // Shutting down: the sender keeps the message and retries elsewhere or later.
    SettleNow(in.token, {Settlement::Kind::kReleased, "", ""});
    return;
  }
  core_.Post(std::move(in));
}

// The core's calls run outside Proton's dispatch, so nothing else would catch a throw here.
void AmqpConnection::Settle(uint64_t token, const Settlement& settlement) {
  if (failed_) return;
  try {
    SettleNow(token, settlement);
  } catch (const std::exception& e) {
    Fail("amqp:internal-error", std::string("settle failed: ") + e.what());
  }
}

void AmqpConnection::SettleNow(uint64_t token, const Settlement& settlement) {
  auto it = pending_.find(token);
  if (it == pending_.end()) return;  // its link or connection went away; the sender will retry
  pn_delivery_t* d = it->second.delivery.get();
  switch (settlement.kind) {
    case Settlement::Kind::kAccepted:
      pn_delivery_update(d, PN_ACCEPTED);
      pn_delivery_settle(d);
      break;
    case Settlement::Kind::kReleased:
      pn_delivery_update(d, PN_RELEASED);
      pn_delivery_settle(d);
      break;
    case Settlement::Kind::kRejected:
      amqp::RejectAndSettle(d, {settlement.condition, settlement.description});
      break;
  }
  if (auto link = in_links_.find(it->second.link); link != in_links_.end()) {
    --link->second.unsettled;
    // Settling an oversized delivery ends it; Proton then ignores the rest of its transfers.
    if (link->second.oversized.get() == d) link->second.oversized = {};
  }
  pending_.erase(it);
  TopUpCredit();
}

// Credit returns as deliveries are settled, so a slow disk slows senders instead of filling
// memory. The connection's budget (max-unsettled-inbound) counts granted credit plus unsettled
// deliveries over all its links; each link is topped up to an equal share of it (halves while
// a connection has one or two links: an events and a receipts link never wait for each other).
void AmqpConnection::TopUpCredit() {
  if (in_links_.empty()) return;
  const int budget = config_.transport.max_unsettled_inbound;
  const int share = std::max(1, budget / std::max<int>(2, static_cast<int>(in_links_.size())));
  int used = 0;
  for (const auto& [raw, link] : in_links_) used += pn_link_credit(raw) + link.unsettled;
  for (auto& [raw, link] : in_links_) {
    const int add = std::min(share - (pn_link_credit(raw) + link.unsettled), budget - used);
    if (add <= 0) continue;
    pn_link_flow(raw, add);
    used += add;
  }
}

// A delivery on a link we never opened (the peer sent without credit): Proton decoded it; it is
// refused, not taken.
void AmqpConnection::on_message(proton::delivery& d, proton::message&) {
  amqp::RejectAndSettle(amqp::Raw(d), {"amqp:not-allowed", "transfer on a link the hub has not opened"});
}

}  // namespace slussen
