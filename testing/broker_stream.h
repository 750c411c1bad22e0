#pragma once
// A stream of events through a hub in broker mode, for the fault tests
// (tests/integration/broker_fault_test.cc): a sender that keeps publishing events to `events`
// through an adapter's runtime (HubSession) and sends again whatever did not come back accepted,
// and a receiver on a kommun's out queue that accepts every delivery and counts them by event id.
// Both only count; the tests decide what the counts must be.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "runtime/hub_session.h"

namespace slussen::testing {

class BrokerStreamSender {
 public:
  // Publishes `count` events (each a case of its own, so the hub sends them side by side), a new
  // one every `interval` at most (so that a fault lands in the middle of the stream), `window`
  // unsettled at most, on `session` (started by the caller, and stopped before this is destroyed:
  // its outcomes come to this object).
  BrokerStreamSender(adapter::HubSession& session, int count, int window,
               std::chrono::milliseconds interval);
  ~BrokerStreamSender();  // Stop()
  BrokerStreamSender(const BrokerStreamSender&) = delete;
  BrokerStreamSender& operator=(const BrokerStreamSender&) = delete;

  void Start();
  // No new events until Resume() (what is to be sent again still goes): to bring the broker into
  // a state before the stream goes on, however long that takes.
  void Hold();
  void Resume();
  // Ends the stream; what is unsettled is left as it is (its `done` still comes, and is counted).
  void Stop();

  // Waits until `n` events are accepted; false after `timeout`.
  bool WaitAccepted(int n, std::chrono::milliseconds timeout);
  // Waits until every event of the stream is accepted.
  bool WaitAllAccepted(std::chrono::milliseconds timeout) { return WaitAccepted(count_, timeout); }

  struct Figures {
    int sent = 0;       // distinct events given to the session at least once
    int attempts = 0;   // sends, counting the sends again
    int accepted = 0;   // distinct events the broker accepted
    int rejected = 0;   // outcomes kRejected or kModified: the stream is not meant to have any
    int errors = 0;     // kError or kReleased: sent again
    int unsettled = 0;  // sends whose outcome has not come yet
  };
  Figures figures() const;
  std::set<std::string> SentIds() const;
  std::set<std::string> AcceptedIds() const;
  // When the last acceptance came (steady clock); the epoch when none has.
  std::chrono::steady_clock::time_point last_accept() const;

 private:
  void Run();

  adapter::HubSession& session_;
  const int count_;
  const int window_;
  const std::chrono::milliseconds interval_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool holding_ = false;
  int next_ = 0;                            // the next new event's index
  std::chrono::steady_clock::time_point next_due_{};  // when the next new event may go
  std::deque<std::string> again_;           // event ids to send again
  std::map<std::string, client::OutgoingMessage> messages_;  // by event id: every one made
  std::set<std::string> accepted_;
  Figures figures_;
  std::chrono::steady_clock::time_point last_accept_{};
};

class BrokerStreamReceiver {
 public:
  // Subscribes on `session` to `address`, `max_in_flight` at most (the session is stopped before
  // this is destroyed).
  BrokerStreamReceiver(adapter::HubSession& session, const std::string& address, int max_in_flight);

  // Waits until every id of `ids` has been delivered at least once; false after `timeout`.
  bool WaitAll(const std::set<std::string>& ids, std::chrono::milliseconds timeout);

  int delivered() const;                      // deliveries, counting duplicates
  std::map<std::string, int> Counts() const;  // event id -> times delivered
  std::chrono::steady_clock::time_point last_delivery() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> counts_;
  int delivered_ = 0;
  std::chrono::steady_clock::time_point last_delivery_{};
};

}  // namespace slussen::testing
