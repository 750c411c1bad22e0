// Issue 15 item 5 in the running core: under an agreement that counts a notice of 5 kap. 3 § when
// the kommun's system accepted it, the acceptance time reaches the case (in the transaction that
// records it, and from the store after a restart); a vårdcentral's acceptance does not count;
// under the default, the stored time counts as before.
#include "unit/core/core_test_support.h"

namespace slussen::testing {
namespace {

class CoreNoticeDeliveriesTest : public CoreTest {
 protected:
  CoreNoticeDeliveriesTest() {
    config_.agreement.notified_when = Agreement::NotifiedWhen::kDelivered;
  }
  int64_t InskrivningMetAt() {
    return std::stoll(
        Scalar("SELECT COALESCE(met_at_us, 0) FROM deadlines WHERE deadline_id = 'inskrivningsmeddelande'"));
  }
  std::string InskrivningState() {
    return Scalar("SELECT state FROM deadlines WHERE deadline_id = 'inskrivningsmeddelande'");
  }
  // The seq of the item handed out for `destination`.
  int64_t SeqFor(const std::string& destination) {
    for (const auto& d : output_.delivers()) {
      for (const auto& item : d.items) {
        if (item.destination == destination) return item.seq;
      }
    }
    ADD_FAILURE() << "nothing delivered to " << destination;
    return 0;
  }
};

// 5 kap. 3 § första stycket 1, 2 kap. 3 § under notified=delivered: the inskrivningsmeddelande is
// stored at kNow but counts only once kommun-1380 accepted it, 10 minutes later; the vårdcentral's
// acceptance at 5 minutes does not count. After a restart (the case read from the store, not the
// cache) the recorded acceptance still decides.
TEST_F(CoreNoticeDeliveriesTest, FiveKap3TheKommunsAcceptanceTimeReachesTheCase) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  ASSERT_EQ(output_.SettleOf(1).settlement.kind, Settlement::Kind::kAccepted)
      << output_.SettleOf(1).settlement.description;
  EXPECT_EQ(InskrivningMetAt(), 0) << "stored, not yet delivered: not yet given";
  EXPECT_EQ(InskrivningState(), "pending");

  core_.Post(Demand(kKommunDestination, 10));
  core_.Post(LinkDemand{kOutConn, kOutLink + 1, kVcDestination, 10});
  core_.Drain();
  ASSERT_TRUE(output_.WaitForDelivers(2));

  SetNow(kNow + std::chrono::minutes(5));
  PostAndDrain(Outcome(kOutLink + 1, SeqFor(kVcDestination), DeliveryOutcome::Kind::kAccepted));
  EXPECT_EQ(InskrivningMetAt(), 0) << "a vårdcentral is not the kommun's system";

  const auto delivered = kNow + std::chrono::minutes(10);
  SetNow(delivered);
  PostAndDrain(Outcome(kOutLink, SeqFor(kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  EXPECT_EQ(InskrivningMetAt(), ToMicros(delivered));
  EXPECT_EQ(InskrivningState(), "met");

  // Restart: the case comes from the store, its acceptance from the outbox.
  core_.Stop();
  Core again{config_, store_, output_, [this] { return FromMicros(now_us_.load()); }, tuning_};
  again.Start();
  SetNow(kNow + std::chrono::hours(1));
  again.Post(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  again.Drain();
  EXPECT_THAT(Scalar("SELECT notes FROM cases"), HasSubstr(EventId(2)));
  EXPECT_EQ(InskrivningMetAt(), ToMicros(delivered));
  again.Stop();
}

// Never delivered: the 24 hours pass and the deadline is missed, so the case is not liable.
TEST_F(CoreNoticeDeliveriesTest, FiveKap3NeverDeliveredIsMissedAfterTwentyFourHours) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  SetNow(kNow + std::chrono::hours(30));
  core_.Drain();
  EXPECT_EQ(InskrivningState(), "missed");
  EXPECT_EQ(InskrivningMetAt(), 0);
}

// The default (notified=stored): the stored time counts at once, whatever the deliveries.
class CoreNoticeStoredTest : public CoreNoticeDeliveriesTest {
 protected:
  CoreNoticeStoredTest() { config_.agreement.notified_when = Agreement::NotifiedWhen::kStored; }
};

TEST_F(CoreNoticeStoredTest, FiveKap4TheDefaultCountsTheStoredTime) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  EXPECT_EQ(InskrivningMetAt(), ToMicros(kNow));
  EXPECT_EQ(InskrivningState(), "met");
  core_.Post(Demand(kKommunDestination, 10));
  core_.Drain();
  ASSERT_TRUE(output_.WaitForDelivers(1));
  SetNow(kNow + std::chrono::minutes(10));
  PostAndDrain(Outcome(kOutLink, SeqFor(kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  EXPECT_EQ(InskrivningMetAt(), ToMicros(kNow));
}

}  // namespace
}  // namespace slussen::testing
