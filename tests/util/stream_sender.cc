#include "util/stream_sender.h"

#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/error_condition.hpp>
#include <proton/message.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/target_options.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>

#include <map>
#include <utility>

#include "one_shot.h"
#include "proton_convert.h"

namespace slussen::testing {

class StreamSender::Handler : public proton::messaging_handler {
 public:
  Handler(StreamSender& owner, std::string url, std::string address,
          const std::vector<client::OutgoingMessage>& msgs, int window, Callbacks callbacks)
      : owner_(owner),
        url_(std::move(url)),
        address_(std::move(address)),
        window_(window < 1 ? 1 : window),
        callbacks_(std::move(callbacks)),
        container_(*this) {
    msgs_.reserve(msgs.size());
    for (const auto& m : msgs) msgs_.push_back(client::ToProton(m));
  }

  void Run() {
    if (msgs_.empty()) {
      done_.Set(true);
      return;
    }
    try {
      container_.run();
    } catch (const std::exception& e) {
      // Every handler below swallows errors; this is Proton itself failing.
      if (error_.empty()) error_ = std::string("container stopped: ") + e.what();
    }
    done_.Set(true);
  }

  void Stop() { container_.stop(); }
  bool WaitUntil(std::chrono::steady_clock::time_point deadline) {
    return done_.WaitUntil(deadline).has_value();
  }
  const std::string& error() const { return error_; }

 private:
  void on_container_start(proton::container& c) override {
    c.connect(url_, proton::connection_options());
  }

  void on_connection_open(proton::connection& c) override {
    owner_.connected_ = true;
    c.open_sender(address_,
                  proton::sender_options().target(proton::target_options().address(address_)));
  }

  void on_sendable(proton::sender& s) override {
    const std::size_t before = next_;
    while (s.credit() > 0 && next_ < msgs_.size() && inflight_ < window_) {
      const std::size_t i = next_++;
      trackers_[s.send(msgs_[i])] = i;
      msgs_[i] = proton::message();  // encoded now; free the copy
      ++inflight_;
      owner_.transfers_ = next_;
      owner_.unsettled_ = static_cast<int>(inflight_);
    }
    if (next_ > before && !first_window_posted_ && callbacks_.first_window_written) {
      first_window_posted_ = true;
      // Work added now runs in a later turn of the container, after this turn's output has
      // been handed to the socket.
      s.connection().work_queue().add([this] {
        if (!transport_closed_) callbacks_.first_window_written(static_cast<int>(inflight_));
      });
    }
  }

  void Settled(proton::tracker& t) {
    auto it = trackers_.find(t);
    if (it == trackers_.end()) return;
    const std::size_t index = it->second;
    trackers_.erase(it);
    --inflight_;
    ++settled_;
    owner_.settlements_ = settled_;
    owner_.unsettled_ = static_cast<int>(inflight_);
    if (callbacks_.settled) {
      callbacks_.settled(index, client::OutcomeOf(t).kind, static_cast<int>(inflight_));
    }
    if (settled_ == msgs_.size()) {
      t.connection().close();
      return;
    }
    proton::sender s = t.sender();
    if (s.active()) on_sendable(s);
  }

  void on_tracker_accept(proton::tracker& t) override { Settled(t); }
  void on_tracker_reject(proton::tracker& t) override { Settled(t); }
  void on_tracker_release(proton::tracker& t) override { Settled(t); }
  void on_tracker_settle(proton::tracker& t) override { Settled(t); }

  void Note(const proton::error_condition& ec, const char* what) {
    if (error_.empty()) error_ = ec ? ec.what() : what;
  }
  void on_sender_error(proton::sender& s) override { Note(s.error(), "sender error"); }
  // A link the peer refused or closed ends the stream: nothing more can be sent on it.
  void on_sender_close(proton::sender& s) override {
    Note(s.error(), "sender link closed by the peer");
    if (s.connection().active()) s.connection().close();
  }
  void on_connection_error(proton::connection& c) override { Note(c.error(), "connection error"); }
  void on_transport_error(proton::transport& t) override { Note(t.error(), "transport error"); }
  void on_transport_close(proton::transport&) override { transport_closed_ = true; }
  // The default rethrows, which would end container_.run().
  void on_error(const proton::error_condition& ec) override { Note(ec, "error"); }

  StreamSender& owner_;
  const std::string url_;
  const std::string address_;
  const std::size_t window_;
  const Callbacks callbacks_;
  std::vector<proton::message> msgs_;

  // Container thread only.
  std::map<proton::tracker, std::size_t> trackers_;
  std::size_t next_ = 0;
  std::size_t inflight_ = 0;
  std::size_t settled_ = 0;
  bool first_window_posted_ = false;
  bool transport_closed_ = false;
  std::string error_;  // read by others only after done_

  client::OneShot<bool> done_;
  proton::container container_;  // last: destroyed first, after run() has returned
};

StreamSender::StreamSender(std::string url, std::string address,
                           std::vector<client::OutgoingMessage> msgs, int window,
                           Callbacks callbacks)
    : handler_(std::make_unique<Handler>(*this, std::move(url), std::move(address), msgs, window,
                                         std::move(callbacks))) {
  thread_ = std::thread([this] { handler_->Run(); });
}

StreamSender::~StreamSender() {
  if (!handler_->WaitUntil(std::chrono::steady_clock::now())) handler_->Stop();
  if (thread_.joinable()) thread_.join();
}

bool StreamSender::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  return handler_->WaitUntil(deadline);
}

const std::string& StreamSender::error() const { return handler_->error(); }

}  // namespace slussen::testing
