#include "testing/raw_receiver.h"

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
#include <proton/source_options.hpp>
#include <proton/transport.hpp>

#include <future>
#include <mutex>
#include <thread>

namespace slussen::testing {

namespace {

class Handler : public proton::messaging_handler {
 public:
  Handler(std::string url, std::string address, int credit, int accept_first)
      : url_(std::move(url)),
        address_(std::move(address)),
        credit_(credit),
        accept_first_(accept_first) {}

  void on_container_start(proton::container& c) override {
    c.connect(url_, proton::connection_options().handler(*this));
  }
  void on_connection_open(proton::connection& conn) override {
    conn.open_receiver(address_, proton::receiver_options()
                                     .credit_window(0)
                                     .auto_accept(false)
                                     .source(proton::source_options().address(address_)));
  }
  void on_receiver_open(proton::receiver& r) override {
    if (r.source().address() != address_) {
      Fail("attach refused (source " + r.source().address() + ")");
      r.connection().close();
      return;
    }
    r.add_credit(credit_);
  }
  void on_message(proton::delivery& d, proton::message& m) override {
    const std::string id = proton::to_string(m.id());
    ++received_;
    if (received_ <= accept_first_) {
      d.accept();
      result_.accepted_ids.push_back(id);
    } else {
      held_.push_back(d);  // keep it unsettled
      result_.unsettled_ids.push_back(id);
    }
    if (received_ == credit_) {
      result_.ok = true;
      d.receiver().close();
    }
  }
  void on_receiver_close(proton::receiver& r) override { r.connection().close(); }
  void on_receiver_error(proton::receiver& r) override {
    Fail("receiver error: " + r.error().what());
  }
  void on_connection_error(proton::connection& c) override {
    Fail("connection error: " + c.error().what());
  }
  void on_transport_error(proton::transport& t) override {
    Fail("transport error: " + t.error().what());
  }
  void on_error(const proton::error_condition& e) override { Fail(e.what()); }

  RawReceiveResult Take() {
    RawReceiveResult r = result_;
    if (!r.ok && r.error.empty()) r.error = "connection ended early";
    if (!error_.empty()) {
      r.ok = false;
      r.error = error_;
    }
    return r;
  }

 private:
  void Fail(const std::string& e) {
    if (error_.empty() && !result_.ok) error_ = e;
  }

  std::string url_, address_;
  int credit_, accept_first_;
  int received_ = 0;
  std::vector<proton::delivery> held_;
  RawReceiveResult result_;
  std::string error_;
};

}  // namespace

RawReceiveResult ReceiveThenDetach(const std::string& url, const std::string& address, int credit,
                                   int accept_first, std::chrono::milliseconds timeout) {
  Handler handler(url, address, credit, accept_first);
  proton::container container(handler, "raw-receiver");
  std::promise<void> done;
  auto finished = done.get_future();
  std::thread runner([&] {
    try {
      container.run();
    } catch (const std::exception&) {
    }
    done.set_value();
  });
  bool timed_out = false;
  if (finished.wait_for(timeout) != std::future_status::ready) {
    timed_out = true;
    container.stop();
  }
  runner.join();
  RawReceiveResult r = handler.Take();
  if (timed_out && !r.ok) r.error = "timed out: " + r.error;
  return r;
}

}  // namespace slussen::testing
