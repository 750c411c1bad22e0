#pragma once
// The send time of each message of one run, by sequence number: written by the sending thread,
// read by the receiving thread (hence atomics). Grows in chunks; no reallocation ever moves an
// entry, so readers need no lock.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace slussen::bench {

class SendLog {
 public:
  SendLog();
  ~SendLog();
  SendLog(const SendLog&) = delete;
  SendLog& operator=(const SendLog&) = delete;

  // Sender thread only. `us` on the steady clock (NowUs()); must be > 0.
  void Set(uint64_t seq, int64_t us);
  // Any thread; 0 if unknown.
  int64_t Get(uint64_t seq) const;

 private:
  static constexpr int kChunkBits = 16;
  static constexpr uint64_t kMaxChunks = 1 << 12;  // 268M messages
  std::unique_ptr<std::atomic<std::atomic<int64_t>*>[]> chunks_;
};

// Microseconds on the steady (monotonic) clock, comparable across processes on this machine.
int64_t NowUs();
// The same for a time taken earlier.
int64_t SteadyUs(std::chrono::steady_clock::time_point t);

}  // namespace slussen::bench
