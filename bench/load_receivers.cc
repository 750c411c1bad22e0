#include "load_receivers.h"

#include <condition_variable>
#include <future>
#include <mutex>
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/error_condition.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/receiver_options.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>
#include <thread>

#include "amqp_login.h"
#include "event_ids.h"
#include "proton_convert.h"
#include "send_log.h"

namespace slussen::bench {

class LoadReceivers::Handler : public proton::messaging_handler {
 public:
  explicit Handler(ReceivePlan plan) : plan_(std::move(plan)), container_(*this) {
    for (const auto& a : plan_.addresses) {
      DestinationDelivery d;
      d.address = a;
      dests_.push_back(std::move(d));
    }
    conns_.resize(plan_.addresses.size());
  }

  int Track(uint32_t run, const SendLog* log) {
    std::lock_guard lock(mu_);
    runs_.push_back({run, log});
    for (auto& d : dests_) d.runs.emplace_back();
    return static_cast<int>(runs_.size()) - 1;
  }

  bool Start(std::chrono::milliseconds timeout, std::string* error) {
    thread_ = std::thread([this] {
      try {
        container_.run();
      } catch (const std::exception& e) {
        SetError(std::string("container: ") + e.what());
      }
      {
        std::lock_guard lock(mu_);
        ended_flag_ = true;
        for (auto& c : conns_) c.work_queue = nullptr;
      }
      cv_.notify_all();
      ended_.set_value();
    });
    std::unique_lock lock(mu_);
    const bool ok = cv_.wait_for(lock, timeout, [this] {
      return attached_ == static_cast<int>(conns_.size()) || !error_.empty() || ended_flag_;
    });
    if (ok && attached_ == static_cast<int>(conns_.size())) return true;
    if (error) *error = !error_.empty() ? error_ : "receivers not attached within the timeout";
    return false;
  }

  bool WaitFor(int run_index, uint64_t expected, std::chrono::milliseconds idle,
               std::chrono::milliseconds overall) {
    const auto start = std::chrono::steady_clock::now();
    auto last_progress = start;
    uint64_t last_received = 0;
    std::unique_lock lock(mu_);
    while (true) {
      bool complete = true;
      for (const auto& d : dests_) complete = complete && d.runs[run_index].unique >= expected;
      if (complete) return true;
      if (ended_flag_) return false;
      const auto now = std::chrono::steady_clock::now();
      if (received_total_ != last_received) {
        last_received = received_total_;
        last_progress = now;
      }
      if (now - last_progress > idle || now - start > overall) return false;
      cv_.wait_for(lock, std::chrono::milliseconds(50));
    }
  }

  uint64_t received() const {
    std::lock_guard lock(mu_);
    return received_total_;
  }
  int64_t first_arrival_us() const {
    std::lock_guard lock(mu_);
    return first_arrival_us_;
  }

  void Finish() {
    if (!thread_.joinable()) return;
    bool queued = false;
    {
      std::lock_guard lock(mu_);
      for (auto& c : conns_) {
        if (!c.work_queue) continue;
        Conn* conn = &c;
        queued = c.work_queue->add([conn] {
          if (conn->receiver.active()) {
            conn->receiver.close();  // detach first; the connection closes on the peer's detach
          } else if (conn->connection.active()) {
            conn->connection.close();
          }
        }) || queued;
      }
    }
    auto ended = ended_.get_future();
    if (!queued || ended.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      container_.stop();
    }
    thread_.join();
  }

  std::vector<DestinationDelivery> deliveries() const {
    std::lock_guard lock(mu_);
    return dests_;
  }
  std::string error() const {
    std::lock_guard lock(mu_);
    return error_;
  }

  void on_container_start(proton::container& c) override {
    for (std::size_t i = 0; i < conns_.size(); ++i) {
      conns_[i].connection = c.connect(plan_.url, LoginOptions(plan_.user, plan_.password));
    }
  }

  void on_connection_open(proton::connection& c) override {
    Conn* conn = Find(c);
    if (!conn) return;
    {
      std::lock_guard lock(mu_);
      conn->work_queue = &c.work_queue();
    }
    const std::string& address = plan_.addresses[static_cast<std::size_t>(conn - conns_.data())];
    proton::source_options source;
    source.address(address);
    if (plan_.durable_terminus) {
      source.durability_mode(proton::terminus::UNSETTLED_STATE);
      source.expiry_policy(proton::terminus::NEVER);
    }
    conn->receiver = c.open_receiver(
        address,
        proton::receiver_options().credit_window(plan_.credit).auto_accept(true).source(source));
  }

