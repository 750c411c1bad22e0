#pragma once
// Collects the messages a HubClient receiver gets, for tests to wait on. The handler runs on the
// client's thread; the test thread waits with a deadline (never a sleep).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hub_client.h"

namespace slussen::testing {

class MessageCollector {
 public:
  // Decides the disposition of each message; the default accepts everything. It sees the
  // message and how many messages with this message-id were received before it (0 = first).
  using Policy = std::function<client::Disposition(const client::IncomingMessage&, int seen_before)>;

  explicit MessageCollector(Policy policy = nullptr) : policy_(std::move(policy)) {}

  // For HubClient::Receive. The collector must outlive the receiver.
  client::HubClient::Handler Handler();

  // Waits until `pred(messages)` holds or the timeout passes; returns whether it held.
  bool WaitUntil(const std::function<bool(const std::vector<client::IncomingMessage>&)>& pred,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits until at least `n` messages arrived.
  bool WaitForCount(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits until a message with this message-id arrived (at least `times` times).
  bool WaitForId(const std::string& message_id, int times = 1,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits until every id in `ids` arrived at least once.
  bool WaitForIds(const std::set<std::string>& ids,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

  std::vector<client::IncomingMessage> Messages() const;
  std::size_t Count() const;
  int CountOf(const std::string& message_id) const;
  std::set<std::string> Ids() const;
  // Ids of the messages that the policy accepted.
  std::set<std::string> AcceptedIds() const;

 private:
  Policy policy_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<client::IncomingMessage> messages_;
  std::set<std::string> accepted_;
};

// Helpers for WaitUntil predicates / messages.
int CountId(const std::vector<client::IncomingMessage>& msgs, const std::string& id);
std::string Describe(const std::vector<client::IncomingMessage>& msgs);

}  // namespace slussen::testing
