// api/train_hold.h: the transports' half of a case's train. A later event waits for its
// predecessor's outcome; accepted, it goes; otherwise it and everything behind it goes back to
// the core unsent, in train order.
#include "api/train_hold.h"

#include <gtest/gtest.h>

namespace slussen {
namespace {

OutboxItem Item(int64_t seq, int64_t after) {
  OutboxItem item;
  item.seq = seq;
  item.after_seq = after;
  return item;
}

TEST(TrainHold, TheFirstOfATrainIsSentAtOnce) {
  TrainHold hold;
  OutboxItem first = Item(1, 0);
  EXPECT_EQ(hold.Arrive(first, false), TrainHold::Place::kSend);
  EXPECT_EQ(hold.size(), 0u);
}

TEST(TrainHold, ALaterEventWaitsForItsPredecessorsAcceptance) {
  TrainHold hold;
  OutboxItem second = Item(2, 1);
  OutboxItem third = Item(3, 2);
  ASSERT_EQ(hold.Arrive(second, /*predecessor_in_flight=*/true), TrainHold::Place::kHeld);
  ASSERT_EQ(hold.Arrive(third, /*predecessor_in_flight=*/false), TrainHold::Place::kHeld)
      << "its predecessor is held, so it waits behind it";
  EXPECT_TRUE(hold.Holds(2));
  EXPECT_TRUE(hold.Holds(3));

  std::vector<int64_t> back;
  auto next = hold.Follow(1, /*accepted=*/true, back);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->seq, 2);
  EXPECT_TRUE(back.empty());
  EXPECT_FALSE(hold.Holds(2));
  EXPECT_TRUE(hold.Holds(3)) << "the third waits for the second's acceptance";
  next = hold.Follow(2, true, back);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->seq, 3);
  EXPECT_EQ(hold.size(), 0u);
}

TEST(TrainHold, APredecessorThatFailsGivesTheWholeTrainBackInOrder) {
  TrainHold hold;
  for (int64_t seq = 2; seq <= 5; ++seq) {
    OutboxItem item = Item(seq, seq - 1);
    ASSERT_EQ(hold.Arrive(item, seq == 2), TrainHold::Place::kHeld);
  }
  std::vector<int64_t> back;
  EXPECT_FALSE(hold.Follow(1, /*accepted=*/false, back).has_value());
  EXPECT_EQ(back, (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(hold.size(), 0u);
}

TEST(TrainHold, AnEventWhosePredecessorAlreadyEndedGoesBackToTheCore) {
  TrainHold hold;
  OutboxItem late = Item(7, 6);
  EXPECT_EQ(hold.Arrive(late, /*predecessor_in_flight=*/false), TrainHold::Place::kGiveBack);
  EXPECT_EQ(hold.size(), 0u);
}

TEST(TrainHold, ASecondFollowerOfOneEventGoesBackRatherThanWaitForever) {
  TrainHold hold;
  OutboxItem a = Item(2, 1);
  OutboxItem b = Item(3, 1);
  ASSERT_EQ(hold.Arrive(a, true), TrainHold::Place::kHeld);
  EXPECT_EQ(hold.Arrive(b, true), TrainHold::Place::kGiveBack);
  EXPECT_FALSE(hold.Holds(3));
}

}  // namespace
}  // namespace slussen
