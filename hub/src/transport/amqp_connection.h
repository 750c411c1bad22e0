#pragma once
// One AMQP connection of the embedded listener. It owns everything of that connection: the Proton
// engine (an io::connection_driver, which does no I/O of its own), its links, its inbound
// deliveries waiting for the core's settlement and its outbound deliveries waiting for the
// receiver's. Whoever owns the socket feeds it bytes and writes out what it produces
// (socket_loop.h); tests feed it from another driver in memory.
//
// Containment: whatever one peer sends can end only this connection. A transfer that is not an
// AMQP message, an exception out of a handler, or a protocol error closes this connection with an
// AMQP error condition saying why, is counted, and tells the core its links are gone; nothing is
// shared with any other connection. Proton's own message decoder is never run on inbound
// transfers: the connection reads each delivery's bytes itself (message_codec.h) before Proton's
// handler dispatch, so it can refuse two data sections and stop buffering an oversized delivery.
//
// Threading: not thread-safe. Every call, and every callback it makes into the CoreInbox, runs
// on the thread that owns the connection (the socket loop's).
#include <proton/connection_options.hpp>
#include <proton/io/connection_driver.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/sender.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "amqp/proton_compat.h"
#include "api/core_messages.h"
#include "api/train_hold.h"
#include "common/clock.h"
#include "config/config.h"
#include "transport/sasl_server.h"
#include "transport/tls_context.h"
#include "transport/transport_counters.h"

namespace slussen {

// Link ids are the core's keys for outbound links (LinkDemand, LinkGone, DeliveryOutcome), so
// they are unique over all connections of a transport: every connection draws them from the
// loop's one source.
struct LinkIdSource {
  uint64_t next = 1;
  uint64_t Next() { return next++; }
};

class AmqpConnection final : public proton::messaging_handler {
 public:
  // What the encoded message may carry besides its body (header, properties, application
  // properties): a delivery is refused once it passes max-message-bytes plus this.
  static constexpr std::size_t kSectionAllowance = 64 * 1024;

  // `config`, `core`, `link_ids`, `counters` and `accepting` must outlive the connection. `accepting` false:
  // new connections are refused and new inbound messages released (the hub is stopping).
  AmqpConnection(uint64_t id, const Config& config, CoreInbox& core, Clock clock,
                 LinkIdSource& link_ids, TransportCounters& counters,
                 const std::atomic<bool>& accepting);
  ~AmqpConnection() override;
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  // The server options every connection gets (container id, frame size, idle timeout).
  static proton::connection_options ServerOptions(const Config& config);

  // TLS and SASL of one connection (hub/DESIGN.md "Security: TLS and SASL").
  struct Security {
    const TlsContext* tls = nullptr;  // nullptr: no TLS layer (a plain-only listener)
    SaslServer::Policy sasl_policy;
    // Empty: no hub SASL layer at all, Proton's default (in-memory tests of other things).
    SaslServer::CheckPlain check_plain;
    // A client that skips SASL is refused (pn_transport_require_auth).
    bool require_auth = true;
  };
  // Starts the server side of the protocol. `options` must not set a handler. Without
  // `security`: no TLS and Proton's default SASL (in-memory tests of everything else).
  void Start(proton::connection_options options);
  void Start(proton::connection_options options, const Security& security);
  // The outcome of this connection's PLAIN check, to be sent to the peer at `at_ms` (a failure
  // is held back after repeated failures from its address; see auth_throttle.h).
  void PlainChecked(bool ok, int64_t at_ms);
  bool plain_pending() const { return sasl_ != nullptr && sasl_->plain_pending(); }
  // Closes the connection with `condition` (shutdown, or over max-connections).
  void Close(const std::string& condition, const std::string& description);

  // --- I/O (see proton::io::connection_driver). ---
  proton::io::mutable_buffer ReadBuffer();
  void ReadDone(std::size_t n);
  proton::io::const_buffer WriteBuffer();
  void WriteDone(std::size_t n);
  // The socket is gone (reset, EOF, write error); `why` is for the log.
  void Disconnected(const std::string& why);
  // Runs Proton's timers (idle timeout, heartbeats) at `now_ms` (any monotonic milliseconds);
  // returns when to call again (0: no timer). A peer that has not opened its connection one idle
  // timeout after the first Tick is dropped (Proton's idle timer starts only after the open).
  int64_t Tick(int64_t now_ms);
  // Takes the inbound deliveries that are complete and runs the handlers. Call after any of the
  // above, and after Settle/Deliver, before writing.
  void Process();
  // True once the connection has ended and its socket can be closed and the object destroyed.
  bool Finished();
  // False while the connection must not read: it has failed and only flushes its close, or its
  // PLAIN login is being checked (what the client sent behind it waits unread; sasl_server.cc).
  bool WantsRead() const { return !failed_ && !dropped_ && !plain_pending(); }

  // --- The core's decisions (delivered through the loop's queue). ---
  void Settle(uint64_t token, const Settlement& settlement);
  void Deliver(uint64_t link_id, std::vector<OutboxItem>& items);
  // The core recorded these acceptances: settle the ones the receiver left unsettled for us.
  void Recorded(uint64_t link_id, const std::vector<int64_t>& seqs);

  // Bytes Proton holds in this connection's inbound deliveries, not yet taken (a gauge: it stays
  // below a frame or so beyond max-message-bytes, whatever a peer sends).
  std::size_t BufferedInboundBytes();

  uint64_t id() const { return id_; }
  bool failed() const { return failed_; }

