#pragma once
// The load generator's receiving side: one connection and one receiver per destination address,
// all on one single-threaded Proton container. Every message is accepted. Messages are matched to
// their run and sequence number by event id (event_ids.h); for each tracked run and destination
// it records which sequence numbers arrived (to prove nothing was lost), duplicates, and the
// latency from the send time in the run's SendLog to arrival.
//
// Closing follows docs/amqp-notes.md §3: detach every receiver, wait for the peer's detach, and
// only then close the connection (RabbitMQ loses accepts otherwise).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "histogram.h"

namespace slussen::bench {

class SendLog;

struct ReceivePlan {
  std::string url = {};
  std::vector<std::string> addresses = {};
  bool durable_terminus = false;  // RabbitMQ: source durability + expiry never
  std::string user = {};  // non-empty: SASL PLAIN login (in clear: loopback only)
  std::string password = {};
  int credit = 1000;
};

// What one destination got of one run.
struct RunDelivery {
  uint64_t unique = 0;
  uint64_t duplicates = 0;
  int64_t first_us = 0;
  int64_t last_us = 0;   // arrival of the latest first-time delivery
  Histogram latency_us;  // arrival - send time (intended time in fixed-rate mode)
  std::vector<uint8_t> seen;
};

struct DestinationDelivery {
  std::string address;
  uint64_t received = 0;  // every message, any run
  uint64_t foreign = 0;   // not of a tracked run (e.g. left over from an earlier phase)
  int64_t first_us = 0;
  std::vector<RunDelivery> runs;  // in the order of Track() calls
};

class LoadReceivers {
 public:
  explicit LoadReceivers(ReceivePlan plan);
  ~LoadReceivers();
  LoadReceivers(const LoadReceivers&) = delete;
  LoadReceivers& operator=(const LoadReceivers&) = delete;

  // Registers a run to account for; returns its index in DestinationDelivery::runs.
  int Track(uint32_t run, const SendLog* log);
  // Connects and attaches; false (with `error`) if not all receivers are attached in time.
  bool Start(std::chrono::milliseconds timeout, std::string* error);
  // Waits until every destination has `expected` unique messages of run index `run_index`, or
  // until nothing new arrived for `idle`; true if complete.
  bool WaitFor(int run_index, uint64_t expected, std::chrono::milliseconds idle,
               std::chrono::milliseconds overall);
  // Total messages received on all destinations (progress; thread-safe).
  uint64_t received() const;
  // The first arrival of any message on any destination (steady µs), 0 if none yet.
  int64_t first_arrival_us() const;
  // Detaches, closes, joins. Afterwards deliveries() is final.
  void Finish();
  // A copy taken under the lock (thread-safe at any time).
  std::vector<DestinationDelivery> deliveries() const;
  std::string error() const;

 private:
  class Handler;
  std::unique_ptr<Handler> handler_;
};

}  // namespace slussen::bench
