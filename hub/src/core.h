#pragma once
// The core actor: the one thread that owns the store and all mutable hub state.
//
// Life of an inbound event: the transport Post()s an InboundMessage; the core takes everything
// queued (at most commit_batch_max inbound messages), decides each (decode, validate, route),
// journals the accepted ones and their outbox rows, dead-letters the refused ones, records
// delivery outcomes — all in ONE transaction (group commit) — and only after the commit tells the
// transport how to settle each inbound delivery. Then it hands the transport whatever the
// receivers have credit for. If the commit fails, every inbound message of the batch is released
// (the sender will retry) and nothing is reported as stored.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "clock.h"
#include "config.h"
#include "core_messages.h"
#include "dispatcher.h"
#include "store.h"

namespace slussen {

struct CoreCounters {
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t released = 0;
  uint64_t delivered = 0;
  uint64_t commits = 0;
};

class Core {
 public:
  // `config`, `store` and `output` must outlive the Core.
  Core(const Config& config, Store& store, CoreOutput& output, Clock clock);
  ~Core();  // stops the thread if still running
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  void Start();
  // Thread-safe: queue work for the core.
  void Post(CoreInput input);
  // Blocks until everything posted before this call is committed and settled.
  void Drain();
  // Drains, then stops the thread.
  void Stop();

  // Only meaningful after Stop().
  CoreCounters counters() const { return counters_; }

 private:
  struct Barrier {
    std::shared_ptr<std::promise<void>> done;
  };
  using Item = std::variant<CoreInput, Barrier>;

  void Run();
  std::vector<Item> TakeBatch();
  void Process(std::vector<Item>& items);
  void Pump();

  const Config& config_;
  Store& store_;
  CoreOutput& output_;
  Clock clock_;
  Dispatcher dispatcher_;
  CoreCounters counters_;
  // Seqs receivers accepted whose MarkDelivered was rolled back with a failed batch: the
  // dispatcher has forgotten them, so the next transaction must record them.
  std::vector<int64_t> unrecorded_deliveries_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace slussen
