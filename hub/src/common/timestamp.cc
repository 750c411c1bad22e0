#include "common/timestamp.h"

#include <algorithm>

namespace slussen {
namespace {

constexpr int32_t kMaxNanos = 999'999'999;
constexpr int64_t kMicrosPerSecond = 1'000'000;

bool NanosValid(int32_t nanos) { return nanos >= 0 && nanos <= kMaxNanos; }

}  // namespace

std::optional<int64_t> TimestampToMicros(const google::protobuf::Timestamp& ts) {
  if (!NanosValid(ts.nanos())) return std::nullopt;
  if (ts.seconds() < kTimestampMinSeconds || ts.seconds() > kTimestampMaxSeconds) {
    return std::nullopt;
  }
  return ts.seconds() * kMicrosPerSecond + ts.nanos() / 1000;
}

std::string TimestampProblem(const google::protobuf::Timestamp& ts) {
  if (!NanosValid(ts.nanos())) {
    return "nanos " + std::to_string(ts.nanos()) + " is invalid (must be 0..999999999)";
  }
  if (ts.seconds() < kTimestampMinSeconds || ts.seconds() > kTimestampMaxSeconds) {
    return "outside the range of google.protobuf.Timestamp (0001-01-01 to 9999-12-31)";
  }
  if (ts.seconds() < kPlausibleEarliestSeconds) {
    return "implausibly far in the past (before 1900-01-01)";
  }
  if (ts.seconds() >= kPlausibleEndSeconds) {
    return "implausibly far in the future (2200-01-01 or later)";
  }
  return "";
}

int64_t TimestampToMicrosClamped(const google::protobuf::Timestamp& ts) {
  const int64_t seconds =
      std::clamp<int64_t>(ts.seconds(), kPlausibleEarliestSeconds, kPlausibleEndSeconds);
  const int64_t nanos = std::clamp<int32_t>(ts.nanos(), 0, kMaxNanos);
  // The window is half open: its last instant is the microsecond before 2200-01-01.
  return std::min(seconds * kMicrosPerSecond + nanos / 1000,
                  kPlausibleEndSeconds * kMicrosPerSecond - 1);
}

std::chrono::system_clock::time_point TimestampToTimePoint(const google::protobuf::Timestamp& ts) {
  return std::chrono::system_clock::time_point(
      std::chrono::microseconds(TimestampToMicrosClamped(ts)));
}

}  // namespace slussen
