#include "transport/loop_inbox.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <variant>
#include <vector>

namespace slussen {
namespace {

// The eventfd's count since it was last read: the wake-ups the loop would see (0: none).
uint64_t WakeUps(const LoopInbox& inbox) {
  uint64_t count = 0;
  return read(inbox.fd(), &count, sizeof count) == sizeof count ? count : 0;
}

uint64_t TokenOf(const LoopCommand& c) { return std::get<SettleCommand>(c).token; }

TEST(LoopInbox, PushAllQueuesATurnsCommandsInOrderWithOneWakeUp) {
  LoopInbox inbox;
  std::vector<LoopCommand> held;
  held.emplace_back(SettleCommand{1, 10, {}});
  held.emplace_back(DeliverCommand{1, 7, {}});
  held.emplace_back(RecordedCommand{1, 7, {3, 4}});
  inbox.PushAll(held);
  EXPECT_TRUE(held.empty());
  EXPECT_EQ(WakeUps(inbox), 1u);

  // The loop has not taken them yet: the next turn's join them without waking it again.
  held.emplace_back(SettleCommand{2, 11, {}});
  inbox.PushAll(held);
  EXPECT_EQ(WakeUps(inbox), 0u);

  auto taken = inbox.Take();
  ASSERT_EQ(taken.size(), 4u);
  EXPECT_EQ(TokenOf(taken[0]), 10u);
  EXPECT_TRUE(std::holds_alternative<DeliverCommand>(taken[1]));
  EXPECT_EQ(std::get<RecordedCommand>(taken[2]).seqs, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(TokenOf(taken[3]), 11u);

  // Taken: the next one wakes the loop again.
  held.emplace_back(SettleCommand{2, 12, {}});
  inbox.PushAll(held);
  EXPECT_EQ(WakeUps(inbox), 1u);
  EXPECT_EQ(inbox.Take().size(), 1u);
}

TEST(LoopInbox, PushingNothingWakesNobody) {
  LoopInbox inbox;
  std::vector<LoopCommand> none;
  inbox.PushAll(none);
  EXPECT_EQ(WakeUps(inbox), 0u);
  EXPECT_TRUE(inbox.Take().empty());
}

}  // namespace
}  // namespace slussen
