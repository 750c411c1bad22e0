#pragma once
// A log-linear latency histogram in the spirit of HdrHistogram: exact below 128 µs, then 64
// sub-buckets per power of two (relative error under 1.6 %), values up to 2^50 µs. Percentiles
// report the upper edge of the bucket (never optimistic); min, max and mean are exact.
// Not thread-safe: one owner, merge copies with Add().
#include <cstdint>
#include <vector>

namespace slussen::bench {

class Histogram {
 public:
  Histogram();
  void Record(int64_t value_us);  // negative values count as 0
  void Add(const Histogram& other);
  uint64_t count() const { return count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0;
  }
  // p in [0, 100]; 0 with no values.
  int64_t Percentile(double p) const;

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace slussen::bench
