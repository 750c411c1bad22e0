#include "runtime/hub_session.h"

#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/duration.hpp>
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
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <set>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "amqp/proton_compat.h"
#include "one_shot.h"
#include "proton_convert.h"

namespace slussen::adapter {
namespace {

SendOutcome Unknown(std::string why) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::kError;
  o.description = std::move(why);
  return o;
}

std::string ConditionText(const proton::error_condition& ec, const std::string& fallback) {
  if (!ec) return fallback;
  return ec.description().empty() ? ec.name() : ec.name() + ": " + ec.description();
}

// The URL as it may appear in a log line: without "user:password@".
std::string Redacted(const std::string& url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string::npos ? 0 : scheme + 3;
  const auto at = url.find('@', start);
  if (at == std::string::npos) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

}  // namespace

class HubSession::Impl : public proton::messaging_handler {
 public:
  Impl(HubConnectionConfig config, std::string name)
      : config_(std::move(config)),
        name_(std::move(name)),
        backoff_(config_.reconnect_initial),
        container_(*this, config_.container_id.empty()
                              ? name_ + "-" + proton::uuid::random().str().substr(0, 8)
                              : config_.container_id) {
    container_.auto_stop(false);
    // Work from other threads goes through a container-backed work queue: it wakes the event
    // loop at once (a container timer scheduled from another thread waits for the next event).
    wakeup_ = std::make_unique<proton::work_queue>(container_);
  }

  ~Impl() override { Stop(std::chrono::milliseconds(0)); }

  // ---- any thread ----

  void SetOnConnectionChange(OnConnectionChange fn) { on_connection_change_ = std::move(fn); }

  void Start() {
    std::lock_guard lock(mu_);
    if (thread_.joinable() || stopped_) return;
    thread_ = std::thread([this] { Run(); });
  }

