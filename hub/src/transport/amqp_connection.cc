#include "transport/amqp_connection.h"

#include <proton/condition.h>
#include <proton/connection.hpp>
#include <proton/error_condition.hpp>
#include <proton/link.h>
#include <proton/receiver_options.hpp>
#include <proton/sender_options.hpp>
#include <proton/session.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/target.hpp>
#include <proton/target_options.hpp>
#include <proton/ssl.h>
#include <proton/transport.h>
#include <proton/transport.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "common/log_safe.h"

namespace slussen {
namespace {

constexpr const char* kOutPrefix = "out/";
constexpr const char* kUnauthorized = "slussen:unauthorized";
// How long a failed connection may take to write its close before its socket is closed anyway.
constexpr int64_t kFailFlushMs = 2000;

}  // namespace

// ", TLSv1.3 TLS_AES_256_GCM_SHA384, certificate generation 2", or "" without TLS.
std::string AmqpConnection::TlsText() {
  if (tls_generation_ == 0) return "";
  pn_transport_t* t = amqp::Raw(driver_.transport());
  char protocol[64] = "";
  char cipher[128] = "";
  if (!pn_ssl_get_protocol_name(pn_ssl(t), protocol, sizeof protocol)) return ", unencrypted";
  pn_ssl_get_cipher_name(pn_ssl(t), cipher, sizeof cipher);
  return std::string(", ") + protocol + " " + cipher + ", certificate generation " +
         std::to_string(tls_generation_);
}

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

void AmqpConnection::Start(proton::connection_options options, const Security& security) {
  options.handler(*this);
  driver_.accept(options);  // creates the SASL layer; the layers are set up at the first I/O
  pn_transport_t* t = amqp::Raw(driver_.transport());
  if (security.tls != nullptr) {
    if (pn_ssl_init(pn_ssl(t), security.tls->domain, nullptr) != 0) {
      Fail("amqp:internal-error", "TLS could not be set up for this connection");
      return;
    }
    tls_generation_ = security.tls->generation;
  }
  pn_transport_require_auth(t, security.require_auth);
  if (security.check_plain) {
    sasl_ = SaslServer::Install(t, id_, security.sasl_policy, security.check_plain);
  }
}

void AmqpConnection::PlainChecked(bool ok, int64_t at_ms) {
  if (sasl_ == nullptr || failed_ || dropped_) return;
  if (at_ms > now_ms_) {
    held_outcome_ = HeldOutcome{ok, at_ms};
    return;
  }
  sasl_->PlainChecked(amqp::Raw(driver_.transport()), ok);
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
  if (dropped_) return 0;
  if (failed_) {
    if (now_ms >= fail_deadline_ms_) alive_ = false;
    return fail_deadline_ms_;
  }
  if (held_outcome_ && now_ms >= held_outcome_->at_ms) {
    const bool ok = held_outcome_->ok;
    held_outcome_.reset();
    sasl_->PlainChecked(amqp::Raw(driver_.transport()), ok);
  }
  if (!opened_) {
    if (open_deadline_ms_ < 0) {
      open_deadline_ms_ = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(
                                       config_.transport.idle_timeout).count();
    }
    if (now_ms >= open_deadline_ms_) {
      counters_.idle_timeouts++;
      spdlog::info("connection {}: no AMQP open within the idle timeout; dropped", id_);
      dropped_ = true;
      Teardown();
      return 0;
    }
  }
  int64_t next = driver_.tick(proton::timestamp(now_ms)).milliseconds();
  if (held_outcome_) next = next == 0 ? held_outcome_->at_ms : std::min(next, held_outcome_->at_ms);
  if (opened_) return next;
  return next == 0 ? open_deadline_ms_ : std::min(next, open_deadline_ms_);
}

bool AmqpConnection::Finished() {
  if (dropped_) return true;
  if (failed_) return !alive_ || driver_.write_buffer().size == 0;
  // Producing output can close the transport without writing anything (a failed TLS handshake:
  // nothing left to send). Its closing events then wait in the collector for a dispatch that no
  // socket event would bring: run them now.
  if (alive_ && pn_transport_closed(amqp::Raw(driver_.transport()))) Process();
  return !alive_;
}

void AmqpConnection::Process() {
  if (failed_ || dropped_) return;
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

// ---- Links ----

void AmqpConnection::on_connection_open(proton::connection& c) {
  opened_ = true;
  if (closing_) return;  // refused at accept: our close is already on its way
  if (!accepting_) {
    c.close(proton::error_condition("amqp:connection:forced", "slussen is shutting down"));
    return;
  }
  // Every connection is bound to one adapter entry, whose entitlements then decide each attach
  // and each event: the one of the login SASL proved. A client that skipped SASL (allowed only
  // on a plain="allow" listener with an anonymous adapter) or used ANONYMOUS is anonymous.
  SaslIdentity who;
  if (sasl_ != nullptr && sasl_->identity()) who = *sasl_->identity();
  adapter_ = config_.FindAdapterByLogin(who.mechanism, who.identity);
  if (adapter_ == nullptr) {
    counters_.connections_unauthorized++;
    spdlog::warn("connection {} from container '{}' refused: no adapter entry for its login ({} "
                 "'{}')", id_, LogSafe(c.container_id()), MechanismName(who.mechanism),
                 LogSafe(who.identity, 200));
    c.close(proton::error_condition("amqp:unauthorized-access",
                                    "no adapter is configured for this client's login"));
    return;
  }
  spdlog::info("connection {} opened from container '{}' as adapter {} ({}{})", id_,
               LogSafe(c.container_id()), LogSafe(adapter_->name), MechanismName(who.mechanism),
               TlsText());
  c.open();
}

void AmqpConnection::on_receiver_open(proton::receiver& r) {
  if (adapter_ == nullptr) return;  // the connection was refused; its close is on its way
  const std::string address = r.target().address();
  if (address != "events" && address != "receipts") {
    r.close(proton::error_condition(
        "amqp:not-found", "no such address '" + address + "': send events to 'events' and receipts to 'receipts'"));
    return;
  }
  if (const std::string why = InboundRefusal(address); !why.empty()) {
    RefuseAttach(r, address, why);
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
  if (adapter_ == nullptr) return;  // the connection was refused; its close is on its way
  const std::string address = s.source().address();
  const bool is_out = address.rfind(kOutPrefix, 0) == 0;
  const std::string destination = is_out ? address.substr(std::strlen(kOutPrefix)) : "";
  if (!is_out || !config_.IsDestination(destination)) {
    s.close(proton::error_condition(
        "amqp:not-found", "no such address '" + address + "': receive from out/<destination>, "
                          "where destination is configured (e.g. out/kommun-1380)"));
    return;
  }
  if (!adapter_->reads.Contains(destination)) {
    RefuseAttach(s, address, "its <reads> does not name " + destination);
    return;
  }
  s.open(proton::sender_options().source(proton::source_options().address(address)));
  const uint64_t link_id = link_ids_.Next();
  out_ids_[s] = link_id;
  OutLink& link = out_links_[link_id];
  link.sender = s;
  link.destination = destination;
  spdlog::info("receiver attached to {} (connection {}, link {})", address, id_, link_id);
}

// Entitlements are checked when a link is attached, not when its first message comes: a
// refused link never gets credit, and a refused receiver never sees a message.
std::string AmqpConnection::InboundRefusal(const std::string& address) const {
  if (address == "receipts") {
    if (!adapter_->receipts_for.any && adapter_->receipts_for.ids.empty()) {
      return "its <receipts-for> names no destination";
    }
    const bool may_send_receipts = std::any_of(
        adapter_->sends.begin(), adapter_->sends.end(),
        [](const auto& sender) { return sender.second.count(EventKind::kReceipt) != 0; });
    if (!may_send_receipts) return "its <sends> allows Receipt under no sender HSA-id";
    return "";
  }
  const bool may_send_any = std::any_of(adapter_->sends.begin(), adapter_->sends.end(),
                                        [](const auto& sender) { return !sender.second.empty(); });
  return may_send_any ? "" : "it may send no event (its <sends> allows nothing)";
}

void AmqpConnection::RefuseAttach(proton::link& link, const std::string& address,
                                  const std::string& why) {
  counters_.links_unauthorized++;
  // The address is a configured destination or one of the two inbound addresses by now, and
  // the adapter's name comes from the config: both safe to log.
  spdlog::warn("connection {}: adapter {} refused at attach to '{}': {}", id_,
               LogSafe(adapter_->name), LogSafe(address), why);
  link.close(proton::error_condition(
      kUnauthorized, "adapter " + adapter_->name + " may not use '" + address + "': " + why));
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

// ---- The end of a connection ----

void AmqpConnection::Fail(const std::string& condition, const std::string& description) {
  if (failed_) return;
  failed_ = true;
  fail_deadline_ms_ = now_ms_ + kFailFlushMs;
  counters_.connections_failed++;
  spdlog::warn("connection {} closed by the hub: {}: {}", id_, condition, LogSafe(description, 200));
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
  // Proton found a protocol error, or the peer went silent past the idle timeout, or SASL
  // refused the login (logged by the SASL server with its reason).
  if (e.name() == "amqp:unauthorized-access") {
    counters_.connections_unauthorized++;
  } else if (e.name() == "amqp:resource-limit-exceeded") {
    counters_.idle_timeouts++;
  } else {
    counters_.connections_failed++;
  }
  spdlog::warn("connection {}: {}: {}", id_, LogSafe(e.name()), LogSafe(e.description(), 200));
}

void AmqpConnection::on_transport_close(proton::transport& t) {
  const proton::error_condition e = t.error();
  if (e && e.name() == "slussen:io") {
    spdlog::info("connection {} lost: {}", id_, LogSafe(e.description(), 200));
  } else {
    spdlog::info("connection {} closed", id_);
  }
  Teardown();
}

// The default rethrows; the driver would record that as an "exception" and fail the connection
// for what is only the peer closing a link or session with an error of its own.
void AmqpConnection::on_error(const proton::error_condition& e) {
  spdlog::info("connection {}: peer reported {}: {}", id_, LogSafe(e.name()),
               LogSafe(e.description(), 200));
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
