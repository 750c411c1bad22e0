#include "common/timestamp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>

#include "common/clock.h"
#include "common/time_format.h"

namespace slussen {
namespace {

using google::protobuf::Timestamp;
using ::testing::HasSubstr;

Timestamp Ts(int64_t seconds, int32_t nanos = 0) {
  Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(nanos);
  return ts;
}

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

TEST(TimestampToMicros, ExactInsideProtobufRange) {
  EXPECT_EQ(TimestampToMicros(Ts(0)), 0);
  EXPECT_EQ(TimestampToMicros(Ts(1, 999'999'999)), 1'999'999);
  // Before 1970: nanos count forward from the (negative) second.
  EXPECT_EQ(TimestampToMicros(Ts(-1, 500'000'000)), -500'000);
  EXPECT_EQ(TimestampToMicros(Ts(kTimestampMaxSeconds, 999'999'999)),
            kTimestampMaxSeconds * 1'000'000 + 999'999);
  EXPECT_EQ(TimestampToMicros(Ts(kTimestampMinSeconds)), kTimestampMinSeconds * 1'000'000);
}

TEST(TimestampToMicros, RefusesWhatProtobufDoesNotAllow) {
  EXPECT_EQ(TimestampToMicros(Ts(0, 2'000'000'000)), std::nullopt);
  EXPECT_EQ(TimestampToMicros(Ts(0, 1'000'000'000)), std::nullopt);
  EXPECT_EQ(TimestampToMicros(Ts(0, -1)), std::nullopt);
  EXPECT_EQ(TimestampToMicros(Ts(kTimestampMaxSeconds + 1)), std::nullopt);
  EXPECT_EQ(TimestampToMicros(Ts(kTimestampMinSeconds - 1)), std::nullopt);
  EXPECT_EQ(TimestampToMicros(Ts(kInt64Max)), std::nullopt);
  EXPECT_EQ(TimestampToMicros(Ts(kInt64Min)), std::nullopt);
}

TEST(TimestampProblem, NamesEachLimit) {
  EXPECT_EQ(TimestampProblem(Ts(1'760'000'000)), "");
  EXPECT_EQ(TimestampProblem(Ts(-86'400)), "") << "a time before 1970 is plausible";
  EXPECT_EQ(TimestampProblem(Ts(kPlausibleEarliestSeconds)), "");
  EXPECT_EQ(TimestampProblem(Ts(kPlausibleEndSeconds - 1, 999'999'999)), "");
  EXPECT_THAT(TimestampProblem(Ts(0, 2'000'000'000)),
              HasSubstr("nanos 2000000000 is invalid"));
  EXPECT_THAT(TimestampProblem(Ts(0, -1)), HasSubstr("nanos -1 is invalid"));
  EXPECT_THAT(TimestampProblem(Ts(kInt64Max)),
              HasSubstr("outside the range of google.protobuf.Timestamp"));
  EXPECT_THAT(TimestampProblem(Ts(kTimestampMinSeconds - 1)),
              HasSubstr("outside the range of google.protobuf.Timestamp"));
  EXPECT_THAT(TimestampProblem(Ts(kPlausibleEarliestSeconds - 1)),
              HasSubstr("implausibly far in the past (before 1900-01-01)"));
  EXPECT_THAT(TimestampProblem(Ts(kTimestampMaxSeconds)),
              HasSubstr("implausibly far in the future (2200-01-01 or later)"));
  EXPECT_THAT(TimestampProblem(Ts(kPlausibleEndSeconds)), HasSubstr("implausibly far in the future"));
}

// The window's constants are the instants they claim to be.
TEST(TimestampProblem, WindowConstantsAreTheirDates) {
  using namespace std::chrono;
  EXPECT_EQ(kPlausibleEarliestSeconds,
            duration_cast<seconds>(sys_days(year(1900) / 1 / 1).time_since_epoch()).count());
  EXPECT_EQ(kPlausibleEndSeconds,
            duration_cast<seconds>(sys_days(year(2200) / 1 / 1).time_since_epoch()).count());
  EXPECT_EQ(kTimestampMinSeconds,
            duration_cast<seconds>(sys_days(year(1) / 1 / 1).time_since_epoch()).count());
  EXPECT_EQ(kTimestampMaxSeconds + 1,
            duration_cast<seconds>(sys_days(year(10000) / 1 / 1).time_since_epoch()).count());
}

// Stored data that never passed today's validation cannot overflow the case logic: it is held
// at the window's edges.
TEST(TimestampToTimePoint, ClampsIntoThePlausibleWindow) {
  EXPECT_EQ(ToMicros(TimestampToTimePoint(Ts(kTimestampMaxSeconds, 999'999'999))),
            kPlausibleEndSeconds * 1'000'000 - 1);
  EXPECT_EQ(ToMicros(TimestampToTimePoint(Ts(kInt64Max))), kPlausibleEndSeconds * 1'000'000 - 1);
  EXPECT_EQ(ToMicros(TimestampToTimePoint(Ts(kInt64Min))), kPlausibleEarliestSeconds * 1'000'000);
  EXPECT_EQ(ToMicros(TimestampToTimePoint(Ts(10, 2'000'000'000))), 10'999'999);
  EXPECT_EQ(ToMicros(TimestampToTimePoint(Ts(10, -7))), 10'000'000);
  EXPECT_EQ(ToMicros(TimestampToTimePoint(Ts(-86'400, 250'000))), -86'400'000'000 + 250);
}

TEST(ParseRfc3339, RefusesYearsASystemClockCannotHold) {
  EXPECT_EQ(ParseRfc3339("9999-12-31T23:59:59Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("1800-01-01T00:00:00Z"), std::nullopt);
  ASSERT_TRUE(ParseRfc3339("1969-07-20T20:17:40Z"));
  EXPECT_EQ(ToMicros(*ParseRfc3339("1969-07-20T20:17:40Z")), -14'182'940'000'000);
}

}  // namespace
}  // namespace slussen
