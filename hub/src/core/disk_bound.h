#pragma once
// The store's disk bound (<store max-bytes resume-below>; hub/DESIGN.md "Disk bound"): whether the
// core refuses inbound because the store has grown to max-bytes. Owned and used by the core
// thread only.
//
// The store is measured (Store::BytesOnDisk: a stat of its files, no query) at most once per
// interval, never per event, so the bound is soft: the store may pass max-bytes by what arrives
// within one interval. Hysteresis: full from max-bytes on, not full again until the store is
// below resume-below, so the hub does not flap around the bound.
//
// While full, every measurement also asks the store to give back what it can (ReclaimSpace: for
// SQLite a checkpoint that truncates the write-ahead log). That is all that can shrink: the
// database file keeps its size when events are delivered, because the hub keeps every event (the
// journal is the evidence). So a store that is full because its log grew (a reader held it)
// recovers by itself; one whose database file reached the bound stays full until an operator
// raises max-bytes or gives the store more room, and the log says so.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"
#include "store/store.h"

namespace slussen {

class DiskBound {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // The bound is read from `config` (which must outlive this) at each measurement:
  // store_max_bytes 0 is unbounded (the size is still measured, for the statistics); a
  // store_resume_below_bytes of 0 or not below the max means the default, 90 % of it.
  // interval 0: measure at every Check (tests), and NextCheckAt() never asks the core to wake
  // for it.
  DiskBound(const Config& config, std::chrono::milliseconds interval);

  // Measures the store if the interval has passed since the last measurement, updates the state
  // and logs a change (numbers only). Returns whether inbound is refused.
  bool Check(Store& store, TimePoint now);
  // `n` inbound messages were released because the store is full (Check reports them while
  // full, at most once a minute).
  void CountReleased(std::size_t n);
  // While full: when the next measurement is due, so that the core notices a recovery without
  // traffic. nullopt while not full.
  std::optional<TimePoint> NextCheckAt() const;

  bool full() const { return full_; }
  uint64_t bytes() const { return bytes_; }  // at the last measurement
  uint64_t max_bytes() const { return config_.store_max_bytes; }
  uint64_t resume_below_bytes() const;
  uint64_t released() const { return released_; }  // since start

 private:
  void BecomeFull(Store& store, TimePoint now);
  void Recover(Store& store, TimePoint now);
  std::string Reason() const;

  const Config& config_;
  const std::chrono::milliseconds interval_;
  std::optional<TimePoint> measured_at_;
  uint64_t bytes_ = 0;
  bool full_ = false;
  uint64_t released_ = 0;
  uint64_t released_while_full_ = 0;  // in the current full period
  uint64_t released_since_report_ = 0;
  TimePoint full_since_;
  TimePoint reported_at_;
  std::optional<TimePoint> error_logged_at_;
};

}  // namespace slussen