  void on_receiver_open(proton::receiver& r) override {
    if (client::RefusedAtAttach(r)) {
      SetError("attach to '" + r.source().address() + "' refused");
      return;
    }
    {
      std::lock_guard lock(mu_);
      ++attached_;
    }
    cv_.notify_all();
  }

  void on_message(proton::delivery& d, proton::message& m) override {
    const int64_t now = NowUs();
    std::size_t index = 0;
    while (index < conns_.size() && !(conns_[index].receiver == d.receiver())) ++index;
    if (index == conns_.size()) return;
    uint32_t run = 0;
    uint64_t seq = 0;
    const bool parsed = m.id().type() == proton::STRING &&
                        ParseEventId(proton::get<std::string>(m.id()), &run, &seq);
    std::lock_guard lock(mu_);
    auto& dest = dests_[index];
    ++dest.received;
    ++received_total_;
    if (dest.first_us == 0) dest.first_us = now;
    if (first_arrival_us_ == 0) first_arrival_us_ = now;
    std::size_t r = 0;
    while (r < runs_.size() && !(parsed && runs_[r].run == run)) ++r;
    if (r == runs_.size()) {
      ++dest.foreign;
      return;
    }
    RunDelivery& rd = dest.runs[r];
    if (seq >= rd.seen.size()) rd.seen.resize(seq + 1 + seq / 2 + 1024, 0);
    if (rd.seen[seq]) {
      ++rd.duplicates;
      return;
    }
    rd.seen[seq] = 1;
    ++rd.unique;
    if (rd.first_us == 0) rd.first_us = now;
    rd.last_us = now;
    const int64_t sent = runs_[r].log ? runs_[r].log->Get(seq) : 0;
    if (sent > 0) rd.latency_us.Record(now - sent);
    if ((rd.unique & 255) == 0) cv_.notify_all();
  }

  void on_receiver_close(proton::receiver& r) override { r.connection().close(); }

  void on_transport_close(proton::transport& t) override {
    std::lock_guard lock(mu_);
    if (Conn* conn = Find(t.connection())) conn->work_queue = nullptr;
  }

  void on_transport_error(proton::transport& t) override { SetError(t.error().what()); }
  void on_connection_error(proton::connection& c) override { SetError(c.error().what()); }
  void on_session_error(proton::session& s) override { SetError(s.error().what()); }
  void on_receiver_error(proton::receiver& r) override { SetError(r.error().what()); }
  void on_error(const proton::error_condition& e) override { SetError(e.what()); }

 private:
  struct Conn {
    proton::connection connection;
    proton::receiver receiver;
    proton::work_queue* work_queue = nullptr;
  };
  struct Run {
    uint32_t run;
    const SendLog* log;
  };

  Conn* Find(const proton::connection& c) {
    for (auto& conn : conns_) {
      if (conn.connection == c) return &conn;
    }
    return nullptr;
  }

  void SetError(const std::string& e) {
    {
      std::lock_guard lock(mu_);
      if (error_.empty()) error_ = e;
    }
    cv_.notify_all();
  }

  ReceivePlan plan_;
  proton::container container_;
  std::thread thread_;
  std::promise<void> ended_;
  std::vector<Conn> conns_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Run> runs_;
  std::vector<DestinationDelivery> dests_;
  uint64_t received_total_ = 0;
  int64_t first_arrival_us_ = 0;
  int attached_ = 0;
  bool ended_flag_ = false;
  std::string error_;
};

LoadReceivers::LoadReceivers(ReceivePlan plan)
    : handler_(std::make_unique<Handler>(std::move(plan))) {}
LoadReceivers::~LoadReceivers() { handler_->Finish(); }
int LoadReceivers::Track(uint32_t run, const SendLog* log) { return handler_->Track(run, log); }
bool LoadReceivers::Start(std::chrono::milliseconds timeout, std::string* error) {
  return handler_->Start(timeout, error);
}
bool LoadReceivers::WaitFor(int run_index, uint64_t expected, std::chrono::milliseconds idle,
                            std::chrono::milliseconds overall) {
  return handler_->WaitFor(run_index, expected, idle, overall);
}
uint64_t LoadReceivers::received() const { return handler_->received(); }
int64_t LoadReceivers::first_arrival_us() const { return handler_->first_arrival_us(); }
void LoadReceivers::Finish() { handler_->Finish(); }
std::vector<DestinationDelivery> LoadReceivers::deliveries() const {
  return handler_->deliveries();
}
std::string LoadReceivers::error() const { return handler_->error(); }

}  // namespace slussen::bench