  bool WaitConnected(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return connected_; });
  }
  bool connected() const {
    std::lock_guard lock(mu_);
    return connected_;
  }
  int connections() const {
    std::lock_guard lock(mu_);
    return connections_;
  }

  // `connection` 0: on whichever connection is open next. `id` (not 0) lets Withdraw find it.
  void Send(const std::string& address, OutgoingMessage message, SendDone done,
            int connection = 0, uint64_t id = 0) {
    auto shared_done = std::make_shared<SendDone>(std::move(done));
    const bool posted =
        Post([this, address, msg = client::ToProton(message), shared_done, connection, id] {
          if (connection != 0 && (!conn_ || !conn_.active() || connections() != connection)) {
            return (*shared_done)(Unknown("not sent: connection " + std::to_string(connection) +
                                          " to " + peer_ + " is gone"));
          }
          Enqueue(address, msg, std::move(*shared_done), id);
        });
    if (!posted) (*shared_done)(Unknown("the adapter is stopping"));
  }

  SendOutcome SendAndWait(const std::string& address, OutgoingMessage message,
                          std::chrono::milliseconds timeout) {
    auto result = std::make_shared<client::OneShot<SendOutcome>>();
    const uint64_t id = next_send_id_++;
    Send(address, std::move(message), [result](const SendOutcome& o) { result->Set(o); }, 0, id);
    auto outcome = result->WaitFor(timeout);
    if (outcome) return *outcome;
    // The caller gives up and will send again: a message still waiting here must then not go
    // as well. Withdrawn, its `done` says so at once; already on the wire, its outcome may still
    // come in the moment this takes.
    Post([this, id] { Withdraw(id); });
    outcome = result->WaitFor(std::chrono::seconds(1));
    return outcome ? *outcome : Unknown("no settlement from " + peer_ + " in time");
  }

  void Subscribe(const std::string& address, int max_in_flight, OnMessage on_message) {
    Post([this, address, max_in_flight, on_message = std::move(on_message)] {
      Subscription sub;
      sub.id = static_cast<int>(subs_.size());
      sub.address = address;
      sub.max_in_flight = std::max(1, max_in_flight);
      sub.on_message = on_message;
      subs_.push_back(std::move(sub));
      if (conn_ && conn_.active()) Attach(subs_.back());
    });
  }

  void Settle(uint64_t token, Disposition disposition, std::string condition,
              std::string description) {
    amqp::Condition c{std::move(condition), std::move(description)};
    Post([this, token, disposition, c = std::move(c)] { SettleNow(token, disposition, c); });
  }

  void Stop(std::chrono::milliseconds grace) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      if (!thread_.joinable()) return;
    }
    // 1. Nothing new: deliveries still arriving on granted credit are released unseen.
    Post([this] {
      stopping_ = true;
      MaybeDrained();
    });
    drained_.WaitFor(grace);
    // 2. Hand back what is left, detach the receivers, then close the connection.
    Post([this] { Finish(); });
    if (!finished_.WaitFor(std::chrono::seconds(5))) container_.stop();
    thread_.join();
    std::lock_guard lock(mu_);
    connected_ = false;
  }

 private:
  struct PendingSend {
    proton::message message;
    SendDone done;
    uint64_t id = 0;  // SendAndWait's, to withdraw it; 0 for the others
  };
  struct OutLink {
    proton::sender sender;
    std::deque<PendingSend> queue;
  };
  struct Subscription {
    int id = 0;
    std::string address;
    int max_in_flight = 1;
    OnMessage on_message;
    proton::receiver receiver;
    int outstanding = 0;  // handed to the adapter, not yet settled by it (any connection)
  };

  // Runs `fn` on the container thread; false once the session has ended.
  bool Post(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    if (ended_) return false;
    inbox_.push_back(std::move(fn));
    if (running_ && !wake_pending_) {
      wake_pending_ = true;
      // On the connection's own queue while there is one: Proton writes what the work produced
      // (a transfer, a disposition, credit) only after work or events of that connection.
      const bool on_connection =
          conn_queue_ != nullptr && conn_queue_->add(proton::work([this] { DrainInbox(); }));
      if (!on_connection) wakeup_->add(proton::work([this] { DrainInbox(); }));
    }
    return true;
  }

  void DrainInbox() {
    std::deque<std::function<void()>> work;
    {
      std::lock_guard lock(mu_);
      wake_pending_ = false;
      work.swap(inbox_);
    }
    for (auto& fn : work) {
      try {
        fn();
      } catch (const std::exception& e) {
        // Proton throws on misuse (an address it cannot parse); that fails this call only.
        spdlog::error("{}: {}", name_, e.what());
      }
    }
  }

  void Run() {
    try {
      container_.run();
    } catch (const std::exception& e) {
      spdlog::error("{}: the AMQP container stopped: {}", name_, e.what());
    }
    std::deque<std::function<void()>> unrun;
    {
      std::lock_guard lock(mu_);
      ended_ = true;
      running_ = false;
      connected_ = false;
      conn_queue_ = nullptr;
      unrun.swap(inbox_);
    }
    // Work posted too late still runs, so every Send's `done` is called.
    stopping_ = true;
    for (auto& fn : unrun) fn();
    FailSends("the adapter is stopping");
    drained_.Set(true);
    finished_.Set(true);
  }

  // ---- container thread ----

  void on_container_start(proton::container&) override {
    {
      std::lock_guard lock(mu_);
      running_ = true;
    }
    DrainInbox();
    Connect();
  }

  void Connect() {
    if (stopping_) return;
    proton::connection_options o;
    o.idle_timeout(proton::duration(config_.idle_timeout.count()));
    client::ClientSecurity security;
    if (config_.tls) {
      security.ca = config_.tls->ca;
      security.cert = config_.tls->cert;
      security.key = config_.tls->key;
    }
    if (config_.sasl) {
      // PLAIN in clear only to a hub on this machine (one with plain="allow").
      security.allow_insecure_mechanisms = !config_.tls && IsLoopbackUrl(config_.url);
      security.mechanisms = config_.sasl->mechanism;
      security.user = config_.sasl->user;
      security.password = config_.sasl->password;
    }
    client::ApplySecurity(security, o);
    container_.connect(config_.url, o);
  }

  void on_connection_open(proton::connection& c) override {
    conn_ = c;
    opened_at_ = std::chrono::steady_clock::now();
    int n = 0;
    {
      std::lock_guard lock(mu_);
      connected_ = true;
      n = ++connections_;
      conn_queue_ = &c.work_queue();
    }
    cv_.notify_all();
    if (n == 1) {
      spdlog::info("{}: connected to {} at {}", name_, peer_, Redacted(config_.url));
    } else {
      spdlog::info("{}: connected to {} again ({} connections so far)", name_, peer_, n);
    }
    if (on_connection_change_) on_connection_change_(true, n);
    for (auto& sub : subs_) Attach(sub);
    for (auto& [address, link] : out_) Pump(address);
  }

  void Attach(Subscription& sub) {
    // Credit is ours to give (credit_window 0): one per delivery the adapter has settled.
    const std::string remote = config_.broker.Address(sub.address);
    proton::source_options source;
    source.address(remote);
    if (config_.broker.enabled) {
      // RabbitMQ: a durable queue wants a durable terminus (amqp-on-debian.md §2.4).
      source.durability_mode(proton::source::UNSETTLED_STATE).expiry_policy(proton::source::NEVER);
    }
    sub.receiver = conn_.open_receiver(
        remote, proton::receiver_options().auto_accept(false).credit_window(0).source(source));
    const int credit = sub.max_in_flight - sub.outstanding;
    if (credit > 0 && !stopping_) sub.receiver.add_credit(credit);
  }

  void Withdraw(uint64_t id) {
    for (auto& [address, link] : out_) {
      for (auto it = link.queue.begin(); it != link.queue.end(); ++it) {
        if (it->id != id) continue;
        SendDone done = std::move(it->done);
        link.queue.erase(it);
        --queued_;
        done(Unknown("not sent: no settlement from " + peer_ + " in time"));
        MaybeDrained();
        return;
      }
    }
  }

  void Enqueue(const std::string& address, const proton::message& msg, SendDone done,
               uint64_t id) {
    if (stopping_) return done(Unknown("the adapter is stopping"));
    if (queued_ >= config_.max_queued) {
      return done(Unknown("more than " + std::to_string(config_.max_queued) +
                          " messages wait for " + peer_));
    }
    ++queued_;
    out_[address].queue.push_back({msg, std::move(done), id});
    if (config_.broker.enabled && config_.sasl) {
      // The broker refuses (ends the session) unless the user-id is the login's; the hub reads
      // who sent the event from it.
      out_[address].queue.back().message.user(config_.sasl->user);
    }
    Pump(address);
  }

  void Pump(const std::string& address) {
    if (!conn_ || !conn_.active()) return;
    auto& link = out_[address];
    if (!link.sender) {
      const std::string remote = config_.broker.Address(address);
      proton::target_options target;
      target.address(remote);
      if (config_.broker.enabled) {
        target.durability_mode(proton::target::UNSETTLED_STATE).expiry_policy(proton::target::NEVER);
      }
      link.sender = conn_.open_sender(remote, proton::sender_options().target(target));
      sender_address_[link.sender] = address;
    }
    while (link.sender.active() && link.sender.credit() > 0 && !link.queue.empty()) {
      PendingSend p = std::move(link.queue.front());
      link.queue.pop_front();
      --queued_;
      proton::tracker t = link.sender.send(p.message);
      trackers_[t] = std::move(p.done);
    }
  }

  void on_sendable(proton::sender& s) override {
    if (auto a = sender_address_.find(s); a != sender_address_.end()) Pump(a->second);
  }
  void on_sender_open(proton::sender& s) override {
    if (client::RefusedAtAttach(s)) return;  // the detach with the reason follows
    on_sendable(s);
  }

  void Settled(proton::tracker& t) {
    auto it = trackers_.find(t);
    if (it == trackers_.end()) return;
    SendDone done = std::move(it->second);
    trackers_.erase(it);
    done(client::OutcomeOf(t));
    MaybeDrained();
  }
  void on_tracker_accept(proton::tracker& t) override { Settled(t); }
  void on_tracker_reject(proton::tracker& t) override { Settled(t); }
  void on_tracker_release(proton::tracker& t) override { Settled(t); }
  void on_tracker_settle(proton::tracker& t) override { Settled(t); }

  // A sender the hub refused or closed (not the connection): what waits for it fails with the
  // hub's reason, as does what was unsettled on it.
  void on_sender_close(proton::sender& s) override {
    auto a = sender_address_.find(s);
    if (a == sender_address_.end()) return;
    const std::string address = a->second;
    sender_address_.erase(a);
    const std::string why = ConditionText(s.error(), peer_ + " closed the link to " + address);
    for (auto it = trackers_.begin(); it != trackers_.end();) {
      if (it->first.sender() == s) {
        SendDone done = std::move(it->second);
        it = trackers_.erase(it);
        done(Unknown(why));
      } else {
        ++it;
      }
    }
    auto link = out_.find(address);
    if (link != out_.end()) {
      auto queue = std::move(link->second.queue);
      out_.erase(link);
      queued_ -= static_cast<int>(queue.size());
      for (auto& p : queue) p.done(Unknown(why));
    }
    if (conn_ && conn_.active()) spdlog::warn("{}: {} closed the link to {}: {}", name_, peer_, address, why);
    MaybeDrained();
  }

  void on_message(proton::delivery& d, proton::message& m) override {
    Subscription* sub = nullptr;
    for (auto& s : subs_) {
      if (s.receiver == d.receiver()) sub = &s;
    }
    if (sub == nullptr || stopping_) {
      d.release();  // not taken: the hub sends it again (to us after a restart, or another)
      return;
    }
    const uint64_t token = next_token_++;
    live_[token] = d;
    outstanding_[token] = sub->id;
    ++sub->outstanding;
    try {
      sub->on_message(Delivery{token, client::FromProton(m, sub->address)});
    } catch (const std::exception& e) {
      spdlog::error("{}: a delivery from {} failed: {}; it is released", name_, sub->address,
                    e.what());
      SettleNow(token, Disposition::kRelease);
    }
  }

  void SettleNow(uint64_t token, Disposition disposition, const amqp::Condition& condition = {}) {
    auto o = outstanding_.find(token);
    if (o == outstanding_.end()) return;
    if (disposition == Disposition::kRelease && config_.broker.enabled &&
        config_.broker_release_delay.count() > 0 && !stopping_ &&
        delayed_releases_.insert(token).second) {
      // A broker redelivers a released message at once: without a pause a receiving system that
      // is away would see it again in a tight loop, each time counted against the out queue's
      // delivery limit. Its slot stays taken until then; a stop releases it at once (Finish).
      container_.schedule(proton::duration(config_.broker_release_delay.count()),
                          proton::work([this, token] { SettleNow(token, Disposition::kRelease); }));
      return;
    }
    delayed_releases_.erase(token);
    Subscription& sub = subs_.at(static_cast<std::size_t>(o->second));
    outstanding_.erase(o);
    --sub.outstanding;
    if (auto l = live_.find(token); l != live_.end()) {
      proton::delivery d = l->second;
      live_.erase(l);
      switch (disposition) {
        case Disposition::kAccept: d.accept(); break;
        case Disposition::kReject:
          // Proton C++ cannot put a condition on a rejection; the C API under it can.
          if (condition.name.empty()) {
            d.reject();
          } else {
            amqp::RejectAndSettle(amqp::Raw(d), condition);
          }
          break;
        case Disposition::kRelease: d.release(); break;
      }
    }
    if (!stopping_ && sub.receiver && sub.receiver.active()) sub.receiver.add_credit(1);
    MaybeDrained();
  }

  void MaybeDrained() {
    if (stopping_ && outstanding_.empty() && trackers_.empty() && queued_ == 0) {
      drained_.Set(true);
    }
  }

  void Finish() {
    stopping_ = true;
    for (auto& [token, d] : live_) d.release();  // handed back: the hub sends them again
    live_.clear();
    FailSends("the adapter is stopping");
    // RabbitMQ (and prudence) want receivers detached before the connection closes, or the
    // last dispositions may be lost: the connection closes once the peer has answered each.
    for (auto& sub : subs_) {
      if (sub.receiver && sub.receiver.active()) {
        sub.receiver.close();
        detaching_.insert(sub.receiver);
      }
    }
    if (detaching_.empty()) CloseConnection();
  }

  // The peer's answer to our detach, or a detach of its own. RabbitMQ 3.10 answers a closing
  // detach with a non-closing one, which Proton reports as a detach, not a close: waiting for
  // the close only, a stop would always wait out its whole limit.
  void on_receiver_close(proton::receiver& r) override { ReceiverGone(r); }
  void on_receiver_detach(proton::receiver& r) override { ReceiverGone(r); }

  void ReceiverGone(proton::receiver& r) {
    for (auto& sub : subs_) {
      if (sub.receiver != r) continue;
      if (!stopping_) {
        spdlog::warn("{}: {} closed the receiver on {}: {}", name_, peer_, sub.address,
                     ConditionText(r.error(), "no reason given"));
      }
    }
    if (!stopping_ || detaching_.erase(r) == 0) return;
    if (detaching_.empty()) CloseConnection();
  }

  void CloseConnection() {
    if (conn_ && conn_.active()) {
      conn_.close();
    } else {
      container_.stop();
    }
  }

  void FailSends(const std::string& why) {
    auto trackers = std::move(trackers_);
    trackers_.clear();
    for (auto& [t, done] : trackers) done(Unknown(why));
    auto out = std::move(out_);
    out_.clear();
    sender_address_.clear();
    queued_ = 0;
    for (auto& [address, link] : out) {
      for (auto& p : link.queue) p.done(Unknown(why));
    }
  }

  void on_transport_error(proton::transport& t) override {
    last_error_ = ConditionText(t.error(), "transport error");
  }
  void on_connection_error(proton::connection& c) override {
    last_error_ = ConditionText(c.error(), "connection error");
  }
  // RabbitMQ reports many errors (a queue that does not exist, a user-id it refuses) by ending
  // the session, not the connection: its links are dead while the connection looks fine. Close
  // the connection, so that everything is set up again on a fresh one after the backoff.
  void on_session_error(proton::session& s) override {
    last_error_ = ConditionText(s.error(), "session ended");
    if (!stopping_ && conn_ && conn_.active()) {
      spdlog::warn("{}: the peer ended a session: {}; reconnecting", name_, last_error_);
      conn_.close();
    }
  }
  void on_receiver_error(proton::receiver&) override {}
  void on_sender_error(proton::sender&) override {}
  void on_error(const proton::error_condition& ec) override {
    last_error_ = ConditionText(ec, "error");
  }

  void on_transport_close(proton::transport&) override {
    const bool was_connected = conn_ && connected();
    int n = 0;
    {
      std::lock_guard lock(mu_);
      connected_ = false;
      conn_queue_ = nullptr;
      n = connections_;
    }
    if (was_connected && on_connection_change_) on_connection_change_(false, n);
    conn_ = proton::connection();
    // Sent and unsettled: the peer may or may not have it. Queued for this connection and not
    // yet sent (no credit): certainly not. Both fail, and the caller sends again: were the queued
    // ones kept for the next connection, a caller that counts the lost connection as a failed
    // attempt (the hub's broker transport) would send them again too, and they would go twice.
    // What waits from before any connection opened (the peer is away) keeps waiting.
    auto trackers = std::move(trackers_);
    trackers_.clear();
    for (auto& [t, done] : trackers) done(Unknown("the connection to " + peer_ + " was lost before it settled"));
    for (auto& [address, link] : out_) link.sender = proton::sender();
    sender_address_.clear();
    if (was_connected) {
      auto out = std::move(out_);
      out_.clear();
      queued_ = 0;
      for (auto& [address, link] : out) {
        for (auto& p : link.queue) p.done(Unknown("not sent: the connection to " + peer_ + " was lost"));
      }
    }
    // Deliveries of this connection can no longer be settled; the hub sends them again. Their
    // slots stay taken until the adapter settles them (it may still be working on them).
    live_.clear();
    for (auto& sub : subs_) sub.receiver = proton::receiver();
    if (stopping_) {
      drained_.Set(true);
      container_.stop();
      return;
    }
    // The backoff starts over only after a connection that lasted: a peer that takes the
    // connection and ends it at once (a queue missing, a broker shutting down or not yet up)
    // is retried ever more slowly, as one that refuses the connection is.
    if (was_connected && std::chrono::steady_clock::now() - opened_at_ >= config_.reconnect_max) {
      backoff_ = config_.reconnect_initial;
    }
    const auto wait = backoff_;
    backoff_ = std::min(config_.reconnect_max, backoff_ * 2);
    spdlog::warn("{}: {} {} at {}: {}; trying again in {} ms", name_,
                 was_connected ? "lost the connection to" : "cannot connect to", peer_,
                 Redacted(config_.url), last_error_.empty() ? "connection closed" : last_error_,
                 wait.count());
    last_error_.clear();
    container_.schedule(proton::duration(wait.count()), proton::work([this] { Connect(); }));
  }

  const HubConnectionConfig config_;
  const std::string name_;
  OnConnectionChange on_connection_change_;  // set before Start()
  // Who is at the other end, for log lines and outcomes: the hub, or in broker mode the broker.
  const std::string peer_ = config_.broker.enabled ? "the broker" : "the hub";

  // Shared with callers' threads, under mu_.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool connected_ = false;
  int connections_ = 0;
  bool running_ = false;       // the container runs: Post can wake it
  bool wake_pending_ = false;
  proton::work_queue* conn_queue_ = nullptr;  // the open connection's, else null
  bool ended_ = false;         // the container returned: Post refuses
  bool stopped_ = false;       // Stop() was called
  std::deque<std::function<void()>> inbox_;
  client::OneShot<bool> drained_;
  client::OneShot<bool> finished_;

  // Container thread only.
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point opened_at_{};  // of the current (or last) connection
  bool stopping_ = false;
  proton::connection conn_;
  std::map<std::string, OutLink> out_;
  std::map<proton::sender, std::string> sender_address_;
  std::map<proton::tracker, SendDone> trackers_;
  int queued_ = 0;
  std::vector<Subscription> subs_;
  uint64_t next_token_ = 1;
  std::atomic<uint64_t> next_send_id_{1};  // any thread
  std::map<uint64_t, proton::delivery> live_;  // of the current connection
  std::map<uint64_t, int> outstanding_;        // token -> subscription, until the adapter settles
  std::set<uint64_t> delayed_releases_;        // broker mode: released, handed back after a pause
  std::set<proton::receiver> detaching_;       // stopping: closed by us, the peer's answer awaited
  std::string last_error_;

  proton::container container_;  // destroyed before the members above it
  std::unique_ptr<proton::work_queue> wakeup_;  // destroyed before the container
  std::thread thread_;
};

