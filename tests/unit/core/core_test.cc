// The core actor end to end below the transport (core_test_support.h): batches, settlement,
// duplicates, group commit, store failures, acceptances, the latch.
#include "unit/core/core_test_support.h"
#include "testing/poll.h"

namespace slussen::testing {
namespace {

// ---- Accepted --------------------------------------------------------------------------------

TEST_F(CoreTest, ValidMessageIsAcceptedStoredAndRouted) {
  core_.Start();
  const std::string body = Bytes(Inskrivning(EventId(1)));
  PostAndDrain(Inbound(11, body));

  ASSERT_TRUE(output_.WaitForSettles(1));
  const Settled s = output_.SettleOf(11);
  EXPECT_EQ(s.conn_id, kConn);
  EXPECT_EQ(s.settlement.kind, Settlement::Kind::kAccepted);

  EXPECT_THAT(Query(path_, "SELECT event_id, kind, case_id, sender_hsa_id, schema_version, "
                           "received_at_us, body FROM events"),
              ElementsAre(ElementsAre(EventId(1), "Inskrivningsmeddelande",
                                      std::string(kTestHospital) + "/VT-2025:000123", kTestHospital, "1",
                                      std::to_string(ToMicros(kNow)), body)));
  EXPECT_THAT(Query(path_, "SELECT o.destination, e.event_id, o.delivered_at_us FROM outbox o "
                           "JOIN events e ON e.id = o.event_row ORDER BY o.destination"),
              ElementsAre(ElementsAre(kKommunDestination, EventId(1), "NULL"),
                          ElementsAre(kVcDestination, EventId(1), "NULL")));
  EXPECT_EQ(Count("dead_letters"), 0);
  EXPECT_THAT(output_.delivers(), IsEmpty());  // no receiver yet

  core_.Stop();
  EXPECT_EQ(core_.counters().accepted, 1u);
  EXPECT_EQ(core_.counters().rejected, 0u);
  EXPECT_EQ(core_.counters().commits, 1u);
}

TEST_F(CoreTest, MessageExactlyAtTheSizeLimitIsAccepted) {
  const std::string body = Bytes(Inskrivning(EventId(1)));
  config_.max_message_bytes = body.size();
  core_.Start();
  PostAndDrain(Inbound(1, body));
  EXPECT_EQ(output_.SettleOf(1).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(CoreTest, AcceptedEventIsDeliveredAndItsAcceptanceRecorded) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Demand(kKommunDestination, 10));

  const auto delivers = output_.delivers();
  ASSERT_EQ(delivers.size(), 1u);
  EXPECT_EQ(delivers[0].conn_id, kOutConn);
  EXPECT_EQ(delivers[0].link_id, kOutLink);
  ASSERT_EQ(delivers[0].items.size(), 1u);
  const OutboxItem& item = delivers[0].items[0];
  EXPECT_EQ(item.destination, kKommunDestination);
  EXPECT_EQ(item.event_id, EventId(1));
  EXPECT_EQ(item.kind, "Inskrivningsmeddelande");

  PostAndDrain(Outcome(kOutLink, item.seq, DeliveryOutcome::Kind::kAccepted));
  EXPECT_EQ(Scalar("SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(item.seq)),
            std::to_string(ToMicros(kNow)));
  EXPECT_EQ(Scalar("SELECT delivered_at_us FROM outbox WHERE destination = '" +
                   std::string(kVcDestination) + "'"),
            "NULL");
  core_.Stop();
  EXPECT_EQ(core_.counters().delivered, 1u);
}

// ---- Rejected --------------------------------------------------------------------------------

TEST_F(CoreTest, InvalidEventIsRejectedWithEveryReasonAndDeadLettered) {
  v1::Envelope env = Inskrivning(EventId(1));
  env.set_schema_version(2);
  env.mutable_patient()->set_kommunkod("0180");
  const std::string body = Bytes(env);
  core_.Start();
  PostAndDrain(Inbound(3, body));

  const Settled s = output_.SettleOf(3);
  EXPECT_EQ(s.settlement.kind, Settlement::Kind::kRejected);
  EXPECT_EQ(s.settlement.condition, kInvalidEvent);
  EXPECT_THAT(s.settlement.description,
              AllOf(HasSubstr("schema_version: 2 is not supported"),
                    HasSubstr("patient.kommunkod: kommun 0180 (Stockholm) is not served"),
                    HasSubstr("; "), Not(HasSubstr(kValidPersonnummer))));

  EXPECT_EQ(Count("events"), 0);
  EXPECT_EQ(Count("outbox"), 0);
  const auto dead = Query(path_, "SELECT received_at_us, address, event_id, reasons, body, "
                                 "body_truncated FROM dead_letters");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0][0], std::to_string(ToMicros(kNow)));
  EXPECT_EQ(dead[0][1], "events");
  EXPECT_EQ(dead[0][2], EventId(1));
  EXPECT_THAT(dead[0][3], AllOf(HasSubstr("schema_version: 2 is not supported"),
                                HasSubstr("\npatient.kommunkod: kommun 0180")));
  EXPECT_EQ(dead[0][4], body);
  EXPECT_EQ(dead[0][5], "0");

