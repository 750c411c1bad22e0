#include "testing/broker_stream.h"

#include "testing/test_envelopes.h"
#include "testing/test_messages.h"

namespace slussen::testing {

using client::SendOutcome;

BrokerStreamSender::BrokerStreamSender(adapter::HubSession& session, int count, int window,
                           std::chrono::milliseconds interval)
    : session_(session), count_(count), window_(window), interval_(interval) {}

BrokerStreamSender::~BrokerStreamSender() { Stop(); }

void BrokerStreamSender::Start() { thread_ = std::thread([this] { Run(); }); }

void BrokerStreamSender::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BrokerStreamSender::Hold() {
  std::lock_guard lock(mu_);
  holding_ = true;
}

void BrokerStreamSender::Resume() {
  {
    std::lock_guard lock(mu_);
    holding_ = false;
  }
  cv_.notify_all();
}

void BrokerStreamSender::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // The failed first: a stream that has reached its end still has them to finish.
    if (figures_.unsettled >= window_ || (again_.empty() && (next_ >= count_ || holding_))) {
      cv_.wait(lock);
      continue;
    }
    std::string id;
    if (!again_.empty()) {
      id = again_.front();
      again_.pop_front();
    } else {
      const auto now = std::chrono::steady_clock::now();
      if (now < next_due_) {
        cv_.wait_until(lock, next_due_);
        continue;
      }
      next_due_ = now + interval_;
      const v1::Envelope env = ValidInskrivningOwnCase();
      id = env.event_id();
      messages_[id] = ToMessage(env);
      ++next_;
      ++figures_.sent;
    }
    client::OutgoingMessage message = messages_.at(id);
    ++figures_.attempts;
    ++figures_.unsettled;
    lock.unlock();
    session_.Send("events", std::move(message), [this, id](const SendOutcome& o) {
      {
        std::lock_guard done_lock(mu_);
        --figures_.unsettled;
        switch (o.kind) {
          case SendOutcome::Kind::kAccepted:
            accepted_.insert(id);
            last_accept_ = std::chrono::steady_clock::now();
            break;
          case SendOutcome::Kind::kRejected:
          case SendOutcome::Kind::kModified:
            ++figures_.rejected;
            break;
          case SendOutcome::Kind::kReleased:
          case SendOutcome::Kind::kError:
            // What an adapter does with an outcome it does not know: the upstream system sends
            // again (here at once: a session without a connection holds the send until it has one).
            ++figures_.errors;
            again_.push_back(id);
            break;
        }
      }
      cv_.notify_all();
    });
    lock.lock();
  }
}

bool BrokerStreamSender::WaitAccepted(int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return static_cast<int>(accepted_.size()) >= n; });
}

BrokerStreamSender::Figures BrokerStreamSender::figures() const {
  std::lock_guard lock(mu_);
  Figures f = figures_;
  f.accepted = static_cast<int>(accepted_.size());
  return f;
}

std::set<std::string> BrokerStreamSender::SentIds() const {
  std::lock_guard lock(mu_);
  std::set<std::string> ids;
  for (const auto& [id, message] : messages_) ids.insert(id);
  return ids;
}

std::set<std::string> BrokerStreamSender::AcceptedIds() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

std::chrono::steady_clock::time_point BrokerStreamSender::last_accept() const {
  std::lock_guard lock(mu_);
  return last_accept_;
}

BrokerStreamReceiver::BrokerStreamReceiver(adapter::HubSession& session, const std::string& address,
                               int max_in_flight) {
  session.Subscribe(address, max_in_flight, [this, &session](adapter::HubSession::Delivery d) {
    {
      std::lock_guard lock(mu_);
      ++counts_[d.message.message_id];
      ++delivered_;
      last_delivery_ = std::chrono::steady_clock::now();
    }
    cv_.notify_all();
    session.Settle(d.token, client::Disposition::kAccept);
  });
}

bool BrokerStreamReceiver::WaitAll(const std::set<std::string>& ids, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    for (const std::string& id : ids) {
      if (counts_.count(id) == 0) return false;
    }
    return true;
  });
}

int BrokerStreamReceiver::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

std::map<std::string, int> BrokerStreamReceiver::Counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

std::chrono::steady_clock::time_point BrokerStreamReceiver::last_delivery() const {
  std::lock_guard lock(mu_);
  return last_delivery_;
}

}  // namespace slussen::testing
