// The filter of the duplicate check (store/sqlite/event_id_filter.h): never "not stored" for an
// id it holds, and rarely "may be stored" for one it does not.
#include "store/sqlite/event_id_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace slussen {
namespace {

std::string Uuidish(std::size_t i, char tag) {
  // Ids of one shape differing in a few characters, as UUIDs of one sender do.
  std::string id = "0f8e4c2a-" + std::to_string(1000 + i % 9000) + "-4" + tag + "1b-8d2e-" +
                   std::to_string(100000000000 + i * 7919);
  return id;
}

TEST(EventIdFilter, HoldsEveryIdItWasGiven) {
  constexpr std::size_t kIds = 200'000;
  EventIdFilter filter(kIds);
  for (std::size_t i = 0; i < kIds; ++i) filter.Add(Uuidish(i, 'a'));
  EXPECT_EQ(filter.added(), kIds);
  std::size_t missing = 0;
  for (std::size_t i = 0; i < kIds; ++i) missing += filter.MayContain(Uuidish(i, 'a')) ? 0 : 1;
  EXPECT_EQ(missing, 0u);
}

TEST(EventIdFilter, AnIdItWasNotGivenIsRarelyTakenForOne) {
  constexpr std::size_t kIds = 200'000;
  EventIdFilter filter(kIds);
  for (std::size_t i = 0; i < kIds; ++i) filter.Add(Uuidish(i, 'a'));
  std::size_t taken = 0;
  for (std::size_t i = 0; i < kIds; ++i) taken += filter.MayContain(Uuidish(i, 'b')) ? 1 : 0;
  // About 1 % at 10 bits an id (a blocked filter a little more); 2.5 % leaves room.
  EXPECT_LT(taken, kIds / 40) << taken << " of " << kIds;
  EXPECT_GE(filter.bytes() * 8, kIds * 10);
}

TEST(EventIdFilter, AnEmptyFilterHasNothing) {
  EventIdFilter filter(0);
  EXPECT_FALSE(filter.MayContain(""));
  EXPECT_FALSE(filter.MayContain("x"));
  filter.Add("");
  EXPECT_TRUE(filter.MayContain(""));
}

}  // namespace
}  // namespace slussen
