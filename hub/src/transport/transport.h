#pragma once
// The embedded AMQP 1.0 transport: a listener on the configured address, served by one socket
// loop thread (socket_loop.h) in which each connection is its own AmqpConnection
// (amqp_connection.h). It turns AMQP deliveries into core inputs and carries out what the core
// decides (settle an inbound delivery, send outbox items). It owns no durable state.
//
// Threading: Run() is the socket loop and owns every connection. The core calls Settle(),
// Deliver() and Recorded() from its own thread, the signal thread calls
// StopAccepting/CloseAll/ForceStop: each only queues a command for the loop (LoopInbox: a
// mutex-guarded queue and an eventfd), naming the connection by id. No other thread ever
// touches a connection object. The core's commands are held until its EndOfTurn() and then
// queued together: at 1,000 events/s each turn settles one event, records its receivers'
// acceptances and delivers it, and one wake-up of the loop instead of two or three per turn
// takes an eventfd write (an interrupt to the other core) off the core thread.
#include <atomic>
#include <cstdint>
#include <memory>

#include "api/transport.h"
#include "common/clock.h"
#include "config/config.h"
#include "transport/loop_inbox.h"
#include "transport/socket_loop.h"
#include "transport/tls_context.h"
#include "transport/transport_counters.h"

namespace slussen {

class EmbeddedTransport final : public Transport {
 public:
  // `config` must outlive the transport.
  EmbeddedTransport(const Config& config, Clock clock);
  ~EmbeddedTransport() override;

  void Run(CoreInbox& inbox, ReadyFn ready, FailFn fail) override;
  void StopAccepting() override;
  void CloseAll() override;
  void ForceStop() override;
  bool running() const override { return running_; }

  // CoreOutput (called from the core thread).
  void Settle(uint64_t conn_id, uint64_t token, Settlement settlement) override;
  void Deliver(uint64_t conn_id, uint64_t link_id, std::vector<OutboxItem> items) override;
  void Recorded(uint64_t conn_id, uint64_t link_id, std::vector<int64_t> seqs) override;
  void EndOfTurn() override;

  // Live counters (any thread).
  const TransportCounters& counters() const { return counters_; }
  // TLS on the listener (tls_context.h): the first generation, set before Run() when the
  // config has <amqp><tls>.
  void SetTls(std::shared_ptr<const TlsContext> tls) { tls_ = std::move(tls); }
  // Any thread (SIGHUP): connections accepted from now on get `tls`; open ones keep theirs.
  void ReloadTls(std::shared_ptr<const TlsContext> tls) { inbox_.Push(ReloadTlsCommand{std::move(tls)}); }

 private:
  const Config& config_;
  Clock clock_;
  LoopInbox inbox_;
  // The core thread's commands of its current turn, in order (core thread only).
  std::vector<LoopCommand> held_;
  TransportCounters counters_;
  std::shared_ptr<const TlsContext> tls_;
  std::atomic<bool> accepting_{true};
  std::atomic<bool> force_stop_{false};
  std::atomic<bool> running_{false};
};

}  // namespace slussen
