#include "hub_client.h"

#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/error_condition.hpp>
#include <proton/message.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/source_options.hpp>
#include <proton/target_options.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>
#include <proton/uuid.hpp>
#include <proton/work_queue.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "one_shot.h"
#include "proton_convert.h"

namespace slussen::client {

const char* OutcomeName(SendOutcome::Kind kind) {
  switch (kind) {
    case SendOutcome::Kind::kAccepted: return "accepted";
    case SendOutcome::Kind::kRejected: return "rejected";
    case SendOutcome::Kind::kReleased: return "released";
    case SendOutcome::Kind::kModified: return "modified";
    case SendOutcome::Kind::kError: return "error";
  }
  return "unknown";
}

namespace {

SendOutcome ErrorOutcome(std::string condition, std::string description) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::kError;
  o.condition = std::move(condition);
  o.description = std::move(description);
  return o;
}

SendOutcome ErrorOutcome(const proton::error_condition& ec, const std::string& fallback) {
  if (!ec) return ErrorOutcome("", fallback);
  return ErrorOutcome(ec.name(), ec.description().empty() ? fallback : ec.description());
}

std::string ConditionText(const proton::error_condition& ec, const std::string& fallback) {
  if (!ec) return fallback;
  return ec.description().empty() ? ec.name() : ec.name() + ": " + ec.description();
}

// The messages of one SendAll call and their outcomes. The container thread owns the sending
// cursor (next, inflight); the outcomes are shared with the waiting caller under `mu`. If the
// caller gives up (timeout), the batch is abandoned: late outcomes are dropped, unsent messages
// are not sent.
struct Batch {
  std::vector<proton::message> msgs;
  int window = 1;
  std::size_t next = 0;  // container thread only
  int inflight = 0;      // container thread only

  std::mutex mu;
  std::condition_variable cv;
  std::vector<SendOutcome> out;
  std::vector<bool> done;
  std::size_t ndone = 0;
  bool abandoned = false;

  void Complete(std::size_t i, SendOutcome o) {
    std::lock_guard<std::mutex> lock(mu);
    if (abandoned || done[i]) return;
    out[i] = std::move(o);
    done[i] = true;
    if (++ndone == out.size()) cv.notify_all();
  }

  bool Abandoned() {
    std::lock_guard<std::mutex> lock(mu);
    return abandoned;
  }

  std::vector<SendOutcome> Wait(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_until(lock, deadline, [this] { return ndone == out.size(); });
    if (ndone != out.size()) {
      abandoned = true;
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (!done[i]) out[i] = ErrorOutcome("", "timed out waiting for settlement");
      }
    }
    return out;
  }
};

struct SenderState {
  proton::sender sender;
  std::deque<std::shared_ptr<Batch>> batches;  // in order; a batch leaves once all are sent
};

struct ReceiverState {
  int id = 0;
  std::string address;
  HubClient::Handler handler;
  proton::receiver receiver;
  std::shared_ptr<OneShot<std::string>> attach_done;  // "" on success, else the error
  std::shared_ptr<OneShot<bool>> close_done;          // set when the peer's detach arrived
};

}  // namespace

class HubClient::Impl : public proton::messaging_handler {
 public:
  Impl(std::string url, ClientSecurity security, const std::string& container_id)
      : url_(std::move(url)),
        security_(std::move(security)),
        container_(*this, container_id.empty() ? "slussen-client-" + proton::uuid::random().str()
                                               : container_id) {}

  ~Impl() override { Close(); }

