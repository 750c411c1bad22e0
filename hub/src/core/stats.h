#pragma once
// Live statistics of the core: counters and gauges that any thread (the admin API, metrics, a
// test) can read at any time without holding the core up.
//
// The core builds a fresh immutable CoreStats value from its own state (at most every
// `publish_interval`, and at every drain) and swaps it into the StatsBoard; a reader copies the
// shared pointer under a mutex held for nanoseconds and then reads at leisure. No counter is
// shared between threads, so nothing needs atomics and a snapshot is always consistent.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"

namespace slussen {

// Commit latency (begin of the store write to its durable return), in power-of-two buckets:
// bucket i counts commits that took less than 2^i microseconds (the last one: everything longer).
struct LatencyHistogram {
  static constexpr std::size_t kBuckets = 26;  // up to 2^25 us = 33 s
  std::array<uint64_t, kBuckets> buckets{};
  uint64_t count = 0;
  uint64_t sum_us = 0;

  void Record(int64_t micros);
  // The upper bound (us) of the bucket that holds the q-quantile (0 < q <= 1); 0 when empty.
  int64_t QuantileUpperBoundUs(double q) const;
  static int64_t BucketUpperBoundUs(std::size_t i) { return int64_t{1} << i; }
};

struct DestinationLiveStats {
  std::string destination;
  int64_t depth = 0;                 // stored and not yet delivered (accepted by a receiver)
  int64_t oldest_pending_at_us = 0;  // enqueue time of the oldest undelivered event; 0: none
  int64_t in_flight = 0;             // sent, receiver's outcome not yet known
  int64_t waiting_retry = 0;         // released/rejected/lost, waiting for its next attempt
  int receivers = 0;                 // attached receiver links
  uint64_t delivered = 0;            // acceptances recorded since start
  uint64_t retried = 0;              // attempts that ended other than accepted since start
  uint64_t dead = 0;                 // deliveries whose retries ended, since start
  bool receipts_expected = false;    // its policy waits for a Receipt (<receipt timeout>)
  uint64_t receipts = 0;             // Receipts stored that name it as receiver, since start
  uint64_t receipts_overdue = 0;     // deliveries whose Receipt did not come in time, since start
  uint64_t fallbacks = 0;            // deliveries handed to its fallback (dead or no receipt)
  int64_t cases_held_back = 0;       // cases whose later events wait behind one on its way
  bool paused = false;               // by an operator
  std::string maintenance_window;    // the window it is in (nothing is sent), if any
  int64_t window_ends_at_us = 0;
};

struct CoreStats {
  int64_t published_at_us = 0;  // on the core's (injected) clock
  bool started = false;         // false until the core has read its baseline from the store

  // Inbound, since start.
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t released = 0;
  // Rejections by the field or part named first in the reason ("body", "patient.identity.id",
  // "message-id"...). At most kMaxReasons keys; the rest count under "other".
  static constexpr std::size_t kMaxReasons = 64;
  std::map<std::string, uint64_t> rejected_by_reason;

  // The store.
  uint64_t commits = 0;
  uint64_t failed_commits = 0;
  LatencyHistogram commit_latency;
  bool store_latched = false;
  std::string store_latched_reason;
  // The disk bound (<store max-bytes>, core/disk_bound.h): the store's size at the last
  // measurement, and whether inbound is released because the store reached max-bytes.
  uint64_t store_bytes = 0;
  uint64_t store_max_bytes = 0;  // 0: unbounded
  bool store_full = false;
  uint64_t released_store_full = 0;  // since start; also counted in `released`
  // The audit log's committed head (hub/DESIGN.md "Audit log and retention"): shown outside the
  // store so that a log cut at its tail shows as a head lower than one seen before.
  int64_t audit_head_seq = 0;
  std::string audit_head_hash;

  // Outbound.
  uint64_t delivered = 0;
  std::vector<DestinationLiveStats> destinations;  // every configured destination, by name

  // Cases.
  uint64_t cases_evaluated_by_timer = 0;  // re-evaluations because time passed
  uint64_t case_cache_cases = 0;
  uint64_t case_cache_events = 0;
  uint64_t case_cache_hits = 0;
  uint64_t case_cache_misses = 0;
};

// The key a rejection reason counts under: its text up to the first ':' (bounded length).
std::string RejectionReasonKey(const std::string& reason);

class StatsBoard {
 public:
  StatsBoard() : current_(std::make_shared<const CoreStats>()) {}
  // Thread-safe; never blocks for longer than a pointer copy.
  std::shared_ptr<const CoreStats> Read() const;
  void Publish(std::shared_ptr<const CoreStats> stats);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const CoreStats> current_;  // guarded by mu_
};

}  // namespace slussen
