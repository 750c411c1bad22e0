#include "transport/transport.h"

#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/error_condition.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender_options.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/target.hpp>
#include <proton/target_options.hpp>
#include <proton/tracker.hpp>
#include <proton/uuid.hpp>
#include <proton/transport.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>


namespace slussen {
namespace {

// Unsettled inbound deliveries per sending link: the back-pressure window. Credit is returned
// one by one as the core settles, so a slow disk slows senders instead of filling memory.
constexpr int kInboundCredit = 1000;
constexpr const char* kOutPrefix = "out/";

// Proton C++ 0.37 cannot put an error condition on a rejected delivery; the C API can. The
// pointer-to-member reaches the protected accessor through a derived class, legally.
struct RawDelivery : proton::delivery {
  static pn_delivery_t* Of(const proton::delivery& d) {
    auto accessor = &RawDelivery::pn_object;
    return (d.*accessor)();
  }
};

void RejectWithCondition(proton::delivery& d, const std::string& name, const std::string& desc) {
  pn_condition_t* cond = pn_disposition_condition(pn_delivery_local(RawDelivery::Of(d)));
  pn_condition_set_name(cond, name.c_str());
  pn_condition_set_description(cond, desc.c_str());
  d.reject();
}

proton::binary SeqTag(int64_t seq) {
  proton::binary tag(sizeof seq, 0);
  std::memcpy(tag.data(), &seq, sizeof seq);
  return tag;
}

// The AMQP message-id as ingest compares it with the event id: a string as sent; any other type
// tagged with its type ("ulong:5", "uuid:…", "binary:<hex>"), so that it never equals an event
// id by accident. Empty when the message has none.
std::string MessageIdText(const proton::message_id& id) {
  switch (id.type()) {
    case proton::STRING: return proton::get<std::string>(id);
    case proton::ULONG: return "ulong:" + std::to_string(proton::get<uint64_t>(id));
    case proton::UUID: return "uuid:" + proton::get<proton::uuid>(id).str();
    case proton::BINARY: {
      // Only compared, never logged; 64 bytes are enough to differ from any event id.
      const proton::binary b = proton::get<proton::binary>(id);
      static constexpr char kHex[] = "0123456789abcdef";
      std::string out = "binary:";
      for (std::size_t i = 0; i < std::min<std::size_t>(b.size(), 64); ++i) {
        out += kHex[b[i] >> 4];
        out += kHex[b[i] & 0xf];
      }
      return out;
    }
    default: return "";
  }
}

int64_t SeqFromTag(const proton::binary& tag) {
  int64_t seq = -1;
  if (tag.size() == sizeof seq) std::memcpy(&seq, tag.data(), sizeof seq);
  return seq;
}

}  // namespace

class EmbeddedTransport::Listener final : public proton::listen_handler {
 public:
  Listener(ReadyFn ready, FailFn fail) : ready_(std::move(ready)), fail_(std::move(fail)) {}
  void on_open(proton::listener& l) override {
    const bool first = port == 0;
    port = l.port();
    if (first) ready_(host, port);
  }
  void on_error(proton::listener&, const std::string& error) override { fail_(error); }
  std::string host;
  int port = 0;  // the bound port, once listening