  bool Connect(std::chrono::milliseconds timeout, std::string* error) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (phase_ != Phase::kIdle) {
        if (error) *error = "Connect() may be called once per client";
        return false;
      }
      phase_ = Phase::kConnecting;
    }
    thread_ = std::thread([this] { RunContainer(); });
    std::optional<std::string> result = connected_.WaitFor(timeout);
    if (result && result->empty()) return true;
    if (error) *error = result ? *result : "timed out connecting to " + url_;
    StopAndJoin();
    return false;
  }

  std::vector<SendOutcome> SendAll(const std::string& address,
                                   const std::vector<OutgoingMessage>& msgs, int window,
                                   std::chrono::milliseconds timeout) {
    if (msgs.empty()) return {};
    auto deadline = DeadlineAfter(timeout);
    auto batch = std::make_shared<Batch>();
    batch->window = std::max(1, window);
    batch->msgs.reserve(msgs.size());
    for (const auto& m : msgs) batch->msgs.push_back(ToProton(m));
    batch->out.resize(msgs.size());
    batch->done.assign(msgs.size(), false);
    auto dropped = [batch] {
      for (std::size_t i = 0; i < batch->out.size(); ++i) {
        batch->Complete(i, ErrorOutcome("", "connection closed"));
      }
    };
    if (!Post([this, address, batch] { Enqueue(address, batch); }, dropped)) {
      return std::vector<SendOutcome>(msgs.size(), ErrorOutcome("", "not connected"));
    }
    return batch->Wait(deadline);
  }

  int Receive(const std::string& address, Handler handler, int credit, std::string* error,
              std::chrono::milliseconds timeout) {
    const int id = next_receiver_id_++;
    auto attach_done = std::make_shared<OneShot<std::string>>();
    bool posted = Post([this, id, address, handler = std::move(handler), credit, attach_done] {
      if (closing_) {
        attach_done->Set("client is closing");
        return;
      }
      ReceiverState st;
      st.id = id;
      st.address = address;
      st.handler = handler;
      st.attach_done = attach_done;
      // auto_accept off: the handler decides. credit_window keeps `credit` outstanding.
      st.receiver = conn_.open_receiver(
          address, proton::receiver_options()
                       .auto_accept(false)
                       .credit_window(std::max(1, credit))
                       .source(proton::source_options().address(address)));
      receivers_[id] = std::move(st);
    }, [attach_done] { attach_done->Set("connection closed"); });
    if (!posted) {
      if (error) *error = "not connected";
      return -1;
    }
    std::optional<std::string> result = attach_done->WaitFor(timeout);
    if (result && result->empty()) return id;
    if (error) *error = result ? *result : "timed out attaching to " + address;
    if (!result) CloseReceiver(id);  // a late attach must not leave a live link behind
    return -1;
  }

  void CloseReceiver(int id) {
    auto close_done = std::make_shared<OneShot<bool>>();
    bool posted = Post([this, id, close_done] {
      auto it = receivers_.find(id);
      if (it == receivers_.end()) {
        close_done->Set(true);
        return;
      }
      it->second.close_done = close_done;
      it->second.receiver.close();
    }, [close_done] { close_done->Set(true); });
    if (posted) close_done->WaitFor(kCloseTimeout);
  }

  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (phase_ == Phase::kIdle) {
        phase_ = Phase::kClosed;
        return;
      }
    }
    // RabbitMQ lesson (docs/amqp-notes.md §3): closing the connection right after accepting can
    // lose the accepts, so detach every receiver, wait for the peer's detach, then close.
    Post([this] {
      closing_ = true;
      for (auto& [id, st] : receivers_) {
        if (st.receiver.active()) st.receiver.close();
      }
      MaybeCloseConnection();
    });
    if (!stopped_.WaitFor(kCloseTimeout)) container_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  enum class Phase { kIdle, kConnecting, kOpen, kClosed };
  static constexpr std::chrono::seconds kCloseTimeout{10};

  // ---- any thread ----

  // Runs `fn` on the container thread; false if there is no open connection to run it on.
  // Proton drops work still queued when a connection ends, so `if_dropped` (which must only
  // complete waiters) runs instead if `fn` never gets to run; either way the caller's wait ends.
  bool Post(std::function<void()> fn, std::function<void()> if_dropped = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!work_queue_) return false;
    const uint64_t ticket = next_ticket_++;
    if (if_dropped) unrun_[ticket] = if_dropped;
    bool added = work_queue_->add([this, ticket, fn = std::move(fn), if_dropped] {
      {
        std::lock_guard<std::mutex> inner(mu_);
        unrun_.erase(ticket);
      }
      if (transport_closed_) {
        if (if_dropped) if_dropped();
        return;
      }
      try {
        fn();
      } catch (const std::exception&) {
        // Proton throws on misuse (e.g. an address it cannot parse); that must fail this one
        // call, not end the container thread and with it every other call.
        if (if_dropped) if_dropped();
      }
    });
    if (!added) unrun_.erase(ticket);
    return added;
  }

  void StopAndJoin() {
    if (!stopped_.WaitFor(std::chrono::milliseconds(0))) container_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // ---- container thread ----

  void RunContainer() {
    try {
      container_.run();
    } catch (const std::exception& e) {
      // Every handler below swallows errors, so this is a Proton-internal failure. Report it
      // through the pending operations rather than std::terminate.
      last_error_ = std::string("container stopped: ") + e.what();
    }
    std::map<uint64_t, std::function<void()>> unrun;
    {
      std::lock_guard<std::mutex> lock(mu_);
      work_queue_ = nullptr;
      phase_ = Phase::kClosed;
      unrun.swap(unrun_);
    }
    FailEverything(last_error_.empty() ? "connection closed" : last_error_);
    for (auto& [ticket, fn] : unrun) fn();
    stopped_.Set(true);
  }

  void Enqueue(const std::string& address, const std::shared_ptr<Batch>& batch) {
    if (closing_) {
      for (std::size_t i = 0; i < batch->msgs.size(); ++i) {
        batch->Complete(i, ErrorOutcome("", "client is closing"));
      }
      return;
    }
    auto it = senders_.find(address);
    if (it == senders_.end()) {
      SenderState st;
      st.sender = conn_.open_sender(
          address, proton::sender_options().target(proton::target_options().address(address)));
      sender_address_[st.sender] = address;
      it = senders_.emplace(address, std::move(st)).first;
    }
    it->second.batches.push_back(batch);
    if (it->second.sender.active()) Pump(it->second);
  }

  void Pump(SenderState& st) {
    while (st.sender.credit() > 0 && !st.batches.empty()) {
      Batch& b = *st.batches.front();
      if (b.next == b.msgs.size() || b.Abandoned()) {
        st.batches.pop_front();
        continue;
      }
      if (b.inflight >= b.window) break;
      std::size_t i = b.next++;
      proton::tracker t = st.sender.send(b.msgs[i]);
      b.msgs[i] = proton::message();  // encoded now; free the copy
      ++b.inflight;
      trackers_[t] = {st.batches.front(), i};
    }
  }

  void Settled(proton::tracker& t) {
    auto it = trackers_.find(t);
    if (it == trackers_.end()) return;
    auto [batch, index] = it->second;
    trackers_.erase(it);
    --batch->inflight;
    batch->Complete(index, OutcomeOf(t));
    auto s = sender_address_.find(t.sender());
    if (s == sender_address_.end()) return;
    auto st = senders_.find(s->second);
    if (st != senders_.end()) Pump(st->second);
  }

  // A sender link ended: everything queued or unsettled on it fails with the link's condition.
  void SenderGone(proton::sender& s, const std::string& reason) {
    SendOutcome failure = ErrorOutcome(s.error(), reason);
    for (auto it = trackers_.begin(); it != trackers_.end();) {
      if (it->first.sender() == s) {
        it->second.first->Complete(it->second.second, failure);
        it = trackers_.erase(it);
      } else {
        ++it;
      }
    }
    auto a = sender_address_.find(s);
    if (a == sender_address_.end()) return;
    auto st = senders_.find(a->second);
    if (st != senders_.end()) {
      for (auto& b : st->second.batches) {
        for (std::size_t i = b->next; i < b->msgs.size(); ++i) b->Complete(i, failure);
      }
      senders_.erase(st);
    }
    sender_address_.erase(a);
  }

  void ReceiverGone(proton::receiver& r, const std::string& reason) {
    for (auto it = receivers_.begin(); it != receivers_.end(); ++it) {
      if (it->second.receiver != r) continue;
      it->second.attach_done->Set(ConditionText(r.error(), reason));
      if (it->second.close_done) it->second.close_done->Set(true);
      receivers_.erase(it);
      break;
    }
    MaybeCloseConnection();
  }

  void MaybeCloseConnection() {
    if (closing_ && receivers_.empty() && conn_ && conn_.active()) conn_.close();
  }

  void FailEverything(const std::string& reason) {
    SendOutcome failure = ErrorOutcome("", reason);
    for (auto& [t, pending] : trackers_) pending.first->Complete(pending.second, failure);
    trackers_.clear();
    for (auto& [address, st] : senders_) {
      for (auto& b : st.batches) {
        for (std::size_t i = b->next; i < b->msgs.size(); ++i) b->Complete(i, failure);
      }
    }
    senders_.clear();
    sender_address_.clear();
    for (auto& [id, st] : receivers_) {
      st.attach_done->Set(reason);
      if (st.close_done) st.close_done->Set(true);
    }
    receivers_.clear();
    connected_.Set(reason);
  }

  // ---- Proton events (container thread) ----

  void on_container_start(proton::container& c) override {
    // No automatic reconnect: a lost connection fails the pending calls, and the caller decides.
    proton::connection_options options;
    ApplySecurity(security_, options);
    c.connect(url_, options);
  }

  void on_connection_open(proton::connection& c) override {
    conn_ = c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      work_queue_ = &c.work_queue();
      phase_ = Phase::kOpen;
    }
    connected_.Set("");
  }

  void on_sendable(proton::sender& s) override {
    auto a = sender_address_.find(s);
    if (a == sender_address_.end()) return;
    auto st = senders_.find(a->second);
    if (st != senders_.end()) Pump(st->second);
  }

  void on_tracker_accept(proton::tracker& t) override { Settled(t); }
  void on_tracker_reject(proton::tracker& t) override { Settled(t); }
  // Fires for RELEASED and MODIFIED alike; OutcomeOf tells them apart by t.state().
  void on_tracker_release(proton::tracker& t) override { Settled(t); }
  // Settled without one of the three outcomes above (e.g. a peer that settles with no state).
  void on_tracker_settle(proton::tracker& t) override { Settled(t); }

  void on_sender_open(proton::sender& s) override {
    if (RefusedAtAttach(s)) return;  // the detach with the reason follows
    on_sendable(s);
  }
  void on_sender_error(proton::sender&) override {}  // handled in on_sender_close
  void on_sender_close(proton::sender& s) override { SenderGone(s, "sender link closed"); }

  void on_receiver_open(proton::receiver& r) override {
    if (RefusedAtAttach(r)) return;  // the detach with the reason follows
    for (auto& [id, st] : receivers_) {
      if (st.receiver == r) {
        st.attach_done->Set("");
        return;
      }
    }
  }
  void on_receiver_error(proton::receiver&) override {}  // handled in on_receiver_close
  void on_receiver_close(proton::receiver& r) override { ReceiverGone(r, "attach refused"); }
  // RabbitMQ 3.10 answers our detach (closed=true) with a detach without `closed`, which Proton
  // reports here rather than as a close: the link is gone all the same, and Close() must not
  // wait out its timeout for a close that never comes.
  void on_receiver_detach(proton::receiver& r) override { ReceiverGone(r, "detached"); }

  void on_message(proton::delivery& d, proton::message& m) override {
    ReceiverState* st = nullptr;
    for (auto& [id, s] : receivers_) {
      if (s.receiver == d.receiver()) st = &s;
    }
    if (!st || !st->handler) {
      d.release();
      return;
    }
    Disposition disp = Disposition::kRelease;
    try {
      disp = st->handler(FromProton(m, st->address));
    } catch (...) {
      // A throwing handler must not end the container; the hub will redeliver a release.
      disp = Disposition::kRelease;
    }
    switch (disp) {
      case Disposition::kAccept: d.accept(); break;
      case Disposition::kReject: d.reject(); break;
      case Disposition::kRelease: d.release(); break;
    }
  }

  void on_session_error(proton::session& s) override {
    // A session error ends every link on it; with a single session the connection is useless.
    last_error_ = ConditionText(s.error(), "session error");
    if (conn_ && conn_.active()) conn_.close();
  }
  void on_connection_error(proton::connection& c) override {
    last_error_ = ConditionText(c.error(), "connection error");
  }
  void on_transport_error(proton::transport& t) override {
    last_error_ = ConditionText(t.error(), "transport error");
  }
  void on_transport_close(proton::transport&) override {
    transport_closed_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      work_queue_ = nullptr;
    }
    FailEverything(last_error_.empty() ? "connection closed" : last_error_);
  }
  // The default rethrows, which would end container_.run(); errors reach callers as values.
  void on_error(const proton::error_condition& ec) override {
    last_error_ = ConditionText(ec, "error");
  }

  const std::string url_;
  const ClientSecurity security_;

  // Shared with callers' threads, under mu_.
  std::mutex mu_;
  Phase phase_ = Phase::kIdle;
  proton::work_queue* work_queue_ = nullptr;  // the connection's; null when there is none
  uint64_t next_ticket_ = 0;
  std::map<uint64_t, std::function<void()>> unrun_;  // Post()ed work not yet run: its if_dropped

  std::atomic<int> next_receiver_id_{1};
  OneShot<std::string> connected_;  // "" once open, else why not
  OneShot<bool> stopped_;           // container_.run() returned

  // Container thread only.
  proton::connection conn_;
  std::map<std::string, SenderState> senders_;  // by target address
  std::map<proton::sender, std::string> sender_address_;
  std::map<proton::tracker, std::pair<std::shared_ptr<Batch>, std::size_t>> trackers_;
  std::map<int, ReceiverState> receivers_;
  bool closing_ = false;
  bool transport_closed_ = false;
  std::string last_error_;

  proton::container container_;  // last: destroyed first, after run() has returned
  std::thread thread_;
};