HubSession::HubSession(HubConnectionConfig config, std::string name)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(name))) {}
HubSession::~HubSession() = default;
void HubSession::Start() { impl_->Start(); }
void HubSession::SetOnConnectionChange(OnConnectionChange fn) {
  impl_->SetOnConnectionChange(std::move(fn));
}
bool HubSession::WaitConnected(std::chrono::milliseconds timeout) {
  return impl_->WaitConnected(timeout);
}
bool HubSession::connected() const { return impl_->connected(); }
void HubSession::Send(const std::string& address, OutgoingMessage message, SendDone done) {
  impl_->Send(address, std::move(message), std::move(done));
}
void HubSession::SendOn(int connection, const std::string& address, OutgoingMessage message,
                        SendDone done) {
  impl_->Send(address, std::move(message), std::move(done), std::max(1, connection));
}
SendOutcome HubSession::SendAndWait(const std::string& address, OutgoingMessage message,
                                    std::chrono::milliseconds timeout) {
  return impl_->SendAndWait(address, std::move(message), timeout);
}
void HubSession::Subscribe(const std::string& address, int max_in_flight, OnMessage on_message) {
  impl_->Subscribe(address, max_in_flight, std::move(on_message));
}
void HubSession::Settle(uint64_t token, Disposition disposition) {
  impl_->Settle(token, disposition, {}, {});
}
void HubSession::Settle(uint64_t token, Disposition disposition, std::string condition,
                        std::string description) {
  impl_->Settle(token, disposition, std::move(condition), std::move(description));
}
void HubSession::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }
int HubSession::connections() const { return impl_->connections(); }

}  // namespace slussen::adapter
