// Broker mode's dead letters (issue 14; hub/DESIGN.md "Broker mode"): a delivery the broker
// confirmed and later dead-lettered (its receiving adapter rejected it, or it passed its queue's
// delivery limit) comes back to the core from the dead-letter queue. It becomes a dead delivery
// with its reason, the destination's fallback takes over, and the broker's message is settled
// only once that is durable; a second copy, or one that names no row of this store, changes
// nothing.
#include "unit/core/core_test_support.h"

namespace slussen::testing {
namespace {

constexpr uint64_t kDeadToken = 7001;

class CoreBrokerDeadLetterTest : public CoreTest {
 protected:
  CoreBrokerDeadLetterTest() {
    config_.destinations.push_back({"letter", "Brev"});
    config_.delivery_policies["letter"] = DeliveryPolicy{};
    config_.delivery_policies[kKommunDestination].receipt.fallback = "letter";
  }

  std::string Row(const std::string& column) {
    return Scalar("SELECT coalesce(" + column + ", 'NULL') FROM outbox JOIN events ON id = "
                  "event_row WHERE event_id = '" + EventId(1) +
                  "' AND destination = '" + kKommunDestination + "'");
  }

  // Stores event 1 and has the "broker" confirm its delivery to the kommun; returns the row.
  int64_t DeliveredToTheBroker() {
    PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
    PostAndDrain(Demand(kKommunDestination, 1));
    const int64_t seq = output_.delivers().at(0).items.at(0).seq;
    PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));
    core_.Drain();
    return seq;
  }

  BrokerDeadLetter DeadLetter(int64_t seq, uint64_t token = kDeadToken) {
    BrokerDeadLetter d;
    d.conn_id = kOutConn;
    d.token = token;
    d.seq = seq;
    d.destination = kKommunDestination;
    d.event_id = EventId(1);
    d.queue = "slussen.out.kommun-1380";
    return d;
  }
};

TEST_F(CoreBrokerDeadLetterTest, ADeadLetteredDeliveryIsDeadAndFallsBack) {
  core_.Start();
  const int64_t seq = DeliveredToTheBroker();
  ASSERT_NE(Row("delivered_at_us"), "NULL");

  SetNow(kNow + std::chrono::minutes(50));
  PostAndDrain(DeadLetter(seq));
  core_.Drain();  // the death is written with the next transaction, then settled

  EXPECT_EQ(Row("delivered_at_us"), "NULL") << "the broker's confirmation was not the receiver's";
  EXPECT_EQ(Row("dead_at_us"), std::to_string(ToMicros(kNow + std::chrono::minutes(50))));
  EXPECT_THAT(Row("last_error"), HasSubstr("dead-lettered by the broker from queue "
                                           "slussen.out.kommun-1380"));
  EXPECT_EQ(Scalar("SELECT outcome FROM delivery_attempts WHERE seq = " + std::to_string(seq)),
            "dead-lettered");
  ASSERT_EQ(Scalar("SELECT count(*) FROM outbox WHERE destination = 'letter'"), "1");
  EXPECT_EQ(Row("fallback_seq"), Scalar("SELECT seq FROM outbox WHERE destination = 'letter'"));
  EXPECT_EQ(output_.SettleOf(kDeadToken).settlement.kind, Settlement::Kind::kAccepted);
}

TEST_F(CoreBrokerDeadLetterTest, ASecondCopySendsNoSecondLetter) {
  core_.Start();
  const int64_t seq = DeliveredToTheBroker();
  PostAndDrain(DeadLetter(seq));
  core_.Drain();
  const std::string dead_at = Row("dead_at_us");
  SetNow(kNow + std::chrono::minutes(5));
  PostAndDrain(DeadLetter(seq, kDeadToken + 1));
  core_.Drain();
  EXPECT_EQ(Scalar("SELECT count(*) FROM outbox WHERE destination = 'letter'"), "1");
  EXPECT_EQ(Row("dead_at_us"), dead_at);
  EXPECT_EQ(output_.SettleOf(kDeadToken + 1).settlement.kind, Settlement::Kind::kAccepted);
}

TEST_F(CoreBrokerDeadLetterTest, ADeadLetterNamingNoRowOfThisStoreChangesNothing) {
  core_.Start();
  const int64_t seq = DeliveredToTheBroker();
  BrokerDeadLetter other = DeadLetter(seq);
  other.event_id = EventId(2);  // not the event of that row
  PostAndDrain(other);
  PostAndDrain(DeadLetter(seq + 1000, kDeadToken + 1));  // no such row
  core_.Drain();
  EXPECT_NE(Row("delivered_at_us"), "NULL");
  EXPECT_EQ(Row("dead_at_us"), "NULL");
  EXPECT_EQ(Scalar("SELECT count(*) FROM outbox WHERE destination = 'letter'"), "0");
  EXPECT_EQ(output_.SettleOf(kDeadToken).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(output_.SettleOf(kDeadToken + 1).settlement.kind, Settlement::Kind::kAccepted);
}

// The confirmation was lost with the connection (a failed attempt, a retry waiting), and the
// broker had the message after all and dead-lettered it: dead, and not sent again.
TEST_F(CoreBrokerDeadLetterTest, ADeadLetterOfARowWaitingForItsRetryEndsTheRetries) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Demand(kKommunDestination, 1));
  const int64_t seq = output_.delivers().at(0).items.at(0).seq;
  PostAndDrain(LinkGone{kOutLink});
  core_.Drain();
  PostAndDrain(DeadLetter(seq));
  core_.Drain();
  EXPECT_NE(Row("dead_at_us"), "NULL");
  EXPECT_EQ(Row("next_attempt_at_us"), "NULL");
  const std::size_t sent = output_.delivers().size();
  SetNow(kNow + std::chrono::hours(2));
  PostAndDrain(LinkDemand{kOutConn, kOutLink + 1, kKommunDestination, 5});
  core_.Drain();
  for (std::size_t i = sent; i < output_.delivers().size(); ++i) {
    for (const auto& item : output_.delivers()[i].items) EXPECT_NE(item.seq, seq);
  }
}

}  // namespace
}  // namespace slussen::testing