HubClient::HubClient(std::string url, std::string container_id)
    : impl_(std::make_unique<Impl>(std::move(url), ClientSecurity{}, container_id)) {}
HubClient::HubClient(std::string url, ClientSecurity security, std::string container_id)
    : impl_(std::make_unique<Impl>(std::move(url), std::move(security), container_id)) {}

HubClient::~HubClient() = default;

bool HubClient::Connect(std::chrono::milliseconds timeout, std::string* error) {
  return impl_->Connect(timeout, error);
}

SendOutcome HubClient::Send(const std::string& address, const OutgoingMessage& msg,
                            std::chrono::milliseconds timeout) {
  return impl_->SendAll(address, {msg}, 1, timeout).front();
}

std::vector<SendOutcome> HubClient::SendAll(const std::string& address,
                                            const std::vector<OutgoingMessage>& msgs, int window,
                                            std::chrono::milliseconds timeout) {
  return impl_->SendAll(address, msgs, window, timeout);
}

int HubClient::Receive(const std::string& address, Handler handler, int credit,
                       std::string* error, std::chrono::milliseconds timeout) {
  return impl_->Receive(address, std::move(handler), credit, error, timeout);
}

void HubClient::CloseReceiver(int receiver_id) { impl_->CloseReceiver(receiver_id); }

void HubClient::Close() { impl_->Close(); }

}  // namespace slussen::client
