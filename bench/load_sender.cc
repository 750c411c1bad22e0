#include "load_sender.h"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/error_condition.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/target_options.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>
#include <thread>

#include "amqp_login.h"
#include "event_ids.h"
#include "payload.h"
#include "proton_convert.h"
#include "send_log.h"

namespace slussen::bench {
namespace {

proton::binary SeqTag(uint64_t seq) {
  proton::binary tag(sizeof seq, 0);
  std::memcpy(tag.data(), &seq, sizeof seq);
  return tag;
}

uint64_t SeqOf(const proton::tracker& t) {
  const proton::binary tag = t.tag();
  uint64_t seq = 0;
  if (tag.size() == sizeof seq) std::memcpy(&seq, tag.data(), sizeof seq);
  return seq;
}

}  // namespace

class LoadSender::Handler : public proton::messaging_handler {
 public:
  explicit Handler(SendPlan plan) : plan_(std::move(plan)), container_(*this) {
    if (plan_.rate > 0 && plan_.count == 0) {
      plan_.count = static_cast<uint64_t>(plan_.rate * plan_.seconds);
    }
  }

  void Start() {
    thread_ = std::thread([this] {
      try {
        container_.run();
      } catch (const std::exception& e) {
        Fail(std::string("container: ") + e.what());
      }
      Ended();
      ended_.set_value();
    });
  }