  core_.Stop();
  EXPECT_EQ(core_.counters().rejected, 1u);
  EXPECT_EQ(core_.counters().accepted, 0u);
}

// The connection's adapter may not send as this sender: rejected as unauthorized, not invalid,
// and dead-lettered with its own reason key (the rejection metric counts it apart).
TEST_F(CoreTest, EventTheAdapterMayNotSendIsRejectedAsUnauthorized) {
  config_.adapters.front().sends.erase(kTestHospital);
  const std::string body = Bytes(Inskrivning(EventId(1)));
  core_.Start();
  PostAndDrain(Inbound(3, body));

  const Settled s = output_.SettleOf(3);
  EXPECT_EQ(s.settlement.kind, Settlement::Kind::kRejected);
  EXPECT_EQ(s.settlement.condition, "slussen:unauthorized");
  EXPECT_THAT(s.settlement.description,
              HasSubstr(std::string("adapter ") + kTestAdapter + " may not send as sender"));
  EXPECT_EQ(Count("events"), 0);
  const auto dead = Query(path_, "SELECT event_id, reason_key, body FROM dead_letters");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0][0], EventId(1));
  EXPECT_EQ(dead[0][1], "unauthorized");
  EXPECT_EQ(dead[0][2], body);
}

struct BodyCase {
  std::string name;
  std::string body;
  std::size_t body_size = 0;  // 0: body.size()
  std::string body_problem;
  std::string want;           // substring of the reason
  bool truncated = false;
};

void PrintTo(const BodyCase& c, std::ostream* os) { *os << c.name; }

class CoreBodyTest : public CoreTest, public ::testing::WithParamInterface<BodyCase> {};

TEST_P(CoreBodyTest, BadBodyIsRejectedWithTheReason) {
  const BodyCase& c = GetParam();
  InboundMessage msg = Inbound(5, c.body);
  if (c.body_size != 0) msg.body_size = c.body_size;
  msg.body_problem = c.body_problem;
  core_.Start();
  PostAndDrain(msg);

  const Settled s = output_.SettleOf(5);
  EXPECT_EQ(s.settlement.kind, Settlement::Kind::kRejected);
  EXPECT_EQ(s.settlement.condition, kInvalidEvent);
  EXPECT_THAT(s.settlement.description, HasSubstr(c.want));
  EXPECT_EQ(Count("events"), 0);
  const auto dead = Query(path_, "SELECT address, reasons, body, body_truncated FROM dead_letters");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0][0], "events");
  EXPECT_THAT(dead[0][1], HasSubstr(c.want));
  EXPECT_EQ(dead[0][2], c.body);
  EXPECT_EQ(dead[0][3], c.truncated ? "1" : "0");
}

INSTANTIATE_TEST_SUITE_P(
    CoreBodies, CoreBodyTest,
    ::testing::Values(
        BodyCase{"Empty", "", 0, "", "body: empty; expected a serialized slussen.v1.Envelope"},
        BodyCase{"Garbage", "not a protobuf \xff\xff", 0, "",
                 "body: not a valid slussen.v1.Envelope (protobuf decoding failed)"},
        BodyCase{"BodyProblem", Bytes(Inskrivning(EventId(1))), 0,
                 "2 data sections, expected exactly one",
                 "body: 2 data sections, expected exactly one"},
        BodyCase{"OverSizeLimit", std::string(4096, 'x'), 5000, "",
                 "body: 5000 bytes exceeds the limit of 4096 bytes", true},
        BodyCase{"OneByteOverSizeLimit", std::string(4096, 'x'), 4097, "",
                 "body: 4097 bytes exceeds the limit of 4096 bytes", true}),
    [](const auto& p) { return p.param.name; });

