#include "transport/amqp_connection.h"

#include <proton/condition.h>
#include <proton/connection.hpp>
#include <proton/delivery.h>
#include <proton/error_condition.hpp>
#include <proton/link.h>
#include <proton/transport.h>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender_options.hpp>
#include <proton/session.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/target.hpp>
#include <proton/target_options.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "transport/message_codec.h"

namespace slussen {
namespace {

constexpr const char* kOutPrefix = "out/";
// How long a failed connection may take to write its close before its socket is closed anyway.
constexpr int64_t kFailFlushMs = 2000;

// Peer-supplied text (container ids, Proton's error descriptions that quote peer bytes) for a log
// line: printable ASCII only, cut at `max`.
std::string Printable(std::string_view s, std::size_t max = 80) {
  std::string out;
  for (char c : s.substr(0, max)) out += (c >= 0x20 && c < 0x7f && c != '\\') ? c : '?';
  if (s.size() > max) out += "...";
  return out;
}

proton::binary SeqTag(int64_t seq) {
  proton::binary tag(sizeof seq, 0);
  std::memcpy(tag.data(), &seq, sizeof seq);
  return tag;
}

int64_t SeqFromTag(const proton::binary& tag) {
  int64_t seq = -1;
  if (tag.size() == sizeof seq) std::memcpy(&seq, tag.data(), sizeof seq);
  return seq;
}

}  // namespace

AmqpConnection::AmqpConnection(uint64_t id, const Config& config, CoreInbox& core, Clock clock,
                               LinkIdSource& link_ids, TransportCounters& counters,
                               const std::atomic<bool>& accepting)
    : driver_("slussen-" + config.hub_name),
      id_(id),
      config_(config),
      core_(core),
      clock_(std::move(clock)),
      link_ids_(link_ids),
      counters_(counters),
      accepting_(accepting),
      delivery_limit_(config.max_message_bytes + kSectionAllowance) {}

AmqpConnection::~AmqpConnection() { Teardown(); }

proton::connection_options AmqpConnection::ServerOptions(const Config& config) {
  // Proton's default server SASL layer is kept as the container had it: it answers a SASL
  // ANONYMOUS exchange and also takes a plain AMQP header.
  return proton::connection_options()
      .container_id("slussen-" + config.hub_name)
      .max_frame_size(config.transport.max_frame_size)
      .idle_timeout(proton::duration(
          std::chrono::duration_cast<std::chrono::milliseconds>(config.transport.idle_timeout).count()));
}

void AmqpConnection::Start(proton::connection_options options) {
  options.handler(*this);
  driver_.accept(options);
}

void AmqpConnection::Close(const std::string& condition, const std::string& description) {
  closing_ = true;
  proton::connection c = driver_.connection();
  if (!c.closed()) c.close(proton::error_condition(condition, description));
}

proton::io::mutable_buffer AmqpConnection::ReadBuffer() { return driver_.read_buffer(); }
void AmqpConnection::ReadDone(std::size_t n) { driver_.read_done(n); }
proton::io::const_buffer AmqpConnection::WriteBuffer() { return driver_.write_buffer(); }
void AmqpConnection::WriteDone(std::size_t n) { driver_.write_done(n); }

void AmqpConnection::Disconnected(const std::string& why) {
  if (failed_) {
    alive_ = false;  // the close we were flushing cannot be written any more
    return;
  }
  driver_.disconnected(proton::error_condition("slussen:io", why));
}

int64_t AmqpConnection::Tick(int64_t now_ms) {
  now_ms_ = now_ms;
  if (failed_) {
    if (now_ms >= fail_deadline_ms_) alive_ = false;
    return fail_deadline_ms_;
  }
  return driver_.tick(proton::timestamp(now_ms)).milliseconds();
}

bool AmqpConnection::Finished() {
  if (failed_) return !alive_ || driver_.write_buffer().size == 0;
  return !alive_;
}

void AmqpConnection::Process() {
  if (failed_) return;
  try {
    TakeInbound();
  } catch (const std::exception& e) {
    Fail("amqp:internal-error", std::string("reading a transfer failed: ") + e.what());
  }
  if (failed_) return;
  // The driver catches what a handler throws and records it as the transport's condition
  // "exception", then carries on; here that ends this connection, and only this one.
  alive_ = driver_.dispatch();
  if (!failed_ && alive_ && pn_condition_is_set(pn_transport_condition(amqp::Raw(driver_.transport())))) {
    const proton::error_condition error = driver_.transport().error();
    if (error.name() == "exception") {
      const bool decode = error.description().find("decode") != std::string::npos;
      Fail(decode ? "amqp:decode-error" : "amqp:internal-error", error.description());
    }
  }
  if (!alive_) Teardown();
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
  in.message_id = std::move(message_id);
  in.body = std::move(body);
  in.body_size = body_size;
  in.body_problem = std::move(body_problem);
  in.received_at_us = ToMicros(clock_());
  pending_[in.token] = {amqp::Ref<pn_delivery_t>(d), link.raw};
  ++link.unsettled;
  if (!accepting_) {
    // Shutting down: the sender keeps the message and retries elsewhere or later.
    Settle(in.token, {Settlement::Kind::kReleased, "", ""});
    return;
  }
  core_.Post(std::move(in));
}

void AmqpConnection::Settle(uint64_t token, const Settlement& settlement) {
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

// ---- Links ----

void AmqpConnection::on_connection_open(proton::connection& c) {
  if (closing_) return;  // refused at accept: our close is already on its way
  if (!accepting_) {
    c.close(proton::error_condition("amqp:connection:forced", "slussen is shutting down"));
    return;
  }
  spdlog::info("connection {} opened from container '{}'", id_, Printable(c.container_id()));
  c.open();
}

void AmqpConnection::on_receiver_open(proton::receiver& r) {
  const std::string address = r.target().address();
  if (address != "events" && address != "receipts") {
    r.close(proton::error_condition(
        "amqp:not-found", "no such address '" + address + "': send events to 'events' and receipts to 'receipts'"));
    return;
  }
  pn_link_t* raw = amqp::Raw(r);
  // Advertised so that a sender can see the limit before it sends (AMQP max-message-size).
  pn_link_set_max_message_size(raw, delivery_limit_);
  r.open(proton::receiver_options().auto_accept(false).credit_window(0).target(
      proton::target_options().address(address)));
  in_links_[raw] = {r, raw, address == "receipts" ? Channel::kReceipts : Channel::kEvents, 0, {}};
  TopUpCredit();
}

void AmqpConnection::on_sender_open(proton::sender& s) {
  const std::string address = s.source().address();
  const bool is_out = address.rfind(kOutPrefix, 0) == 0;
  const std::string destination = is_out ? address.substr(std::strlen(kOutPrefix)) : "";
  if (!is_out || !config_.IsDestination(destination)) {
    s.close(proton::error_condition(
        "amqp:not-found", "no such address '" + address + "': receive from out/<destination>, "
                          "where destination is configured (e.g. out/kommun-1380)"));
    return;
  }
  s.open(proton::sender_options().source(proton::source_options().address(address)));
  const uint64_t link_id = link_ids_.Next();
  out_ids_[s] = link_id;
  out_links_[link_id] = {s, destination, 0, {}};
  spdlog::info("receiver attached to {} (connection {}, link {})", address, id_, link_id);
}

void AmqpConnection::on_receiver_detach(proton::receiver& r) { ForgetReceiver(r); }
void AmqpConnection::on_receiver_close(proton::receiver& r) { ForgetReceiver(r); }

void AmqpConnection::ForgetReceiver(const proton::receiver& r) {
  pn_link_t* raw = amqp::Raw(r);
  if (in_links_.erase(raw) == 0) return;
  std::erase_if(pending_, [&](const auto& kv) { return kv.second.link == raw; });
  TopUpCredit();
}

// A session that ends takes its links with it, without a detach for each.
void AmqpConnection::on_session_close(proton::session& session) {
  std::vector<proton::sender> senders;
  for (const auto& [sender, id] : out_ids_) {
    if (sender.session() == session) senders.push_back(sender);
  }
  for (const auto& sender : senders) ForgetSender(sender);
  std::vector<proton::receiver> receivers;
  for (const auto& [raw, link] : in_links_) {
    if (link.receiver.session() == session) receivers.push_back(link.receiver);
  }
  for (const auto& receiver : receivers) ForgetReceiver(receiver);
}

void AmqpConnection::on_sender_detach(proton::sender& s) { ForgetSender(s); }
void AmqpConnection::on_sender_close(proton::sender& s) { ForgetSender(s); }

void AmqpConnection::ForgetSender(const proton::sender& s) {
  auto id = out_ids_.find(s);
  if (id == out_ids_.end()) return;
  spdlog::info("receiver detached from out/{} (connection {}, link {})",
               out_links_[id->second].destination, id_, id->second);
  core_.Post(LinkGone{id->second});
  out_links_.erase(id->second);
  out_ids_.erase(id);
}

// ---- Outbound ----

// Demand told to the core is bounded by the receiver's credit AND by max-unsettled-outbound
// minus what the link holds unsettled: a receiver that grants a huge credit and never settles
// holds at most the cap, and the destination's other receivers get the rest.
void AmqpConnection::AskForMore(uint64_t link_id) {
  auto it = out_links_.find(link_id);
  if (it == out_links_.end()) return;
  OutLink& link = it->second;
  const int room = config_.transport.max_unsettled_outbound - static_cast<int>(link.in_flight.size());
  const int want = std::min(link.sender.credit(), room) - link.requested;
  if (want <= 0) return;
  link.requested += want;
  core_.Post(LinkDemand{id_, link_id, link.destination, want});
}

void AmqpConnection::on_sendable(proton::sender& s) {
  if (auto id = out_ids_.find(s); id != out_ids_.end()) AskForMore(id->second);
}

void AmqpConnection::Deliver(uint64_t link_id, std::vector<OutboxItem>& items) {
  auto it = out_links_.find(link_id);
  if (it == out_links_.end()) return;  // LinkGone already told the core
  OutLink& link = it->second;
  for (auto& item : items) {
    link.requested = std::max(0, link.requested - 1);
    if (link.sender.credit() <= 0 ||
        static_cast<int>(link.in_flight.size()) >= config_.transport.max_unsettled_outbound) {
      // The receiver drained its credit meanwhile; give the item back for a later attempt.
      core_.Post(DeliveryOutcome{link_id, item.seq, DeliveryOutcome::Kind::kReleased});
      continue;
    }
    proton::message m;
    m.id(proton::message_id(item.event_id));
    m.subject(item.kind);
    m.content_type("application/x-protobuf");
    m.durable(true);
    m.body(proton::binary(item.body.begin(), item.body.end()));
    m.inferred(true);  // a data section, not an amqp-value
    auto& props = m.properties();
    props.put("event_type", item.kind);
    props.put("case_id", item.case_id);
    props.put("schema_version", std::to_string(item.schema_version));
    link.sender.send(m, SeqTag(item.seq));
    link.in_flight.insert(item.seq);
  }
  AskForMore(link_id);
}

void AmqpConnection::Outcome(const proton::tracker& t, DeliveryOutcome::Kind kind) {
  auto id = out_ids_.find(t.sender());
  if (id == out_ids_.end()) return;
  const int64_t seq = SeqFromTag(t.tag());
  if (out_links_[id->second].in_flight.erase(seq) == 0) return;  // already reported
  core_.Post(DeliveryOutcome{id->second, seq, kind});
  AskForMore(id->second);
}

void AmqpConnection::on_tracker_accept(proton::tracker& t) { Outcome(t, DeliveryOutcome::Kind::kAccepted); }
void AmqpConnection::on_tracker_reject(proton::tracker& t) { Outcome(t, DeliveryOutcome::Kind::kRejected); }
void AmqpConnection::on_tracker_release(proton::tracker& t) {
  Outcome(t, t.state() == proton::transfer::MODIFIED ? DeliveryOutcome::Kind::kModified
                                                     : DeliveryOutcome::Kind::kReleased);
}
// Settled with no outcome: not known to be delivered, so it is tried again.
void AmqpConnection::on_tracker_settle(proton::tracker& t) { Outcome(t, DeliveryOutcome::Kind::kReleased); }

// ---- The end of a connection ----

void AmqpConnection::Fail(const std::string& condition, const std::string& description) {
  if (failed_) return;
  failed_ = true;
  fail_deadline_ms_ = now_ms_ + kFailFlushMs;
  counters_.connections_failed++;
  spdlog::warn("connection {} closed by the hub: {}: {}", id_, condition, Printable(description, 200));
  try {
    Close(condition, description);
  } catch (const std::exception&) {
    alive_ = false;  // the engine is past writing a close: the socket is just closed
  }
  Teardown();
}

void AmqpConnection::on_transport_error(proton::transport& t) {
  const proton::error_condition e = t.error();
  if (failed_ || e.name() == "slussen:io" || e.name() == "exception") return;
  // Proton found a protocol error, or the peer went silent past the idle timeout.
  if (e.name() == "amqp:resource-limit-exceeded") {
    counters_.idle_timeouts++;
  } else {
    counters_.connections_failed++;
  }
  spdlog::warn("connection {}: {}: {}", id_, Printable(e.name()), Printable(e.description(), 200));
}

void AmqpConnection::on_transport_close(proton::transport& t) {
  const proton::error_condition e = t.error();
  if (e && e.name() == "slussen:io") {
    spdlog::info("connection {} lost: {}", id_, e.description());
  } else {
    spdlog::info("connection {} closed", id_);
  }
  Teardown();
}

// The default rethrows; the driver would record that as an "exception" and fail the connection
// for what is only the peer closing a link or session with an error of its own.
void AmqpConnection::on_error(const proton::error_condition& e) {
  spdlog::info("connection {}: peer reported {}: {}", id_, Printable(e.name()), Printable(e.description(), 200));
}

void AmqpConnection::Teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  for (const auto& [link_id, link] : out_links_) core_.Post(LinkGone{link_id});
  out_links_.clear();
  out_ids_.clear();
  pending_.clear();
  in_links_.clear();
}

}  // namespace slussen
