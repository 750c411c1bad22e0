// Operators' actions on delivery (issue 10 item 8): each is checked, written with who and why,
// applied once durable and answered then; refusals say why with a code.
#include <future>

#include "unit/core/core_test_support.h"

namespace slussen::testing {
namespace {

class CoreOperatorTest : public CoreTest {
 protected:
  // Posts the command (with who and why, unless it has them) and waits for the core's answer.
  Status Run(OperatorCommand cmd) {
    if (cmd.operator_id.empty()) cmd.operator_id = "anna.operator";
    if (cmd.reason.empty()) cmd.reason = "ringde kommunen (phoned through)";
    return RunAsIs(std::move(cmd), core_);
  }
  static Status RunAsIs(OperatorCommand cmd, Core& core) {
    auto answer = std::make_shared<std::promise<Status>>();
    auto future = answer->get_future();
    cmd.done = [answer](const Status& s) { answer->set_value(s); };
    core.Post(std::move(cmd));
    core.Drain();
    return future.get();
  }
  static OperatorCommand Cmd(OperatorCommand::Action a) {
    OperatorCommand c;
    c.action = a;
    return c;
  }
  int64_t KommunSeq(int n) {
    return std::stoll(Scalar("SELECT seq FROM outbox JOIN events ON id = event_row "
                             "WHERE event_id = '" + EventId(n) +
                             "' AND destination = '" + kKommunDestination + "'"));
  }
  // Stores event n, sends it to the kommun receiver and has it reject it: dead.
  int64_t DeadDelivery(int n) {
    PostAndDrain(Inbound(static_cast<uint64_t>(n), Bytes(Inskrivning(EventId(n)))));
    PostAndDrain(Demand(kKommunDestination, 1));
    const int64_t seq = KommunSeq(n);
    PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kRejected));
    EXPECT_NE(Scalar("SELECT dead_at_us FROM outbox WHERE seq = " + std::to_string(seq)), "");
    return seq;
  }
};

TEST_F(CoreOperatorTest, RetryingADeadDeliverySendsItAgainAndRecordsWhoAndWhy) {
  core_.Start();
  const int64_t seq = DeadDelivery(1);
  const std::size_t sent = output_.delivers().size();
  OperatorCommand cmd = Cmd(OperatorCommand::Action::kRetryDead);
  cmd.seq = seq;
  ASSERT_TRUE(Run(cmd));
  EXPECT_EQ(Scalar("SELECT coalesce(dead_at_us, 'NULL') FROM outbox WHERE seq = " +
                   std::to_string(seq)),
            "NULL");
  EXPECT_EQ(Scalar("SELECT action || ' ' || operator || ' ' || case_id FROM delivery_actions"),
            "retry-dead anna.operator " + CaseIdString(Inskrivning(EventId(1))));
  PostAndDrain(Demand(kKommunDestination, 1));
  ASSERT_EQ(output_.delivers().size(), sent + 1);
  EXPECT_EQ(output_.delivers().back().items.at(0).seq, seq);
  EXPECT_EQ(output_.delivers().back().items.at(0).attempts, 1) << "its history stays";
}

TEST_F(CoreOperatorTest, RefusalsSayWhy) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  OperatorCommand retry = Cmd(OperatorCommand::Action::kRetryDead);
  retry.seq = KommunSeq(1);
  Status s = Run(retry);
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(s.error(), HasSubstr("is not dead"));

  retry.seq = 987654;
  EXPECT_EQ(Run(retry).code(), ErrorCode::kNotFound);

  OperatorCommand reroute = Cmd(OperatorCommand::Action::kReroute);
  reroute.event_id = EventId(1);
  reroute.destination = "nowhere";
  EXPECT_EQ(Run(reroute).code(), ErrorCode::kInvalidArgument);

  OperatorCommand pause = Cmd(OperatorCommand::Action::kPause);
  pause.destination = kKommunDestination;
  pause.operator_id = "x";  // and no reason
  EXPECT_EQ(RunAsIs(pause, core_).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Count("delivery_actions"), 0);
}

TEST_F(CoreOperatorTest, MarkedDeliveredIsDeliveredAndNotSentAgain) {
  core_.Start();
  const int64_t seq = DeadDelivery(1);
  OperatorCommand mark = Cmd(OperatorCommand::Action::kMarkDelivered);
  mark.seq = seq;
  ASSERT_TRUE(Run(mark));
  EXPECT_EQ(Scalar("SELECT manual_by || ': ' || manual_reason FROM outbox WHERE seq = " +
                   std::to_string(seq)),
            "anna.operator: ringde kommunen (phoned through)");
  EXPECT_NE(Scalar("SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(seq)), "");
  EXPECT_EQ(Run(mark).code(), ErrorCode::kFailedPrecondition) << "already delivered";
}

TEST_F(CoreOperatorTest, RerouteSendsTheEventToAnotherDestinationToo) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  OperatorCommand reroute = Cmd(OperatorCommand::Action::kReroute);
  reroute.event_id = EventId(1);
  reroute.destination = "ehr-halland";
  ASSERT_TRUE(Run(reroute));
  EXPECT_THAT(Scalar("SELECT cause FROM outbox_added"), HasSubstr("re-routed by anna.operator"));
  PostAndDrain(LinkDemand{kOutConn, kOutLink + 7, "ehr-halland", 5});
  ASSERT_FALSE(output_.delivers().empty());
  EXPECT_EQ(output_.delivers().back().items.at(0).event_id, EventId(1));
  EXPECT_EQ(output_.delivers().back().items.at(0).destination, "ehr-halland");
}

TEST_F(CoreOperatorTest, APauseHoldsDeliveryAndSurvivesARestart) {
  core_.Start();
  OperatorCommand pause = Cmd(OperatorCommand::Action::kPause);
  pause.destination = kKommunDestination;
  ASSERT_TRUE(Run(pause));
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Demand(kKommunDestination, 5));
  EXPECT_TRUE(output_.delivers().empty());
  EXPECT_TRUE(core_.stats()->destinations.empty() ||
              std::any_of(core_.stats()->destinations.begin(), core_.stats()->destinations.end(),
                          [](const auto& d) { return d.destination == kKommunDestination && d.paused; }));
  core_.Stop();

  RecordingOutput output;
  Core restarted(config_, store_, output, [this] { return FromMicros(now_us_.load()); }, tuning_);
  restarted.Start();
  restarted.Post(Demand(kKommunDestination, 5));
  restarted.Drain();
  EXPECT_TRUE(output.delivers().empty()) << "still paused after the restart";
  OperatorCommand resume = Cmd(OperatorCommand::Action::kResume);
  resume.destination = kKommunDestination;
  resume.operator_id = "anna.operator";
  resume.reason = "Lifecare är uppe igen";
  ASSERT_TRUE(RunAsIs(resume, restarted));
  ASSERT_TRUE(output.WaitForDelivers(1));
  EXPECT_EQ(output.delivers().at(0).items.at(0).event_id, EventId(1));
  restarted.Stop();
}

}  // namespace
}  // namespace slussen::testing