 private:
  ReadyFn ready_;
  FailFn fail_;
};

EmbeddedTransport::EmbeddedTransport(const Config& config, Clock clock) : config_(config), clock_(std::move(clock)) {}
EmbeddedTransport::~EmbeddedTransport() = default;

void EmbeddedTransport::Run(CoreInbox& core, ReadyFn ready, FailFn fail) {
  core_ = &core;
  listen_handler_ = std::make_unique<Listener>(std::move(ready), std::move(fail));
  listen_handler_->host = config_.amqp_host;
  running_ = true;
  while (true) {
    bool crashed = false;
    {
      proton::container container(*this, "slussen-" + config_.hub_name);
      {
        std::lock_guard lock(container_mu_);
        container_ = &container;
      }
      // After a restart, keep the port the peers already know.
      const int port = listen_handler_->port > 0 ? listen_handler_->port : config_.amqp_port;
      listener_ = container.listen(config_.amqp_host + ":" + std::to_string(port), *listen_handler_);
      try {
        container.run();
      } catch (const std::exception& e) {
        // Proton decodes each transfer before any handler sees it and throws on a payload that is
        // not an AMQP message, which ends the whole container. Nothing unsettled is lost (senders
        // resend, deliveries in flight are retried), but every connection is reset.
        crashed = true;
        spdlog::error("amqp: a peer sent a transfer Proton cannot decode ({}); resetting all "
                      "connections and listening again", e.what());
      }
      std::lock_guard lock(container_mu_);
      container_ = nullptr;
    }
    ForgetAllConnections();
    if (!crashed || !accepting_) break;
    spdlog::info("amqp: listening again on {}:{}", config_.amqp_host, listen_handler_->port);
  }
  running_ = false;
}

void EmbeddedTransport::ForgetAllConnections() {
  std::vector<proton::sender> senders;
  for (const auto& [id, state] : senders_) senders.push_back(state.sender);
  for (const auto& s : senders) ForgetSender(s);
  inbound_.clear();
  conn_ids_.clear();
  std::lock_guard lock(queues_mu_);
  queues_.clear();
}

void EmbeddedTransport::StopAccepting() {
  accepting_ = false;
  std::lock_guard lock(container_mu_);
  if (container_) container_->schedule(proton::duration(0), [this] { listener_.stop(); });
}

void EmbeddedTransport::ForceStop() {
  // Never under queues_mu_: stop() takes proactor locks that a handler may hold while it waits
  // for queues_mu_.
  std::lock_guard lock(container_mu_);
  if (container_) container_->stop();
}

void EmbeddedTransport::CloseAll() {
  std::lock_guard lock(queues_mu_);
  for (auto& [id, wq] : queues_) {
    const uint64_t conn_id = id;
    wq->add([this, conn_id] {
      for (auto& [conn, cid] : conn_ids_) {
        if (cid == conn_id) {
          proton::connection c = conn;
          c.close(proton::error_condition("amqp:connection:forced", "slussen is shutting down"));
          break;
        }
      }
    });
  }
}

bool EmbeddedTransport::Post(uint64_t conn_id, std::function<void()> fn) {
  std::lock_guard lock(queues_mu_);
  auto it = queues_.find(conn_id);
  return it != queues_.end() && it->second->add(std::move(fn));
}

uint64_t EmbeddedTransport::ConnId(const proton::connection& c) const {
  auto it = conn_ids_.find(c);
  return it == conn_ids_.end() ? 0 : it->second;
}

void EmbeddedTransport::on_connection_open(proton::connection& c) {
  if (!accepting_) {
    c.close(proton::error_condition("amqp:connection:forced", "slussen is shutting down"));
    return;
  }
  const uint64_t id = next_id_++;
  conn_ids_[c] = id;
  {
    std::lock_guard lock(queues_mu_);
    queues_[id] = &c.work_queue();
  }
  spdlog::info("connection {} opened from container '{}'", id, c.container_id());
  c.open();
}

void EmbeddedTransport::on_receiver_open(proton::receiver& r) {
  const std::string address = r.target().address();
  if (address != "events" && address != "receipts") {
    r.close(proton::error_condition(
        "amqp:not-found", "no such address '" + address + "': send events to 'events' and receipts to 'receipts'"));
    return;
  }
  r.open(proton::receiver_options().auto_accept(false).credit_window(0).target(
      proton::target_options().address(address)));
  r.add_credit(kInboundCredit);
}

void EmbeddedTransport::on_sender_open(proton::sender& s) {
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
  const uint64_t id = next_id_++;
  sender_ids_[s] = id;
  senders_[id] = {s, ConnId(s.connection()), destination, 0};
  spdlog::info("receiver attached to {} (link {})", address, id);
}

void EmbeddedTransport::on_message(proton::delivery& d, proton::message& m) {
  InboundMessage in;
  in.conn_id = ConnId(d.connection());
  in.channel = d.receiver().target().address() == "receipts" ? Channel::kReceipts : Channel::kEvents;
  in.received_at_us = ToMicros(clock_());
  in.message_id = MessageIdText(m.id());
  const proton::value& body = m.body();
  if (body.type() == proton::BINARY && m.inferred()) {
    const auto bytes = proton::get<proton::binary>(body);
    in.body_size = bytes.size();
    const std::size_t keep = std::min(bytes.size(), config_.max_message_bytes);
    in.body.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep));
  } else {
    in.body_problem = "expected one AMQP data section holding a serialized slussen.v1.Envelope, got " +
                      (body.empty() ? std::string("no body") : "an amqp-value of type " + proton::type_name(body.type()));
  }
  in.token = next_id_++;
  inbound_[in.token] = {d, d.receiver(), in.conn_id};
  if (!accepting_) {
    // Shutting down: the sender keeps the message and retries elsewhere or later.
    SettleNow(in.token, {Settlement::Kind::kReleased, "", ""});
    return;
  }
  core_->Post(std::move(in));
}

void EmbeddedTransport::Settle(uint64_t conn_id, uint64_t token, Settlement settlement) {
  Post(conn_id, [this, token, settlement = std::move(settlement)] { SettleNow(token, settlement); });
}