TEST_F(CoreTest, ReceiptsAddressTakesOnlyReceipts) {
  core_.Start();
  core_.Post(Inbound(1, Bytes(Inskrivning(EventId(1))), Channel::kReceipts));
  core_.Post(Inbound(2, Bytes(Receipt(EventId(2))), Channel::kReceipts));
  core_.Drain();

  const Settled wrong = output_.SettleOf(1);
  EXPECT_EQ(wrong.settlement.kind, Settlement::Kind::kRejected);
  EXPECT_EQ(wrong.settlement.condition, kInvalidEvent);
  EXPECT_THAT(wrong.settlement.description,
              AllOf(HasSubstr("'receipts'"), HasSubstr("Inskrivningsmeddelande")));
  EXPECT_EQ(Scalar("SELECT address FROM dead_letters"), "receipts");

  // A real receipt is journaled and ends at the hub.
  EXPECT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_THAT(Query(path_, "SELECT event_id, kind FROM events"),
              ElementsAre(ElementsAre(EventId(2), "Receipt")));
  EXPECT_EQ(Count("outbox"), 0);
}

// ---- Duplicates ------------------------------------------------------------------------------

TEST_F(CoreTest, DuplicateIsAcceptedStoredOnceAndNotRedelivered) {
  const std::string body = Bytes(Inskrivning(EventId(1)));
  core_.Start();
  PostAndDrain(Inbound(1, body));
  PostAndDrain(Inbound(2, body));
  EXPECT_EQ(output_.SettleOf(1).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("outbox"), 2);  // one per destination, written once

  PostAndDrain(Demand(kKommunDestination, 10));
  PostAndDrain(Inbound(3, body));  // again, now that a receiver is attached
  EXPECT_EQ(output_.SettleOf(3).settlement.kind, Settlement::Kind::kAccepted);
  PostAndDrain(Demand(kKommunDestination, 10));
  EXPECT_THAT(output_.DeliveredEventIds(), ElementsAre(EventId(1)));
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("outbox"), 2);
  EXPECT_EQ(Count("dead_letters"), 0);

  core_.Stop();
  EXPECT_EQ(core_.counters().accepted, 1u);
  EXPECT_EQ(core_.counters().duplicates, 2u);
}

TEST_F(CoreTest, DuplicateWithinOneBatchIsStoredOnce) {
  const std::string body = Bytes(Inskrivning(EventId(1)));
  core_.Post(Inbound(1, body));
  core_.Post(Inbound(2, body));
  core_.Post(Demand(kKommunDestination, 10));
  core_.Start();
  core_.Drain();
  EXPECT_EQ(output_.SettleOf(1).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("outbox"), 2);
  EXPECT_THAT(output_.DeliveredEventIds(), ElementsAre(EventId(1)));
  core_.Stop();
  EXPECT_EQ(core_.counters().accepted, 1u);
  EXPECT_EQ(core_.counters().duplicates, 1u);
  EXPECT_EQ(core_.counters().commits, 1u);
}

TEST_F(CoreTest, SameIdWithDifferentContentIsRejected) {
  const std::string original = Bytes(Inskrivning(EventId(1)));
  v1::Envelope changed = Inskrivning(EventId(1));
  changed.mutable_case_id()->set_episode_id("VT-2025:000999");
  core_.Start();
  PostAndDrain(Inbound(1, original));
  PostAndDrain(Inbound(2, Bytes(changed)));

  const Settled s = output_.SettleOf(2);
  EXPECT_EQ(s.settlement.kind, Settlement::Kind::kRejected);
  EXPECT_EQ(s.settlement.condition, kInvalidEvent);
  EXPECT_THAT(s.settlement.description, HasSubstr("event_id: already stored with a different"));
  EXPECT_EQ(Scalar("SELECT body FROM events"), original);
  EXPECT_EQ(Count("outbox"), 2);
  EXPECT_EQ(Scalar("SELECT event_id FROM dead_letters"), EventId(1));
}

// ---- Cases -----------------------------------------------------------------------------------