 private:
  struct InLink {  // a peer's sending link: we receive on it
    proton::receiver receiver;
    pn_link_t* raw = nullptr;
    Channel channel = Channel::kEvents;
    int unsettled = 0;                      // deliveries taken and not yet settled
    amqp::Ref<pn_delivery_t> oversized;     // refused while still arriving: its rest is dropped
  };
  struct OutLink {  // a peer's receiving link: we send on it
    proton::sender sender;
    std::string destination;
    int requested = 0;                      // demand told to the core, not yet answered
    std::unordered_set<int64_t> in_flight;  // seqs sent and not yet settled by the receiver
    // Accepted by a receiver that waits for our settlement (rcv-settle-mode second): settled
    // once the core has recorded the acceptance durably.
    std::unordered_map<int64_t, amqp::Ref<pn_delivery_t>> awaiting_record;
    // A case's later events, held until the receiver accepts the one before (api/train_hold.h).
    // Bounded by the core's demand.
    TrainHold trains;
  };
  struct Pending {  // an inbound delivery waiting for the core
    amqp::Ref<pn_delivery_t> delivery;
    pn_link_t* link = nullptr;
  };

  // proton::messaging_handler
  void on_connection_open(proton::connection& c) override;
  void on_receiver_open(proton::receiver& r) override;
  void on_sender_open(proton::sender& s) override;
  void on_message(proton::delivery& d, proton::message& m) override;
  void on_sendable(proton::sender& s) override;
  void on_tracker_accept(proton::tracker& t) override;
  void on_tracker_reject(proton::tracker& t) override;
  void on_tracker_release(proton::tracker& t) override;
  void on_tracker_settle(proton::tracker& t) override;
  void on_sender_detach(proton::sender& s) override;
  void on_sender_close(proton::sender& s) override;
  void on_receiver_detach(proton::receiver& r) override;
  void on_receiver_close(proton::receiver& r) override;
  void on_session_close(proton::session& s) override;
  void on_transport_error(proton::transport& t) override;
  void on_transport_close(proton::transport& t) override;
  void on_error(const proton::error_condition& e) override;

  // Why the adapter may not attach a sending link to `address` ("events" or "receipts"); empty
  // if it may.
  std::string InboundRefusal(const std::string& address) const;
  // Closes a link at attach with slussen:unauthorized, naming the address, the adapter and `why`.
  void RefuseAttach(proton::link& link, const std::string& address, const std::string& why);
  std::string TlsText();
  void SettleNow(uint64_t token, const Settlement& settlement);
  void SendNow(uint64_t link_id, std::vector<OutboxItem>& items);
  // Sends `item` now if the receiver has credit and the unsettled cap allows; otherwise gives
  // it (and whatever waits behind it) back to the core unsent.
  void SendOne(uint64_t link_id, OutLink& link, OutboxItem& item);
  // The item waiting behind `seq`, now that `seq` ended: sent if `seq` was accepted, else given
  // back unsent with everything behind it.
  void Follow(uint64_t link_id, OutLink& link, int64_t seq, bool accepted);
  void GiveBack(uint64_t link_id, OutLink& link, int64_t seq);
  void TakeInbound();
  void TakeFrom(InLink& link);
  void RefuseOversized(InLink& link, pn_delivery_t* d);
  void PostInbound(InLink& link, pn_delivery_t* d, std::string message_id, std::string body,
                   std::size_t body_size, std::string body_problem);
  void TopUpCredit();
  void AskForMore(uint64_t link_id);
  void Outcome(const proton::tracker& t, DeliveryOutcome outcome);
  void ForgetSender(const proton::sender& s);
  void ForgetReceiver(const proton::receiver& r);
  // Ends this connection alone: closes it with `condition`, counts and logs it.
  void Fail(const std::string& condition, const std::string& description);
  // Tells the core every outbound link is gone and drops all link state (idempotent).
  void Teardown();

  // Declared first so that it is destroyed last: everything below refers into its engine.
  proton::io::connection_driver driver_;
  const uint64_t id_;
  const Config& config_;
  CoreInbox& core_;
  Clock clock_;
  LinkIdSource& link_ids_;
  TransportCounters& counters_;
  const std::atomic<bool>& accepting_;
  const std::size_t delivery_limit_;  // encoded bytes after which a delivery is refused

  bool alive_ = true;    // the last dispatch said the engine is not finished
  bool failed_ = false;  // Fail() ran: only the close is still being written
  bool torn_down_ = false;
  bool closing_ = false;  // Close() ran: a late open from the peer is not answered with ours
  int64_t now_ms_ = 0;   // last Tick
  int64_t open_deadline_ms_ = -1;  // set at the first Tick; cleared by the peer's open
  bool opened_ = false;  // the peer's open arrived
  SaslServer* sasl_ = nullptr;   // owned by the transport; nullptr: Proton's default SASL
  uint64_t tls_generation_ = 0;  // 0: not a TLS listener
  struct HeldOutcome {
    bool ok = false;
    int64_t at_ms = 0;
  };
  std::optional<HeldOutcome> held_outcome_;  // a PLAIN outcome waiting for its time
  // The adapter entry the connection's login is bound to (config/config.h AdapterConfig); set
  // at the peer's open, nullptr before that or when refused.
  const AdapterConfig* adapter_ = nullptr;
  bool dropped_ = false;  // never opened in time: the socket is just closed
  int64_t fail_deadline_ms_ = 0;
  uint64_t next_token_ = 1;
  std::map<pn_link_t*, InLink> in_links_;
  std::unordered_map<uint64_t, OutLink> out_links_;
  std::map<proton::sender, uint64_t> out_ids_;
  std::unordered_map<uint64_t, Pending> pending_;
  std::string encoded_;  // the outgoing message being sent; its capacity is reused
};

}  // namespace slussen
