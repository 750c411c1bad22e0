#include "core/case_cache.h"

#include <gtest/gtest.h>

namespace slussen {
namespace {

DecodedCaseEvents Events(int n, const std::string& tag) {
  DecodedCaseEvents out;
  out.events.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.events[static_cast<std::size_t>(i)].envelope.set_event_id(tag + std::to_string(i));
  }
  return out;
}

TEST(CaseCache, MissThenTakeHandsTheEventsOver) {
  CaseCache cache(10);
  EXPECT_FALSE(cache.Take("a"));
  cache.Put("a", Events(3, "a"));
  EXPECT_EQ(cache.events(), 3u);
  auto a = cache.Take("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->events.size(), 3u);
  EXPECT_EQ(a->events[2].envelope.event_id(), "a2");
  // Taken out while a batch works on it: not held until put back.
  EXPECT_EQ(cache.events(), 0u);
  EXPECT_FALSE(cache.Take("a"));
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 2u);
}

TEST(CaseCache, BoundedByEventsLeastRecentlyUsedGoesFirst) {
  CaseCache cache(10);
  cache.Put("a", Events(4, "a"));
  cache.Put("b", Events(4, "b"));
  cache.Put("a", *cache.Take("a"));  // a is now more recent than b
  cache.Put("c", Events(4, "c"));    // 12 > 10: b goes
  EXPECT_FALSE(cache.Take("b"));
  EXPECT_EQ(cache.events(), 8u);
  EXPECT_EQ(cache.cases(), 2u);
  EXPECT_TRUE(cache.Take("a"));
  EXPECT_TRUE(cache.Take("c"));
}

TEST(CaseCache, PutReplacesTheCaseAndACaseLargerThanTheBoundIsNotHeld) {
  CaseCache cache(10);
  cache.Put("a", Events(2, "a"));
  cache.Put("a", Events(5, "a"));
  EXPECT_EQ(cache.events(), 5u);
  cache.Put("huge", Events(11, "h"));
  EXPECT_FALSE(cache.Take("huge"));
  EXPECT_EQ(cache.cases(), 1u);  // "a" was not evicted for a case that could not fit anyway
  cache.Drop("a");
  EXPECT_EQ(cache.events(), 0u);
  EXPECT_EQ(cache.cases(), 0u);
}

}  // namespace
}  // namespace slussen
