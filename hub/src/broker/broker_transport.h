#pragma once
// Broker mode's transport (hub/DESIGN.md "Broker mode"): instead of listening, the hub is a client
// of an AMQP 1.0 broker (RabbitMQ 3.10). It consumes the broker's `events` and `receipts` queues
// and publishes to its `out.<destination>` queues, through the same connection runtime the
// adapters use (adapter::HubSession: reconnect with backoff, durable termini, confirmed sends,
// deferred settlement, receivers detached before the connection closes). To the core it is the
// same Transport as the embedded listener, so everything above it is unchanged.
//
// What the broker changes:
//  - Inbound: a message is settled (accepted/rejected/released, never MODIFIED, which RabbitMQ
//    3.10 answers by ending the session) only when the core has decided, i.e. after its commit;
//    a crash before that leaves the message in the broker, which delivers it again (the event
//    id makes the hub store it once). Who sent it is the message's user-id, which RabbitMQ checks
//    against the sender's login; it binds to the <adapter> whose <login user> it is, and an
//    unbound message is refused like an unbound connection in embedded mode.
//  - Outbound: one "link" per destination and connection, with `in-flight` demand. A delivery is
//    done when the broker confirms it (accepted = it is in the destination's durable queue); the
//    receiving adapter's own acceptance is then the broker's business, and the receipt remains
//    the proof of reception. A case's trains are kept as in embedded mode: a later event goes out
//    only once the broker confirmed the earlier one.
//  - A lost connection ends every link (LinkGone) and the in-flight sends count as failed
//    attempts; after the reconnect the links come back with fresh demand.
//
// Threading: Run() is this transport's own loop. The core (Settle, Deliver), the session's
// thread (deliveries, confirmations, connection changes) and the signal thread (StopAccepting,
// CloseAll, ForceStop) only queue commands for it; its state has that one owner.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/train_hold.h"
#include "api/transport.h"
#include "common/clock.h"
#include "config/config.h"

namespace slussen::adapter {
class HubSession;
}
namespace slussen::client {
struct IncomingMessage;
}

namespace slussen {

// Application properties of the hub's publications in broker mode, read back from the
// dead-letter queue.
inline constexpr std::string_view kOutboxSeqProperty = "slussen_outbox_seq";
inline constexpr std::string_view kDestinationProperty = "slussen_destination";

class BrokerTransport final : public Transport {
 public:
  // `config` (with config.broker set) must outlive the transport.
  BrokerTransport(const Config& config, Clock clock);
  ~BrokerTransport() override;

  void Run(CoreInbox& inbox, ReadyFn ready, FailFn fail) override;
  void StopAccepting() override;
  void CloseAll() override;
  void ForceStop() override;
  bool running() const override { return running_; }

  void Settle(uint64_t conn_id, uint64_t token, Settlement settlement) override;
  void Deliver(uint64_t conn_id, uint64_t link_id, std::vector<OutboxItem> items) override;
  void Recorded(uint64_t, uint64_t, std::vector<int64_t>) override {}  // the broker settles first

  // Any thread: whether a connection to the broker is open (for /ready and the metrics).
  bool connected() const { return connected_; }

 private:
  // A destination's queue on the current connection, as the core sees a receiver link.
  struct OutLink {
    uint64_t id = 0;
    std::string destination;
    int requested = 0;                       // demand told to the core, not yet used
    std::set<int64_t> in_flight;             // published, not yet confirmed
    TrainHold trains;                        // a case's later events (api/train_hold.h)
  };
  struct SendResult {
    uint64_t link_id = 0;
    int64_t seq = 0;
    DeliveryOutcome::Kind kind = DeliveryOutcome::Kind::kReleased;
    std::string condition;
    std::string description;
  };

  using Command = std::function<void()>;
  void Push(Command command);

  // Loop thread only.
  void OnConnected(int generation);
  void OnDisconnected();
  void OnMessage(Channel channel, uint64_t token, std::string user_id, std::string message_id,
                 std::string body, bool body_ok);
  // A message from the dead-letter queue: one of the hub's publications goes to the core
  // (BrokerDeadLetter); one the hub refused itself is recorded already and taken off.
  void OnDeadLetter(uint64_t token, const client::IncomingMessage& message);
  void SendNow(OutLink& link, std::vector<OutboxItem>& items);
  void SendOne(OutLink& link, OutboxItem& item);
  void OnSendResult(const SendResult& result);
  void GiveBack(OutLink& link, int64_t seq);
  void Follow(OutLink& link, int64_t seq, bool accepted);
  void AskForMore(OutLink& link);
  OutLink* FindLink(uint64_t link_id);

  const Config& config_;
  const BrokerConfig& broker_;
  Clock clock_;
  std::unique_ptr<adapter::HubSession> session_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Command> commands_;
  bool stop_ = false;  // under mu_: the loop ends

  // Loop thread only: inbound deliveries the core released (its store is full, or it drains),
  // handed back to the broker only after kReleaseDelay. Released at once, the broker would
  // deliver them again at once, in a loop as fast as the round trip, for as long as the reason
  // lasts.
  struct DelayedRelease {
    std::chrono::steady_clock::time_point due;
    uint64_t generation = 0;
    uint64_t token = 0;
  };
  std::deque<DelayedRelease> releases_;
  void ReleaseDue();

  std::atomic<bool> running_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> accepting_{true};

  // Loop thread only.
  CoreInbox* inbox_ = nullptr;
  uint64_t generation_ = 0;  // the connection's number; 0: none open
  uint64_t next_link_id_ = 1;
  std::map<std::string, OutLink> out_;  // by destination, current connection only
  uint64_t dead_letters_refused_ = 0;   // taken off the dead-letter queue as the hub's refusals
};

}  // namespace slussen