// The case row is written in the transaction that stores its events, from the stored events plus
// every new one of the batch (two of the same case in one batch included).
TEST_F(CoreTest, CaseIsProjectedFromStoredAndNewEventsOfTheBatch) {
  const std::string kCase = std::string(kTestHospital) + "/VT-2025:000123";
  core_.Post(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  core_.Post(Inbound(2, Bytes(Receipt(EventId(2)))));
  core_.Post(Inbound(3, Bytes(Inskrivning(EventId(3)))));
  core_.Start();
  core_.Drain();
  for (uint64_t token : {1u, 2u, 3u}) {
    EXPECT_EQ(output_.SettleOf(token).settlement.kind, Settlement::Kind::kAccepted) << token;
  }
  EXPECT_THAT(Query(path_, "SELECT case_id, status FROM cases"),
              ElementsAre(ElementsAre(kCase, "admitted")));
  const std::string notes = Scalar("SELECT notes FROM cases");
  EXPECT_THAT(notes, HasSubstr("a second inskrivningsmeddelande " + EventId(3)));
  EXPECT_THAT(notes, HasSubstr("receipt " + EventId(2) + " acknowledges"));
  EXPECT_EQ(Scalar("SELECT state FROM deadlines WHERE deadline_id = 'inskrivningsmeddelande'"),
            "met");

  // A later batch: the stored events count as well as the new one.
  PostAndDrain(Inbound(4, Bytes(Inskrivning(EventId(4)))));
  const std::string later = Scalar("SELECT notes FROM cases");
  EXPECT_THAT(later, HasSubstr("a second inskrivningsmeddelande " + EventId(3)));
  EXPECT_THAT(later, HasSubstr("a second inskrivningsmeddelande " + EventId(4)));
  EXPECT_THAT(later, HasSubstr("receipt " + EventId(2) + " acknowledges"));
  core_.Stop();
  EXPECT_EQ(core_.counters().commits, 2u);
}

// ---- Group commit ----------------------------------------------------------------------------

TEST_F(CoreTest, GroupCommitPutsQueuedMessagesInOneTransaction) {
  for (int i = 0; i < 50; ++i) {
    core_.Post(Inbound(static_cast<uint64_t>(i), Bytes(Inskrivning(EventId(i)))));
  }
  core_.Start();
  core_.Drain();
  ASSERT_TRUE(output_.WaitForSettles(50));
  for (const auto& s : output_.settles()) {
    EXPECT_EQ(s.settlement.kind, Settlement::Kind::kAccepted) << "token " << s.token;
  }
  EXPECT_EQ(Count("events"), 50);
  EXPECT_EQ(Count("outbox"), 100);
  core_.Stop();
  EXPECT_EQ(core_.counters().accepted, 50u);
  EXPECT_LT(core_.counters().commits, 50u);
  EXPECT_EQ(core_.counters().commits, 1u);  // all 50 were queued before the core started
}

TEST_F(CoreTest, GroupCommitIsCappedAtCommitBatchMax) {
  config_.commit_batch_max = 20;
  for (int i = 0; i < 50; ++i) {
    core_.Post(Inbound(static_cast<uint64_t>(i), Bytes(Inskrivning(EventId(i)))));
  }
  core_.Start();
  core_.Drain();
  EXPECT_EQ(output_.settles().size(), 50u);
  EXPECT_EQ(Count("events"), 50);
  core_.Stop();
  EXPECT_EQ(core_.counters().commits, 3u);  // 20 + 20 + 10
}

// ---- Store failures --------------------------------------------------------------------------

// Where the batch fails: the classification read, the read of a case's stored events, the write
// as a whole (transient), or the real write part-way (after its events, at the dead letter).
enum class Fault { kStoredBodies, kCaseEvents, kWrite, kInsertDeadLetter };

class CoreFaultTest : public CoreTest, public ::testing::WithParamInterface<Fault> {
 protected:
  void Arm(Fault f) {
    switch (f) {
      case Fault::kStoredBodies: store_.fail_next_stored_bodies = true; break;
      case Fault::kCaseEvents: store_.fail_next_case_events = true; break;
      case Fault::kWrite: store_.fail_next_write = true; break;
      case Fault::kInsertDeadLetter:
        Exec(path_, "CREATE TRIGGER fail_dead BEFORE INSERT ON dead_letters "
                    "BEGIN SELECT RAISE(ABORT, 'injected: dead letter failed'); END");
        break;
    }
  }
  void Disarm() { Exec(path_, "DROP TRIGGER IF EXISTS fail_dead"); }
};

TEST_P(CoreFaultTest, FailedBatchIsReleasedAndNothingStoredThenNextBatchWorks) {
  const std::string good1 = Bytes(Inskrivning(EventId(1)));
  const std::string good2 = Bytes(Inskrivning(EventId(2)));
  v1::Envelope bad_env = Inskrivning(EventId(3));
  bad_env.set_schema_version(2);
  const std::string bad = Bytes(bad_env);

  // One batch: a receiver's credit and three inbound messages, queued before the core starts.
  core_.Post(Demand(kKommunDestination, 10));
  core_.Post(Inbound(1, good1));
  core_.Post(Inbound(2, bad));
  core_.Post(Inbound(3, good2));
  Arm(GetParam());
  core_.Start();
  core_.Drain();

  ASSERT_TRUE(output_.WaitForSettles(3));
  for (uint64_t token : {1u, 2u, 3u}) {
    const Settled s = output_.SettleOf(token);
    EXPECT_EQ(s.conn_id, kConn);
    EXPECT_EQ(s.settlement.kind, Settlement::Kind::kReleased) << "token " << token;
    EXPECT_EQ(s.settlement.condition, "");
  }
  EXPECT_EQ(Count("events"), 0);
  EXPECT_EQ(Count("outbox"), 0);
  EXPECT_EQ(Count("dead_letters"), 0);
  EXPECT_EQ(Count("cases"), 0);
  EXPECT_THAT(output_.delivers(), IsEmpty());
  EXPECT_FALSE(core_.counters().store_latched) << "a transient failure must not latch";

  // The senders retry; the fault is gone.
  Disarm();
  core_.Post(Inbound(4, good1));
  core_.Post(Inbound(5, bad));
  core_.Post(Inbound(6, good2));
  core_.Drain();
  ASSERT_TRUE(output_.WaitForSettles(6));
  EXPECT_EQ(output_.SettleOf(4).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(output_.SettleOf(5).settlement.kind, Settlement::Kind::kRejected);
  EXPECT_EQ(output_.SettleOf(6).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(Count("events"), 2);
  EXPECT_EQ(Count("outbox"), 4);
  EXPECT_EQ(Count("dead_letters"), 1);
  // One case: the second is handed out behind the first, for the transport to send once the
  // receiver accepted the first.
  ASSERT_THAT(output_.DeliveredEventIds(), ElementsAre(EventId(1), EventId(2)));
  std::vector<OutboxItem> items;
  for (const auto& d : output_.delivers()) items.insert(items.end(), d.items.begin(), d.items.end());
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].after_seq, 0);
  EXPECT_EQ(items[1].after_seq, items[0].seq);

  core_.Stop();
  EXPECT_EQ(core_.counters().released, 3u);
  EXPECT_EQ(core_.counters().accepted, 2u);
  EXPECT_EQ(core_.counters().rejected, 1u);
  // The failed batch is not a commit; the retried messages took one to three batches.
  EXPECT_GE(core_.counters().commits, 1u);
  EXPECT_LE(core_.counters().commits, 3u);
}

INSTANTIATE_TEST_SUITE_P(CoreFaults, CoreFaultTest,
                         ::testing::Values(Fault::kStoredBodies, Fault::kCaseEvents, Fault::kWrite,
                                           Fault::kInsertDeadLetter),
                         [](const auto& p) {
                           switch (p.param) {
                             case Fault::kStoredBodies: return std::string("StoredBodies");
                             case Fault::kCaseEvents: return std::string("CaseEvents");
                             case Fault::kWrite: return std::string("Write");
                             case Fault::kInsertDeadLetter: return std::string("InsertDeadLetter");
                           }
                           return std::string("Unknown");
                         });

// An accepted delivery whose MarkDelivered was in a batch that failed to commit must still be
// recorded by a later commit; otherwise the outbox row stays pending until the next restart
// (and is then delivered again).
TEST_F(CoreTest, AcceptedOutcomeInAFailedBatchIsRecordedByTheNextCommit) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Demand(kKommunDestination, 10));
  const auto delivers = output_.delivers();
  ASSERT_EQ(delivers.size(), 1u);
  ASSERT_EQ(delivers[0].items.size(), 1u);
  const int64_t seq = delivers[0].items[0].seq;

  store_.fail_next_write = true;
  PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));
  EXPECT_EQ(Scalar("SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(seq)),
            "NULL");  // that commit failed

  PostAndDrain(Inbound(2, Bytes(Inskrivning(EventId(2)))));  // a later batch commits
  EXPECT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(Scalar("SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(seq)),
            std::to_string(ToMicros(kNow)))
      << "the receiver accepted seq " << seq << " but the store still has it pending";
}

// ---- When a receiver's acceptance is written -------------------------------------------------

constexpr uint64_t kVcLink = kOutLink + 1;

// Stores one event, lets the kommun receiver take it and accept it, then gives the vårdcentral
// receiver credit: once its delivery is out, the core has processed the acceptance (it came in
// the same batch or an earlier one) without any Drain, which would force the write. Returns the
// kommun delivery's seq.
int64_t AcceptOneWithoutDrain(Core& core, RecordingOutput& output) {
  core.Post(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  core.Post(Demand(kKommunDestination, 10));
  EXPECT_TRUE(output.WaitForDelivers(1));
  const int64_t seq = output.delivers().at(0).items.at(0).seq;
  core.Post(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));
  core.Post(LinkDemand{kOutConn, kVcLink, kVcDestination, 10});
  EXPECT_TRUE(output.WaitForDelivers(2));
  return seq;
}

class CoreLazyMarkTest : public CoreTest {
 protected:
  CoreLazyMarkTest() : CoreTest(CoreTuning{std::chrono::hours(1), 1000}) {}
};

// No transaction of its own for an acceptance: it rides in the next one that stores events.
TEST_F(CoreLazyMarkTest, AcceptanceIsWrittenWithTheNextInboundTransaction) {
  core_.Start();
  const int64_t seq = AcceptOneWithoutDrain(core_, output_);
  const std::string sql = "SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(seq);
  // The row is flushed after the delivery went out (the core pumps first), so it may show a
  // moment later; its acceptance must not.
  ASSERT_TRUE(PollUntil([&] { return Scalar(sql) != "<no row>"; }));
  EXPECT_EQ(Scalar(sql), "NULL") << "an acceptance alone must not cost a commit";

  core_.Post(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  ASSERT_TRUE(output_.WaitForSettles(2));  // settled only after its commit
  EXPECT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(Scalar(sql), std::to_string(ToMicros(kNow)));
}

// Stop (and any Drain) writes what is waiting: a clean shutdown never redelivers.
TEST_F(CoreLazyMarkTest, StopWritesWaitingAcceptances) {
  core_.Start();
  const int64_t seq = AcceptOneWithoutDrain(core_, output_);
  core_.Stop();
  EXPECT_EQ(Scalar("SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(seq)),
            std::to_string(ToMicros(kNow)));
  EXPECT_EQ(core_.counters().delivered, 1u);
}

class CoreEagerMarkTest : public CoreTest {
 protected:
  CoreEagerMarkTest() : CoreTest(CoreTuning{std::chrono::hours(1), 1}) {}
};

// mark_flush_max bounds what waits in memory: at the limit the acceptances get their own commit.
TEST_F(CoreEagerMarkTest, AcceptancesAtTheLimitAreWrittenWithoutInboundTraffic) {
  core_.Start();
  const int64_t seq = AcceptOneWithoutDrain(core_, output_);
  EXPECT_EQ(Scalar("SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(seq)),
            std::to_string(ToMicros(kNow)));
}

// ---- A latched store ---------------------------------------------------------------------------

// The VFS shim is installed before the fixture opens the store (base classes are built first).
struct WithFaultyVfs {
  slussen::testing::FaultyVfs vfs_;
};

class CoreLatchTest : public WithFaultyVfs, public CoreTest {};

// A failed fsync latches the store: that batch and every later inbound message are released
// (the senders keep them), nothing more is accepted even once fsync works again, and the latch
// shows in the counters.
TEST_F(CoreLatchTest, FailedFsyncReleasesEverythingFromThenOn) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  EXPECT_EQ(output_.SettleOf(1).settlement.kind, Settlement::Kind::kAccepted);

  vfs_.FailSyncs(true);
  PostAndDrain(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  vfs_.FailSyncs(false);
  EXPECT_GE(vfs_.failed_syncs(), 1u);
  EXPECT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kReleased);
  EXPECT_TRUE(store_.latched());
  EXPECT_THAT(store_.latched_reason(), HasSubstr("fsync failed"));

  const uint64_t syncs = vfs_.syncs();
  core_.Post(Inbound(3, Bytes(Inskrivning(EventId(3)))));
  core_.Post(Inbound(4, "not a protobuf"));  // not even a rejection is recorded
  core_.Post(Inbound(5, Bytes(Inskrivning(EventId(1)))));  // nor a duplicate accepted
  core_.Drain();
  for (uint64_t token : {3u, 4u, 5u}) {
    EXPECT_EQ(output_.SettleOf(token).settlement.kind, Settlement::Kind::kReleased)
        << "token " << token;
  }
  EXPECT_EQ(vfs_.syncs(), syncs) << "a latched store must not be written";
  core_.Stop();
  EXPECT_TRUE(core_.counters().store_latched);
  EXPECT_EQ(core_.counters().accepted, 1u);
  EXPECT_EQ(core_.counters().rejected, 0u);
  EXPECT_EQ(core_.counters().duplicates, 0u);
  EXPECT_EQ(core_.counters().released, 4u);
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("dead_letters"), 0);
}

// ---- The pipeline: a batch is told only once durable ---------------------------------------------

// The flush an hour away, so that nothing waits for the journal but what must: the core goes on
// while a batch's record is synced on the store's thread (hub/DESIGN.md "Durable write path").
class CorePipelineTest : public WithFaultyVfs, public CoreTest {
 protected:
  CorePipelineTest() : CoreTest(CoreTuning{std::chrono::hours(1), 1000}, KeepFlushInterval{}) {}
};

// While its journal record waits for its sync, an event is neither acknowledged to its sender
// nor delivered to a receiver who is waiting for it, nor is the next one; once the sync is done
// both happen, in order.
TEST_F(CorePipelineTest, NothingOfABatchLeavesTheHubBeforeItIsDurable) {
  core_.Start();
  PostAndDrain(Demand(kKommunDestination, 10));
  vfs_.HoldJournalSyncs(true);
  core_.Post(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  ASSERT_TRUE(PollUntil([&] { return vfs_.held_syncs() > 0; }));
  core_.Post(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // time to go wrong
  EXPECT_THAT(output_.settles(), IsEmpty()) << "acknowledged before it was durable";
  EXPECT_THAT(output_.delivers(), IsEmpty()) << "delivered before it was durable";

  vfs_.HoldJournalSyncs(false);
  ASSERT_TRUE(output_.WaitForSettles(2));
  EXPECT_EQ(output_.SettleOf(1).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kAccepted);
  ASSERT_TRUE(output_.WaitForDelivers(1));
  core_.Drain();
  std::vector<std::string> delivered;
  for (const auto& d : output_.delivers()) {
    for (const auto& item : d.items) delivered.push_back(item.event_id);
  }
  EXPECT_THAT(delivered, ElementsAre(EventId(1), EventId(2)));
  core_.Stop();
  EXPECT_EQ(core_.counters().accepted, 2u);
}

// The sync of a batch fails: its message and the next one are released (never acknowledged),
// nothing of them is delivered, and the store latches.
TEST_F(CorePipelineTest, ABatchWhoseSyncFailsIsReleasedAndNotDelivered) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  ASSERT_EQ(output_.SettleOf(1).settlement.kind, Settlement::Kind::kAccepted);
  vfs_.HoldJournalSyncs(true);
  vfs_.FailSyncs(true);
  core_.Post(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  ASSERT_TRUE(PollUntil([&] { return vfs_.held_syncs() > 0; }));
  core_.Post(Inbound(3, Bytes(Inskrivning(EventId(3)))));
  vfs_.HoldJournalSyncs(false);
  ASSERT_TRUE(output_.WaitForSettles(3));
  vfs_.FailSyncs(false);
  EXPECT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kReleased);
  EXPECT_EQ(output_.SettleOf(3).settlement.kind, Settlement::Kind::kReleased);
  EXPECT_TRUE(store_.latched());
  PostAndDrain(Demand(kKommunDestination, 10));
  std::vector<std::string> delivered;
  for (const auto& d : output_.delivers()) {
    for (const auto& item : d.items) delivered.push_back(item.event_id);
  }
  EXPECT_THAT(delivered, ElementsAre(EventId(1)));
  core_.Stop();
  EXPECT_EQ(core_.counters().accepted, 1u);
  EXPECT_EQ(core_.counters().released, 2u);
  EXPECT_TRUE(core_.counters().store_latched);
}

}  // namespace
}  // namespace slussen::testing
