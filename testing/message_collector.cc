#include "testing/message_collector.h"

#include <sstream>

namespace slussen::testing {

client::HubClient::Handler MessageCollector::Handler() {
  return [this](const client::IncomingMessage& m) {
    std::unique_lock<std::mutex> lock(mu_);
    const int seen = CountId(messages_, m.message_id);
    lock.unlock();
    const client::Disposition d = policy_ ? policy_(m, seen) : client::Disposition::kAccept;
    lock.lock();
    messages_.push_back(m);
    if (d == client::Disposition::kAccept) accepted_.insert(m.message_id);
    cv_.notify_all();
    return d;
  };
}

bool MessageCollector::WaitUntil(
    const std::function<bool(const std::vector<client::IncomingMessage>&)>& pred,
    std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pred(messages_); });
}

bool MessageCollector::WaitForCount(std::size_t n, std::chrono::milliseconds timeout) {
  return WaitUntil([n](const auto& msgs) { return msgs.size() >= n; }, timeout);
}

bool MessageCollector::WaitForId(const std::string& message_id, int times,
                                 std::chrono::milliseconds timeout) {
  return WaitUntil([&](const auto& msgs) { return CountId(msgs, message_id) >= times; }, timeout);
}

bool MessageCollector::WaitForIds(const std::set<std::string>& ids,
                                  std::chrono::milliseconds timeout) {
  return WaitUntil(
      [&](const auto& msgs) {
        std::set<std::string> got;
        for (const auto& m : msgs) got.insert(m.message_id);
        for (const auto& id : ids) {
          if (!got.contains(id)) return false;
        }
        return true;
      },
      timeout);
}

std::vector<client::IncomingMessage> MessageCollector::Messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

std::size_t MessageCollector::Count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_.size();
}

int MessageCollector::CountOf(const std::string& message_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return CountId(messages_, message_id);
}

std::set<std::string> MessageCollector::Ids() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> ids;
  for (const auto& m : messages_) ids.insert(m.message_id);
  return ids;
}

std::set<std::string> MessageCollector::AcceptedIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return accepted_;
}

int CountId(const std::vector<client::IncomingMessage>& msgs, const std::string& id) {
  int n = 0;
  for (const auto& m : msgs) n += (m.message_id == id) ? 1 : 0;
  return n;
}

std::string Describe(const std::vector<client::IncomingMessage>& msgs) {
  std::ostringstream os;
  os << msgs.size() << " message(s):";
  for (const auto& m : msgs) os << "\n  " << m.address << " id=" << m.message_id << " subject=" << m.subject;
  return os.str();
}

}  // namespace slussen::testing
