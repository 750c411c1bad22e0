#pragma once
// The embedded AMQP 1.0 transport: a Proton container, run on one thread, listening on the
// configured address. It turns AMQP deliveries into core inputs and carries out what the core
// decides (settle an inbound delivery, send outbox items). It owns no durable state.
//
// Threading: every proton::messaging_handler callback runs on the container thread. The core
// calls Settle()/Deliver() from its own thread; they hop onto the container thread through the
// target connection's work_queue (never container::schedule, which does not wake connection I/O).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include <proton/connection.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/listen_handler.hpp>
#include <proton/listener.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/sender.hpp>
#include <proton/work_queue.hpp>

#include "common/clock.h"
#include "config/config.h"
#include "api/transport.h"

namespace slussen {

class EmbeddedTransport final : public proton::messaging_handler, public Transport {
 public:
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

 private:
  class Listener;
  struct SenderState {
    proton::sender sender;
    uint64_t conn_id = 0;
    std::string destination;
    int requested = 0;  // demand told to the core and not yet answered with messages
  };
  struct InboundState {
    proton::delivery delivery;
    proton::receiver receiver;
    uint64_t conn_id = 0;
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
  void on_sender_close(proton::sender& s) override;
  void on_receiver_close(proton::receiver& r) override;
  void on_transport_close(proton::transport& t) override;
  void on_error(const proton::error_condition& e) override;

  // Runs fn on the connection's thread; false if the connection is gone.
  bool Post(uint64_t conn_id, std::function<void()> fn);
  uint64_t ConnId(const proton::connection& c) const;
  void ForgetSender(const proton::sender& s);
  void ForgetAllConnections();
  void ReportOutcome(proton::tracker& t, DeliveryOutcome::Kind kind);
  void SettleNow(uint64_t token, const Settlement& settlement);
  void SendNow(uint64_t link_id, std::vector<OutboxItem>& items);

  const Config& config_;
  Clock clock_;
  CoreInbox* core_ = nullptr;
  std::mutex container_mu_;                     // keeps container_ alive while in use
  proton::container* container_ = nullptr;      // guarded by container_mu_; set while Run() runs
  std::atomic<bool> running_{false};
  std::unique_ptr<Listener> listen_handler_;
  proton::listener listener_;
  std::atomic<bool> accepting_{true};

  // Container-thread state.
  uint64_t next_id_ = 1;
  std::map<proton::connection, uint64_t> conn_ids_;
  std::map<proton::sender, uint64_t> sender_ids_;
  std::unordered_map<uint64_t, SenderState> senders_;
  std::unordered_map<uint64_t, InboundState> inbound_;

  // Shared with the core thread: which connections can still be posted to.
  std::mutex queues_mu_;
  std::unordered_map<uint64_t, proton::work_queue*> queues_;  // guarded by queues_mu_
};

}  // namespace slussen
