#include "core/timers.h"

#include <gtest/gtest.h>

namespace slussen {
namespace {

using std::chrono::seconds;
const Timers::TimePoint kT0 = std::chrono::system_clock::time_point(seconds(1'800'000'000));

TEST(Timers, NothingArmedNothingDue) {
  Timers t;
  EXPECT_FALSE(t.NextDue());
  EXPECT_TRUE(t.TakeDue(kT0).empty());
}

TEST(Timers, FiresOnceWhenDueEarliestFirst) {
  Timers t;
  t.Arm(TimerId::kCaseEvaluation, kT0 + seconds(5));
  t.Arm(TimerId::kDeliveryRetry, kT0 + seconds(3));
  EXPECT_EQ(*t.NextDue(), kT0 + seconds(3));
  EXPECT_TRUE(t.TakeDue(kT0 + seconds(2)).empty());
  const auto due = t.TakeDue(kT0 + seconds(5));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0], TimerId::kDeliveryRetry);
  EXPECT_EQ(due[1], TimerId::kCaseEvaluation);
  EXPECT_FALSE(t.NextDue());  // disarmed by firing
  EXPECT_TRUE(t.TakeDue(kT0 + seconds(6)).empty());
}

TEST(Timers, ArmingAgainMovesTheTimerInsteadOfAddingOne) {
  Timers t;
  t.Arm(TimerId::kCaseEvaluation, kT0 + seconds(5));
  t.Arm(TimerId::kCaseEvaluation, kT0 + seconds(50));
  EXPECT_TRUE(t.TakeDue(kT0 + seconds(10)).empty());
  t.ArmNoLaterThan(TimerId::kCaseEvaluation, kT0 + seconds(20));
  EXPECT_EQ(*t.NextDue(), kT0 + seconds(20));
  t.ArmNoLaterThan(TimerId::kCaseEvaluation, kT0 + seconds(30));
  EXPECT_EQ(*t.NextDue(), kT0 + seconds(20));
  t.Disarm(TimerId::kCaseEvaluation);
  EXPECT_FALSE(t.armed(TimerId::kCaseEvaluation));
}

}  // namespace
}  // namespace slussen
