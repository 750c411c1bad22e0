#include "send_log.h"

#include <chrono>

namespace slussen::bench {

int64_t SteadyUs(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

int64_t NowUs() { return SteadyUs(std::chrono::steady_clock::now()); }

SendLog::SendLog() : chunks_(new std::atomic<std::atomic<int64_t>*>[kMaxChunks]) {
  for (uint64_t i = 0; i < kMaxChunks; ++i) chunks_[i].store(nullptr, std::memory_order_relaxed);
}

SendLog::~SendLog() {
  for (uint64_t i = 0; i < kMaxChunks; ++i) delete[] chunks_[i].load();
}

void SendLog::Set(uint64_t seq, int64_t us) {
  const uint64_t chunk = seq >> kChunkBits;
  if (chunk >= kMaxChunks) return;
  auto* entries = chunks_[chunk].load(std::memory_order_acquire);
  if (entries == nullptr) {
    entries = new std::atomic<int64_t>[1 << kChunkBits];
    for (int i = 0; i < (1 << kChunkBits); ++i) entries[i].store(0, std::memory_order_relaxed);
    chunks_[chunk].store(entries, std::memory_order_release);
  }
  entries[seq & ((1 << kChunkBits) - 1)].store(us, std::memory_order_release);
}

int64_t SendLog::Get(uint64_t seq) const {
  const uint64_t chunk = seq >> kChunkBits;
  if (chunk >= kMaxChunks) return 0;
  const auto* entries = chunks_[chunk].load(std::memory_order_acquire);
  return entries ? entries[seq & ((1 << kChunkBits) - 1)].load(std::memory_order_acquire) : 0;
}

}  // namespace slussen::bench
