#include "core/case_cache.h"

#include <gtest/gtest.h>

namespace slussen {
namespace {

std::vector<CaseEvent> Events(int n, const std::string& tag) {
  std::vector<CaseEvent> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out[static_cast<std::size_t>(i)].envelope.set_event_id(tag + std::to_string(i));
  return out;
}

TEST(CaseCache, MissThenHit) {
  CaseCache cache(10);
  EXPECT_EQ(cache.Find("a"), nullptr);
  cache.Put("a", Events(3, "a"));
  const auto* a = cache.Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->size(), 3u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.events(), 3u);
}

TEST(CaseCache, BoundedByEventsLeastRecentlyUsedGoesFirst) {
  CaseCache cache(10);
  cache.Put("a", Events(4, "a"));
  cache.Put("b", Events(4, "b"));
  ASSERT_NE(cache.Find("a"), nullptr);  // a is now more recent than b
  cache.Put("c", Events(4, "c"));       // 12 > 10: b goes
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_NE(cache.Find("a"), nullptr);
  EXPECT_NE(cache.Find("c"), nullptr);
  EXPECT_EQ(cache.events(), 8u);
  EXPECT_EQ(cache.cases(), 2u);
}

TEST(CaseCache, PutReplacesTheCaseAndACaseLargerThanTheBoundIsNotHeld) {
  CaseCache cache(10);
  cache.Put("a", Events(2, "a"));
  cache.Put("a", Events(5, "a"));
  EXPECT_EQ(cache.events(), 5u);
  cache.Put("huge", Events(11, "h"));
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_NE(cache.Find("a"), nullptr);  // not evicted for a case that could not fit anyway
  cache.Drop("a");
  EXPECT_EQ(cache.events(), 0u);
  EXPECT_EQ(cache.cases(), 0u);
}

}  // namespace
}  // namespace slussen
