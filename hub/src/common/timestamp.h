#pragma once
// google.protobuf.Timestamp to microseconds and time points, without overflow. A Timestamp off
// the wire can hold anything: nanos of 2e9 or below zero, seconds far beyond year 9999.
// Multiplying such seconds into nanoseconds (std::chrono::system_clock's unit with libstdc++,
// which reaches only 1677..2262) overflows silently, so every conversion in the hub goes
// through here: validation asks TimestampProblem() first, and code that reads stored, already
// validated events uses the clamping TimestampToTimePoint().
#include <google/protobuf/timestamp.pb.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace slussen {

// The range google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
inline constexpr int64_t kTimestampMinSeconds = -62'135'596'800;
inline constexpr int64_t kTimestampMaxSeconds = 253'402'300'799;

// The instants the hub treats as plausible for any event time: from 1900-01-01T00:00:00Z up to,
// not including, 2200-01-01T00:00:00Z. Nothing in discharge planning happens outside it, and
// it lies well inside what system_clock can hold, so arithmetic on accepted times (deadlines
// of days or years) cannot overflow.
inline constexpr int64_t kPlausibleEarliestSeconds = -2'208'988'800;  // 1900-01-01
inline constexpr int64_t kPlausibleEndSeconds = 7'258'118'400;        // 2200-01-01

// Microseconds since the epoch (nanos truncated), or nullopt when `ts` is not a valid Timestamp
// (nanos outside 0..999,999,999 or seconds outside protobuf's range). Cannot overflow: the
// valid range is about ±2.6e17 µs.
std::optional<int64_t> TimestampToMicros(const google::protobuf::Timestamp& ts);

// Why `ts` is not a plausible event time, or "" if it is: "nanos ... invalid", "outside the
// range of google.protobuf.Timestamp ...", "implausibly far in the past (before 1900-01-01)",
// "implausibly far in the future (2200-01-01 or later)". No value is echoed but nanos (a
// number, never personal data).
std::string TimestampProblem(const google::protobuf::Timestamp& ts);

// For events that passed validation (stored ones): the instant, clamped into the plausible
// window and with nanos clamped to 0..999,999,999, so that a stray value from an older store
// cannot overflow later arithmetic.
int64_t TimestampToMicrosClamped(const google::protobuf::Timestamp& ts);
std::chrono::system_clock::time_point TimestampToTimePoint(const google::protobuf::Timestamp& ts);

}  // namespace slussen
