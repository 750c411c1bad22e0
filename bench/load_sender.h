#pragma once
// The load generator's sending side: one AMQP connection and one sender link, driven by its own
// single-threaded Proton container (non-blocking: up to `window` messages unsettled).
//
// All-out mode (rate 0) sends as fast as credit and the window allow. Fixed-rate mode schedules
// message i at start + i/rate and stamps it with that INTENDED time, so that a system that falls
// behind shows it in the latency (no coordinated omission); a 1 ms timer sends whatever is due.
// Each message carries its send time (steady clock, µs) in the application property
// `bench_sent_us`, and the same time is written to the run's SendLog for receivers whose system
// under test does not forward application properties (Slussen forwards the body and message-id).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "histogram.h"

namespace slussen::bench {

class PayloadFactory;
class SendLog;

struct SendPlan {
  std::string url = {};           // host:port
  std::string address = {};       // target address
  bool durable_terminus = false;  // RabbitMQ: target durability (docs/amqp-notes.md §2)
  // Non-empty: log in with SASL PLAIN (in clear: loopback only) and stamp every message's
  // user-id with `user`, as the adapters do in broker mode (the broker checks it against the
  // login, the hub reads the sender from it).
  std::string user = {};
  std::string password = {};
  uint32_t run = 0;               // goes into every event id
  uint64_t count = 0;             // messages to send; 0 = until `seconds` have passed
  double seconds = 0;
  double rate = 0;              // messages per second; 0 = all-out
  int window = 1000;            // most unsettled messages at a time
  bool sequential_ids = false;  // event ids in sending order instead of random-looking
  const PayloadFactory* payloads = nullptr;
  SendLog* log = nullptr;
};

struct SendStats {
  uint64_t sent = 0;  // distinct messages sent (not counting resends)
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t released = 0;  // each one was sent again
  int64_t start_us = 0;   // when sending began (steady clock)
  int64_t last_accept_us = 0;
  Histogram accept_us;                // send (intended, in fixed-rate mode) -> accepted
  std::string error;                  // connection / link error, or first rejection's reason
  std::vector<uint8_t> accepted_seq;  // 1 for every accepted sequence number
};

class LoadSender {
 public:
  explicit LoadSender(SendPlan plan);
  ~LoadSender();  // stops the container if still running
  LoadSender(const LoadSender&) = delete;
  LoadSender& operator=(const LoadSender&) = delete;

  void Start();
  // Waits until every message is settled (or an error ended the run); false on timeout.
  bool Wait(std::chrono::milliseconds timeout);
  // Ends sending early (e.g. live traffic that only has to last while something else happens);
  // what was sent still gets settled, and Wait() then returns.
  void StopSending();
  // Closes the connection and joins the container thread; then stats() is final.
  void Finish();
  // Thread-safe progress: accepted so far.
  uint64_t accepted() const;
  const SendStats& stats() const;

 private:
  class Handler;
  std::unique_ptr<Handler> handler_;
};

}  // namespace slussen::bench
