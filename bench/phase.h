#pragma once
// One measured load phase against a system under test: receivers attach to every destination, a
// sender sends (all-out or at a fixed rate), the phase waits until every accepted message has
// arrived at every destination (or nothing arrives for a while), and the result says how fast,
// how late, at what CPU cost, and whether anything was lost.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "histogram.h"
#include "load_receivers.h"
#include "load_sender.h"

namespace slussen::bench {

class PayloadFactory;
class Sut;

struct PhaseSpec {
  std::string label = {};
  uint64_t count = 0;  // messages; 0 = `seconds` of sending
  double seconds = 0;
  double rate = 0;  // 0 = all-out
  int window = 1000;
  bool sequential_ids = false;
  bool receive = true;  // false: only send (to queue events for a later phase)
  std::vector<std::string> receive_addresses = {};  // empty: the system's own
  std::chrono::milliseconds idle{30000};            // give up when nothing arrives for this long
};

// What one process of the system under test did during a phase (sut.h SutProcess).
struct ProcessUsage {
  std::string role;
  int64_t cpu_us = 0;
  int64_t write_bytes = 0;
  int64_t hwm_kb = 0;  // VmHWM at the end
};

struct PhaseResult {
  std::string label = {};
  bool ok = false;  // everything accepted and, if receiving, delivered to every destination
  std::string error;
  double rate = 0;
  uint64_t sent = 0, accepted = 0, rejected = 0, released = 0;
  uint64_t delivered = 0;  // unique deliveries summed over destinations
  uint64_t duplicates = 0, lost = 0, foreign = 0;
  int destinations = 0;
  double send_seconds = 0;      // first send -> last accept
  double in_per_s = 0;          // accepted events per second
  double out_per_s = 0;         // unique deliveries per second, all destinations together
  Histogram latency_us;         // send (intended) -> arrival, all destinations
  Histogram accept_us;          // send (intended) -> accepted
  int64_t sut_cpu_us = 0;       // CPU the system under test used during the phase (all processes)
  double sut_cpu_cores = 0;     // ... as cores busy on average
  int64_t sut_rss_kb = 0;       // VmRSS at the end
  int64_t sut_hwm_kb = 0;       // VmHWM at the end
  int64_t sut_write_bytes = 0;  // storage writes the system caused during the phase
  int64_t sut_write_calls = 0;
  int64_t device_write_bytes = -1;  // to the device holding the system's data (-1: unknown)
  std::vector<ProcessUsage> sut_processes;  // the sums above, per process
  double bench_cpu_cores = 0;  // the load generator's own CPU (it shares the machine)
  // For scenarios that look at individual messages afterwards.
  uint32_t run = 0;
};

PhaseResult RunPhase(Sut& sut, const PayloadFactory& payloads, const PhaseSpec& spec);

// Accepted sequence numbers that some destination did not get (for run index `run_index`).
uint64_t CountLost(const std::vector<uint8_t>& accepted_seq,
                   const std::vector<DestinationDelivery>& deliveries, int run_index);

}  // namespace slussen::bench
