#include "delivery/retry_policy.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <limits>

namespace slussen {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kAlmostOne = 0.9999999999;

RetryPolicy NoJitter() {
  RetryPolicy p;
  p.jitter = 0;
  return p;
}

TEST(BackoffDelayTest, ExponentialFromTheInitialDelayWithoutJitter) {
  const RetryPolicy p = NoJitter();  // 1s, x2, at most 10m
  EXPECT_EQ(BackoffDelay(p, 1, 0.5), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(p, 2, 0.5), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(p, 3, 0.5), milliseconds(4000));
  EXPECT_EQ(BackoffDelay(p, 10, 0.5), milliseconds(512'000));
  // 1024 s would exceed the cap.
  EXPECT_EQ(BackoffDelay(p, 11, 0.5), milliseconds(minutes(10)));
  EXPECT_EQ(BackoffDelay(p, 12, 0.5), milliseconds(minutes(10)));
}

TEST(BackoffDelayTest, JitterBoundsAtBothEndsOfTheRandomRange) {
  const RetryPolicy p;  // jitter 0.2
  EXPECT_EQ(BackoffDelay(p, 1, 0.0), milliseconds(800));
  EXPECT_EQ(BackoffDelay(p, 1, kAlmostOne), milliseconds(1200));
  EXPECT_EQ(BackoffDelay(p, 3, 0.0), milliseconds(3200));
  EXPECT_EQ(BackoffDelay(p, 3, kAlmostOne), milliseconds(4800));
  EXPECT_EQ(BackoffDelay(p, 3, 0.5), milliseconds(4000));
  // Between the ends the delay grows with the random number.
  milliseconds previous{0};
  for (int i = 0; i < 100; ++i) {
    const milliseconds d = BackoffDelay(p, 3, i / 100.0);
    EXPECT_GE(d, previous);
    EXPECT_GE(d, milliseconds(3200));
    EXPECT_LE(d, milliseconds(4800));
    previous = d;
  }
}

TEST(BackoffDelayTest, CappedDelayIsJitteredAroundTheCapAndNeverAboveCapTimesOnePlusJitter) {
  const RetryPolicy p;
  EXPECT_EQ(BackoffDelay(p, 30, 0.0), milliseconds(480'000));
  EXPECT_EQ(BackoffDelay(p, 30, kAlmostOne), milliseconds(720'000));
  EXPECT_EQ(BackoffDelay(p, 30, 0.5), milliseconds(600'000));
}

TEST(BackoffDelayTest, HugeAttemptCountsDoNotOverflow) {
  const RetryPolicy p;
  for (int attempts : {64, 1000, 100'000, INT_MAX}) {
    EXPECT_EQ(BackoffDelay(p, attempts, 0.0), milliseconds(480'000)) << attempts;
    EXPECT_EQ(BackoffDelay(p, attempts, kAlmostOne), milliseconds(720'000)) << attempts;
  }
  RetryPolicy steep = p;
  steep.multiplier = 1e6;
  steep.max_delay = hours(24 * 3650);  // the longest the config allows
  EXPECT_EQ(BackoffDelay(steep, 1000, 0.5), steep.max_delay);
}

TEST(BackoffDelayTest, NeverDecreasesWithMoreFailures) {
  const RetryPolicy p;
  milliseconds previous{0};
  for (int attempts = 1; attempts <= 1000; ++attempts) {
    const milliseconds d = BackoffDelay(p, attempts, 0.25);
    EXPECT_GE(d, previous) << attempts;
    previous = d;
  }
}

TEST(BackoffDelayTest, OutOfRangeInputsAreClampedNotTrusted) {
  const RetryPolicy p;
  // No failure yet counts as the first.
  EXPECT_EQ(BackoffDelay(p, 0, 0.5), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(p, -5, 0.5), milliseconds(1000));
  // The random number is clamped into [0, 1).
  EXPECT_EQ(BackoffDelay(p, 1, -3.0), milliseconds(800));
  EXPECT_EQ(BackoffDelay(p, 1, 7.0), milliseconds(1200));
  EXPECT_EQ(BackoffDelay(p, 1, std::numeric_limits<double>::quiet_NaN()), milliseconds(800));
}

TEST(BackoffDelayTest, MultiplierOneIsAFixedInterval) {
  RetryPolicy p = NoJitter();
  p.multiplier = 1;
  p.initial_delay = seconds(30);
  for (int attempts : {1, 2, 50, 1000}) {
    EXPECT_EQ(BackoffDelay(p, attempts, 0.5), milliseconds(30'000));
  }
}

TEST(BudgetSpentTest, ByCount) {
  RetryPolicy p;
  p.max_attempts = 5;
  const TimePoint t0{};
  EXPECT_FALSE(BudgetSpent(p, 4, t0, t0 + hours(1000)));
  EXPECT_TRUE(BudgetSpent(p, 5, t0, t0 + seconds(1)));
  EXPECT_TRUE(BudgetSpent(p, 6, t0, t0 + seconds(1)));
}

TEST(BudgetSpentTest, ByAgeFromTheEnqueueTime) {
  RetryPolicy p;
  p.max_age = hours(24);
  const TimePoint enqueued = TimePoint{} + hours(500'000);
  EXPECT_FALSE(BudgetSpent(p, 1'000'000, enqueued, enqueued + hours(24)));
  EXPECT_TRUE(BudgetSpent(p, 1, enqueued, enqueued + hours(24) + milliseconds(1)));
}

TEST(BudgetSpentTest, WhicheverComesFirst) {
  RetryPolicy p;
  p.max_attempts = 3;
  p.max_age = hours(1);
  const TimePoint t0{};
  EXPECT_FALSE(BudgetSpent(p, 2, t0, t0 + minutes(59)));
  EXPECT_TRUE(BudgetSpent(p, 3, t0, t0 + minutes(1)));
  EXPECT_TRUE(BudgetSpent(p, 1, t0, t0 + minutes(61)));
}

TEST(BudgetSpentTest, UnlimitedByDefault) {
  const RetryPolicy p;
  const TimePoint t0{};
  EXPECT_FALSE(BudgetSpent(p, INT_MAX, t0, t0 + hours(24 * 365 * 100)));
}

}  // namespace
}  // namespace slussen
