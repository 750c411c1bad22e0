#include "transport/auth_throttle.h"

#include <gtest/gtest.h>

namespace slussen {
namespace {

TEST(AuthThrottle, EachFailureFromAnAddressDoublesTheDelayUpToTheCap) {
  AuthThrottle t(AuthThrottle::Limits{250, 2000, 60'000, 10, 100});
  EXPECT_EQ(t.Failed("10.0.0.1", 0), 250);
  EXPECT_EQ(t.Failed("10.0.0.1", 10), 500);
  EXPECT_EQ(t.Failed("10.0.0.1", 20), 1000);
  EXPECT_EQ(t.Failed("10.0.0.1", 30), 2000);
  EXPECT_EQ(t.Failed("10.0.0.1", 40), 2000);
  EXPECT_EQ(t.Failures("10.0.0.1", 40), 5);
  // Another address is not affected.
  EXPECT_EQ(t.Failed("10.0.0.2", 50), 250);
}

TEST(AuthThrottle, AQuietAddressAndASuccessfulLoginStartFromZero) {
  AuthThrottle t(AuthThrottle::Limits{100, 10'000, 1000, 10, 100});
  t.Failed("a", 0);
  t.Failed("a", 0);
  EXPECT_EQ(t.Failures("a", 999), 2);
  EXPECT_EQ(t.Failures("a", 1000), 0);
  EXPECT_EQ(t.Failed("a", 1000), 100);
  t.Failed("a", 1001);
  t.Succeeded("a");
  EXPECT_EQ(t.Failures("a", 1002), 0);
  EXPECT_EQ(t.Failed("a", 1003), 100);
}

TEST(AuthThrottle, SaturatedAfterTheConfiguredNumberOfFailures) {
  AuthThrottle t(AuthThrottle::Limits{1, 8, 1000, 3, 100});
  t.Failed("a", 0);
  t.Failed("a", 0);
  EXPECT_FALSE(t.Saturated("a", 0));
  t.Failed("a", 0);
  EXPECT_TRUE(t.Saturated("a", 0));
  EXPECT_FALSE(t.Saturated("a", 1000));
}

TEST(AuthThrottle, StateIsBoundedAndTheQuietestAddressGoesFirst) {
  AuthThrottle t(AuthThrottle::Limits{1, 8, 1'000'000, 10, 3});
  t.Failed("old", 0);
  t.Failed("b", 10);
  t.Failed("c", 20);
  t.Failed("d", 30);  // no room: "old" is forgotten
  EXPECT_EQ(t.addresses(), 3u);
  EXPECT_EQ(t.Failures("old", 30), 0);
  EXPECT_EQ(t.Failures("b", 30), 1);
  for (int i = 0; i < 1000; ++i) t.Failed("x" + std::to_string(i), 40 + i);
  EXPECT_EQ(t.addresses(), 3u);
}

}  // namespace
}  // namespace slussen