void EmbeddedTransport::SettleNow(uint64_t token, const Settlement& settlement) {
  auto it = inbound_.find(token);
  if (it == inbound_.end()) return;  // the link went away; the sender will retry
  auto& state = it->second;
  switch (settlement.kind) {
    case Settlement::Kind::kAccepted: state.delivery.accept(); break;
    case Settlement::Kind::kReleased: state.delivery.release(); break;
    case Settlement::Kind::kRejected:
      RejectWithCondition(state.delivery, settlement.condition, settlement.description);
      break;
  }
  if (state.receiver.active()) state.receiver.add_credit(1);
  inbound_.erase(it);
}

void EmbeddedTransport::on_sendable(proton::sender& s) {
  auto id = sender_ids_.find(s);
  if (id == sender_ids_.end()) return;
  auto& state = senders_[id->second];
  const int want = s.credit() - state.requested;
  if (want <= 0) return;
  state.requested += want;
  core_->Post(LinkDemand{state.conn_id, id->second, state.destination, want});
}

void EmbeddedTransport::Deliver(uint64_t conn_id, uint64_t link_id, std::vector<OutboxItem> items) {
  Post(conn_id, [this, link_id, items = std::move(items)]() mutable { SendNow(link_id, items); });
  // If the connection is gone, its LinkGone puts these items back in the core's retry set.
}

void EmbeddedTransport::SendNow(uint64_t link_id, std::vector<OutboxItem>& items) {
  auto it = senders_.find(link_id);
  if (it == senders_.end()) return;  // LinkGone already told the core
  auto& state = it->second;
  for (auto& item : items) {
    --state.requested;
    if (state.sender.credit() <= 0) {
      // The receiver drained its credit meanwhile; give the item back for a later attempt.
      core_->Post(DeliveryOutcome{link_id, item.seq, DeliveryOutcome::Kind::kReleased});
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
    state.sender.send(m, SeqTag(item.seq));
  }
  if (state.requested < 0) state.requested = 0;
  if (state.sender.credit() > state.requested) on_sendable(state.sender);
}

void EmbeddedTransport::ReportOutcome(proton::tracker& t, DeliveryOutcome::Kind kind) {
  auto id = sender_ids_.find(t.sender());
  const int64_t seq = SeqFromTag(t.tag());
  if (id == sender_ids_.end() || seq < 0) return;
  core_->Post(DeliveryOutcome{id->second, seq, kind});
}

void EmbeddedTransport::on_tracker_accept(proton::tracker& t) { ReportOutcome(t, DeliveryOutcome::Kind::kAccepted); }
void EmbeddedTransport::on_tracker_reject(proton::tracker& t) { ReportOutcome(t, DeliveryOutcome::Kind::kRejected); }
void EmbeddedTransport::on_tracker_release(proton::tracker& t) {
  ReportOutcome(t, t.state() == proton::transfer::MODIFIED ? DeliveryOutcome::Kind::kModified
                                                           : DeliveryOutcome::Kind::kReleased);
}

void EmbeddedTransport::ForgetSender(const proton::sender& s) {
  auto id = sender_ids_.find(s);
  if (id == sender_ids_.end()) return;
  spdlog::info("receiver detached from out/{} (link {})", senders_[id->second].destination, id->second);
  core_->Post(LinkGone{id->second});
  senders_.erase(id->second);
  sender_ids_.erase(id);
}

void EmbeddedTransport::on_sender_close(proton::sender& s) { ForgetSender(s); }

void EmbeddedTransport::on_receiver_close(proton::receiver& r) {
  std::erase_if(inbound_, [&](const auto& kv) { return kv.second.receiver == r; });
}

void EmbeddedTransport::on_transport_close(proton::transport& t) {
  proton::connection c = t.connection();
  const uint64_t conn_id = ConnId(c);
  if (conn_id == 0) return;
  {
    std::lock_guard lock(queues_mu_);
    queues_.erase(conn_id);
  }
  std::vector<proton::sender> gone;
  for (const auto& [id, state] : senders_) {
    if (state.conn_id == conn_id) gone.push_back(state.sender);
  }
  for (const auto& s : gone) ForgetSender(s);
  std::erase_if(inbound_, [&](const auto& kv) { return kv.second.conn_id == conn_id; });
  conn_ids_.erase(c);
  if (t.error()) {
    spdlog::info("connection {} closed: {}", conn_id, t.error().what());
  } else {
    spdlog::info("connection {} closed", conn_id);
  }
}

void EmbeddedTransport::on_error(const proton::error_condition& e) {
  // The default rethrows, which would end container.run() for everyone because of one peer.
  spdlog::warn("amqp: {}", e.what());
}

}  // namespace slussen