  bool Wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return done_; });
  }

  void Finish() {
    if (!thread_.joinable()) return;
    bool queued = false;
    {
      std::lock_guard lock(mu_);
      if (work_queue_) {
        queued = work_queue_->add([this] {
          if (connection_.active()) connection_.close();
        });
      }
    }
    auto ended = ended_.get_future();
    if (!queued || ended.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      container_.stop();
    }
    thread_.join();
  }

  void StopSending() {
    std::lock_guard lock(mu_);
    if (work_queue_) {
      work_queue_->add([this] {
        sending_done_ = true;
        CheckDone();
      });
    }
  }

  uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }
  const SendStats& stats() const { return stats_; }

  void on_container_start(proton::container& c) override {
    c.connect(plan_.url, LoginOptions(plan_.user, plan_.password));
  }

  void on_connection_open(proton::connection& c) override {
    connection_ = c;
    {
      std::lock_guard lock(mu_);
      work_queue_ = &c.work_queue();
    }
    proton::target_options target;
    target.address(plan_.address);
    if (plan_.durable_terminus) target.durability_mode(proton::terminus::UNSETTLED_STATE);
    sender_ = c.open_sender(plan_.address, proton::sender_options().target(target));
  }

  void on_sender_open(proton::sender& s) override {
    if (client::RefusedAtAttach(s)) {
      Fail("attach to '" + plan_.address + "' refused");
      return;
    }
    stats_.start_us = NowUs();
    if (plan_.rate > 0) ScheduleTick();
    Fill();
  }

  void on_sendable(proton::sender&) override { Fill(); }

  void on_tracker_accept(proton::tracker& t) override {
    const uint64_t seq = SeqOf(t);
    const int64_t now = NowUs();
    --inflight_;
    ++stats_.accepted;
    accepted_.store(stats_.accepted, std::memory_order_relaxed);
    if (seq >= stats_.accepted_seq.size()) stats_.accepted_seq.resize(seq + 1 + seq / 2, 0);
    stats_.accepted_seq[seq] = 1;
    stats_.accept_us.Record(now - plan_.log->Get(seq));
    stats_.last_accept_us = now;
    Fill();
  }

  void on_tracker_reject(proton::tracker& t) override {
    --inflight_;
    ++stats_.rejected;
    if (stats_.error.empty()) {
      const auto outcome = client::OutcomeOf(t);
      stats_.error = "rejected: " + outcome.condition + " " + outcome.description;
    }
    Fill();
  }

  void on_tracker_release(proton::tracker& t) override {
    --inflight_;
    ++stats_.released;
    retry_.push_back(SeqOf(t));  // the system could not take it now: send it again
    Fill();
  }

  void on_transport_close(proton::transport&) override {
    std::lock_guard lock(mu_);
    work_queue_ = nullptr;  // the connection, and its work queue, are gone
  }
  void on_transport_error(proton::transport& t) override { Fail(t.error().what()); }
  void on_connection_error(proton::connection& c) override { Fail(c.error().what()); }
  void on_session_error(proton::session& s) override { Fail(s.error().what()); }
  void on_sender_error(proton::sender& s) override { Fail(s.error().what()); }
  void on_error(const proton::error_condition& e) override { Fail(e.what()); }

 private:
  void ScheduleTick() {
    connection_.work_queue().schedule(proton::duration(1), [this] {
      if (!connection_.active()) return;
      Fill();
      if (!sending_done_) ScheduleTick();
    });
  }

  // Sends what credit, the window and (in fixed-rate mode) the clock allow.
  void Fill() {
    if (!sender_.active()) return;
    const int64_t now = NowUs();
    while (sender_.credit() > 0 && inflight_ < plan_.window) {
      uint64_t seq;
      if (!retry_.empty()) {
        seq = retry_.front();
        retry_.pop_front();
      } else {
        if (sending_done_) break;
        seq = next_seq_;
        int64_t stamp = now;
        if (plan_.rate > 0) {
          stamp =
              stats_.start_us + static_cast<int64_t>(static_cast<double>(seq) * 1e6 / plan_.rate);
          if (stamp > now) break;
        }
        if (plan_.count > 0 ? seq >= plan_.count
                            : now - stats_.start_us >= static_cast<int64_t>(plan_.seconds * 1e6)) {
          sending_done_ = true;
          break;
        }
        ++next_seq_;
        ++stats_.sent;
        plan_.log->Set(seq, stamp);
      }
      Send(seq);
      ++inflight_;
    }
    if (plan_.count > 0 && next_seq_ >= plan_.count) sending_done_ = true;
    CheckDone();
  }

  void Send(uint64_t seq) {
    const std::string id = EventId(plan_.run, seq, plan_.sequential_ids);
    const auto& payload = plan_.payloads->Build(plan_.run, seq, id, &body_, &case_id_);
    proton::message m;
    m.id(proton::message_id(id));
    m.subject(payload.subject);
    m.content_type("application/x-protobuf");
    m.durable(true);
    if (!plan_.user.empty()) m.user(plan_.user);
    m.body(proton::binary(body_));
    m.inferred(true);  // one data section
    auto& props = m.properties();
    for (const auto& [k, v] : payload.properties) props.put(k, v);
    props.put("case_id", case_id_);
    props.put("bench_sent_us", plan_.log->Get(seq));
    sender_.send(m, SeqTag(seq));
  }

  void CheckDone() {
    if (sending_done_ && retry_.empty() && inflight_ == 0) MarkDone();
  }

  void MarkDone() {
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  // Container thread: an error ends the run.
  void Fail(const std::string& error) {
    if (stats_.error.empty()) stats_.error = error.empty() ? "unknown error" : error;
    MarkDone();
  }

  // The container has stopped: nothing more will happen.
  void Ended() {
    std::lock_guard lock(mu_);
    if (!done_ && stats_.error.empty()) stats_.error = "connection ended before all was settled";
    work_queue_ = nullptr;
    done_ = true;
    cv_.notify_all();
  }

  SendPlan plan_;
  proton::container container_;
  std::thread thread_;
  std::promise<void> ended_;
  proton::connection connection_;
  proton::sender sender_;
  std::deque<uint64_t> retry_;
  uint64_t next_seq_ = 0;
  int inflight_ = 0;
  bool sending_done_ = false;
  std::string body_;
  std::string case_id_;
  SendStats stats_;
  std::atomic<uint64_t> accepted_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  proton::work_queue* work_queue_ = nullptr;
};

LoadSender::LoadSender(SendPlan plan) : handler_(std::make_unique<Handler>(std::move(plan))) {}
LoadSender::~LoadSender() { handler_->Finish(); }
void LoadSender::Start() { handler_->Start(); }
bool LoadSender::Wait(std::chrono::milliseconds timeout) { return handler_->Wait(timeout); }
void LoadSender::StopSending() { handler_->StopSending(); }
void LoadSender::Finish() { handler_->Finish(); }
uint64_t LoadSender::accepted() const { return handler_->accepted(); }
const SendStats& LoadSender::stats() const { return handler_->stats(); }

}  // namespace slussen::bench
