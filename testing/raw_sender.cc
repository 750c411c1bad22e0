#include "testing/raw_sender.h"

#include "amqp/proton_compat.h"

#include <proton/connection.hpp>
#include <proton/container.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/sender.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>

#include <future>
#include <thread>

namespace slussen::testing {
namespace {

class Handler : public proton::messaging_handler {
 public:
  Handler(std::string url, std::string address, std::string payload)
      : url_(std::move(url)), address_(std::move(address)), payload_(std::move(payload)) {}
  RawSendResult result;
  std::promise<void> done;

 private:
  void on_container_start(proton::container& c) override {
    c.open_sender(url_ + "/" + address_);
  }
  void on_sendable(proton::sender& s) override {
    if (sent_) return;
    sent_ = true;
    amqp::SendRaw(s, "raw", payload_);
  }
  void Finish(proton::tracker& t, const char* outcome) {
    result.settled = true;
    result.outcome = outcome;
    t.connection().close();
  }
  void on_tracker_accept(proton::tracker& t) override { Finish(t, "accepted"); }
  void on_tracker_reject(proton::tracker& t) override { Finish(t, "rejected"); }
  void on_tracker_release(proton::tracker& t) override {
    Finish(t, t.state() == proton::transfer::MODIFIED ? "modified" : "released");
  }
  void on_error(const proton::error_condition& e) override {
    if (result.error.empty()) result.error = e.what();
  }
  void on_transport_close(proton::transport&) override { done.set_value(); }

  std::string url_, address_, payload_;
  bool sent_ = false;
};

}  // namespace

RawSendResult SendRawTransfer(const std::string& url, const std::string& address,
                              const std::string& payload, std::chrono::milliseconds timeout) {
  Handler handler(url, address, payload);
  auto done = handler.done.get_future();
  proton::container container(handler);
  std::thread runner([&] { container.run(); });
  bool timed_out = false;
  if (done.wait_for(timeout) != std::future_status::ready) {
    timed_out = true;
    container.stop();
  }
  runner.join();
  if (timed_out) handler.result.error = "timed out";
  return handler.result;
}

}  // namespace slussen::testing
