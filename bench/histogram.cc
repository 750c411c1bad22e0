#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace slussen::bench {
namespace {

constexpr int kSubBuckets = 64;
constexpr int kMaxShift = 44;  // values up to 2^50 µs
constexpr std::size_t kBucketCount = kSubBuckets * (kMaxShift + 2);

std::size_t IndexOf(uint64_t v) {
  if (v < 2 * kSubBuckets) return static_cast<std::size_t>(v);
  const int msb = 63 - std::countl_zero(v);
  const int shift = std::min(msb - 6, kMaxShift);
  const uint64_t top = std::min<uint64_t>(v >> shift, 2 * kSubBuckets - 1);
  return static_cast<std::size_t>(kSubBuckets * shift) + static_cast<std::size_t>(top);
}

int64_t UpperEdge(std::size_t index) {
  if (index < 2 * kSubBuckets) return static_cast<int64_t>(index);
  const int shift = static_cast<int>(index / kSubBuckets) - 1;
  const uint64_t top = index % kSubBuckets + kSubBuckets;
  return static_cast<int64_t>(((top + 1) << shift) - 1);
}

}  // namespace

Histogram::Histogram() : buckets_(kBucketCount, 0) {}

void Histogram::Record(int64_t value_us) {
  const uint64_t v = value_us < 0 ? 0 : static_cast<uint64_t>(value_us);
  ++buckets_[IndexOf(v)];
  const auto sv = static_cast<int64_t>(v);
  if (count_ == 0 || sv < min_) min_ = sv;
  if (count_ == 0 || sv > max_) max_ = sv;
  ++count_;
  sum_ += static_cast<long double>(v);
}

void Histogram::Add(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBucketCount; ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ ? std::min(min_, other.min_) : other.min_;
  max_ = count_ ? std::max(max_, other.max_) : other.max_;
  count_ += other.count_;
  sum_ += other.sum_;
}

int64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<uint64_t>(std::ceil(clamped / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(UpperEdge(i), min_, max_);
  }
  return max_;
}

}  // namespace slussen::bench
