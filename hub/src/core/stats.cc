#include "core/stats.h"

#include <algorithm>
#include <bit>

namespace slussen {

void LatencyHistogram::Record(int64_t micros) {
  const auto us = static_cast<uint64_t>(std::max<int64_t>(micros, 0));
  // Bucket i holds [2^(i-1), 2^i): bit_width(us) is i for those.
  const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(std::bit_width(us)), kBuckets - 1);
  ++buckets[i];
  ++count;
  sum_us += us;
}

int64_t LatencyHistogram::QuantileUpperBoundUs(double q) const {
  if (count == 0) return 0;
  const auto rank = static_cast<uint64_t>(q * static_cast<double>(count) + 0.999999);
  uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets[i];
    if (seen >= std::max<uint64_t>(rank, 1)) return BucketUpperBoundUs(i);
  }
  return BucketUpperBoundUs(kBuckets - 1);
}

std::string RejectionReasonKey(const std::string& reason) {
  constexpr std::size_t kMaxKey = 64;
  const auto colon = reason.find(':');
  std::string key = reason.substr(0, std::min(colon == std::string::npos ? reason.size() : colon, kMaxKey));
  // Keys are field paths; anything else (a value slipped in) must not reach a metrics label.
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-' || c == '[' || c == ']';
  });
  return plain ? key : "other";
}

std::shared_ptr<const CoreStats> StatsBoard::Read() const {
  std::lock_guard lock(mu_);
  return current_;
}

void StatsBoard::Publish(std::shared_ptr<const CoreStats> stats) {
  std::lock_guard lock(mu_);
  current_ = std::move(stats);
}

}  // namespace slussen
