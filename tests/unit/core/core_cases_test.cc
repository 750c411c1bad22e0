// The core and time: stored deadline states and liability follow the clock with no new event,
// cases come from the cache after their first batch, a case's size is bounded, and the live
// statistics can be read while the core runs.
#include "cases/next_evaluation.h"
#include "common/swedish_calendar.h"
#include "unit/core/core_test_support.h"

namespace slussen::testing {
namespace {

class CoreCasesTest : public CoreTest {
 protected:
  CoreCasesTest() {
    // The hospital may also send the utskrivningsklar notice, which goes to the kommun.
    config_.senders[0].may_send.insert(EventKind::kUtskrivningsklar);
    config_.routes.push_back({EventKind::kUtskrivningsklar, true, false, {}});
  }
  std::string KallelseState() {
    return Scalar("SELECT state FROM deadlines WHERE deadline_id = 'kallelse-sip'");
  }
};

// 4 kap. 3 §: kallelse to SIP within 3 days of the utskrivningsklar notice. Nothing arrives after
// the notice; the stored state still moves pending -> at risk -> missed as the clock passes the
// at-risk horizon and the due time, because the case's next evaluation time is stored with it.
TEST_F(CoreCasesTest, DeadlineGoesFromPendingToAtRiskToMissedWithNoNewEvent) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Inbound(2, Bytes(Valid(EventKind::kUtskrivningsklar, EventId(2)))));
  ASSERT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kAccepted)
      << output_.SettleOf(2).settlement.description;
  EXPECT_EQ(KallelseState(), "pending");
  const auto due = FromMicros(std::stoll(
      Scalar("SELECT due_at_us FROM deadlines WHERE deadline_id = 'kallelse-sip'")));
  const auto at_risk = due - config_.agreement.at_risk_horizon;
  // The case waits for the first instant its evaluation can change, not a beat.
  EXPECT_LE(std::stoll(Scalar("SELECT next_evaluation_at_us FROM cases")), ToMicros(at_risk));

  SetNow(at_risk - std::chrono::minutes(1));
  core_.Drain();
  EXPECT_EQ(KallelseState(), "pending");

  SetNow(at_risk + std::chrono::minutes(1));
  core_.Drain();
  EXPECT_EQ(KallelseState(), "at-risk");

  SetNow(due + std::chrono::minutes(1));
  core_.Drain();
  EXPECT_EQ(KallelseState(), "missed");
  // 5 kap. 3 §: a missed kallelse means no liability; the stored summary says so too.
  EXPECT_EQ(Scalar("SELECT liable FROM cases"), "0");
  EXPECT_GE(core_.stats()->cases_evaluated_by_timer, 2u);
  EXPECT_EQ(Count("events"), 2);  // nothing was sent to make this happen
}

// A case's events are read from the store once, in its second batch (a case whose events all
// came in one batch is not cached: most cases' next event comes hours later); from then on the
// batches fold the cached, decoded events.
TEST_F(CoreCasesTest, LaterEventsOfACaseComeFromTheCache) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  EXPECT_EQ(core_.stats()->case_cache_cases, 0u);
  PostAndDrain(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  EXPECT_EQ(core_.stats()->case_cache_cases, 1u);
  const uint64_t misses = core_.stats()->case_cache_misses;
  for (int i = 3; i <= 5; ++i) PostAndDrain(Inbound(static_cast<uint64_t>(i), Bytes(Inskrivning(EventId(i)))));
  const auto stats = core_.stats();
  EXPECT_EQ(stats->case_cache_misses, misses);
  EXPECT_EQ(stats->case_cache_hits, 3u);
  EXPECT_EQ(stats->case_cache_cases, 1u);
  EXPECT_EQ(stats->case_cache_events, 5u);
  // And the fold saw all of them: the notes name every later inskrivningsmeddelande.
  const std::string notes = Scalar("SELECT notes FROM cases");
  for (int i = 2; i <= 5; ++i) EXPECT_THAT(notes, HasSubstr(EventId(i)));
}

// A failed transaction leaves nothing of itself in the cache: the next batch reads the store.
TEST_F(CoreCasesTest, AFailedWriteDoesNotLeaveItsEventsInTheCache) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  store_.fail_next_write = true;
  PostAndDrain(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  ASSERT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kReleased);
  PostAndDrain(Inbound(3, Bytes(Inskrivning(EventId(3)))));
  const std::string notes = Scalar("SELECT notes FROM cases");
  EXPECT_THAT(notes, HasSubstr(EventId(3)));
  EXPECT_THAT(notes, Not(HasSubstr(EventId(2))));
  EXPECT_EQ(core_.stats()->case_cache_events, 2u);
}

TEST_F(CoreCasesTest, ACaseHoldsAtMostMaxEventsPerCase) {
  config_.max_events_per_case = 3;
  core_.Start();
  for (int i = 1; i <= 4; ++i) core_.Post(Inbound(static_cast<uint64_t>(i), Bytes(Inskrivning(EventId(i)))));
  core_.Drain();
  for (uint64_t token : {1u, 2u, 3u}) {
    EXPECT_EQ(output_.SettleOf(token).settlement.kind, Settlement::Kind::kAccepted) << token;
  }
  const Settled fourth = output_.SettleOf(4);
  EXPECT_EQ(fourth.settlement.kind, Settlement::Kind::kRejected);
  EXPECT_THAT(fourth.settlement.description, HasSubstr("max-events-per-case"));
  EXPECT_EQ(Count("events"), 3);
  EXPECT_EQ(Scalar("SELECT event_id FROM dead_letters"), EventId(4));
  EXPECT_EQ(core_.stats()->rejected_by_reason.at("case_id"), 1u);
}

// Region Halland's samverkansrutin 2022 [S20]: "Planeringsunderlag som leder till rött spår ska
// inte ändras med undantag för personer boende i SÄBO". Under red-track-change="refuse" the core
// refuses such a change against the case as stored, with its reason, dead-lettered like any
// other rejection (issue 15 item 9); a SÄBO resident's change is stored.
TEST_F(CoreCasesTest, AChangeOfTheRedTrackIsRefusedWhenTheAgreementSaysSo) {
  config_.agreement.planning_tracks = true;
  config_.agreement.red_track_change = Agreement::RedTrackChange::kRefuse;
  config_.senders[0].may_send.insert(EventKind::kPlaneringsunderlag);
  config_.routes.push_back({EventKind::kPlaneringsunderlag, true, false, {}});
  auto underlag = [](int n, v1::Planeringsunderlag::Track track, bool saebo = false) {
    v1::Envelope env = Valid(EventKind::kPlaneringsunderlag, EventId(n));
    env.mutable_planeringsunderlag()->set_track(track);
    env.mutable_patient()->set_sarskilt_boende(saebo);
    return env;
  };
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Inbound(2, Bytes(underlag(2, v1::Planeringsunderlag::RODT))));
  ASSERT_EQ(output_.SettleOf(2).settlement.kind, Settlement::Kind::kAccepted)
      << output_.SettleOf(2).settlement.description;
  PostAndDrain(Inbound(3, Bytes(underlag(3, v1::Planeringsunderlag::GULT))));
  const Settled refused = output_.SettleOf(3);
  EXPECT_EQ(refused.settlement.kind, Settlement::Kind::kRejected);
  EXPECT_THAT(refused.settlement.description, HasSubstr("led to the red track is not changed"));
  EXPECT_EQ(Scalar("SELECT event_id FROM dead_letters"), EventId(3));
  EXPECT_EQ(core_.stats()->rejected_by_reason.at("planeringsunderlag.track"), 1u);
  EXPECT_EQ(Count("events"), 2);
  // The same red track again changes nothing; a SÄBO resident's change is the exception.
  PostAndDrain(Inbound(4, Bytes(underlag(4, v1::Planeringsunderlag::RODT))));
  EXPECT_EQ(output_.SettleOf(4).settlement.kind, Settlement::Kind::kAccepted);
  PostAndDrain(Inbound(5, Bytes(underlag(5, v1::Planeringsunderlag::GRONT, /*saebo=*/true))));
  EXPECT_EQ(output_.SettleOf(5).settlement.kind, Settlement::Kind::kAccepted)
      << output_.SettleOf(5).settlement.description;
  EXPECT_EQ(Count("events"), 4);
}

// Under red-track-change="deviation" (the default) the change is stored and shows as one.
TEST_F(CoreCasesTest, AChangeOfTheRedTrackIsStoredAsADeviationByDefault) {
  config_.agreement.planning_tracks = true;
  config_.senders[0].may_send.insert(EventKind::kPlaneringsunderlag);
  config_.routes.push_back({EventKind::kPlaneringsunderlag, true, false, {}});
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  v1::Envelope red = Valid(EventKind::kPlaneringsunderlag, EventId(2));
  red.mutable_planeringsunderlag()->set_track(v1::Planeringsunderlag::RODT);
  PostAndDrain(Inbound(2, Bytes(red)));
  v1::Envelope yellow = Valid(EventKind::kPlaneringsunderlag, EventId(3));
  yellow.mutable_planeringsunderlag()->set_track(v1::Planeringsunderlag::GULT);
  PostAndDrain(Inbound(3, Bytes(yellow)));
  EXPECT_EQ(output_.SettleOf(3).settlement.kind, Settlement::Kind::kAccepted);
  EXPECT_EQ(Scalar("SELECT state FROM deadlines WHERE deadline_id = 'rott-spar-andrat:" +
                   EventId(3) + "'"),
            "missed");
  EXPECT_EQ(Scalar("SELECT track FROM cases"), "gult");
}

// The statistics are a snapshot any thread can take while the core works.
TEST_F(CoreCasesTest, LiveStatisticsWhileRunning) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Inbound(2, "not protobuf"));
  auto s = core_.stats();
  EXPECT_TRUE(s->started);
  EXPECT_EQ(s->accepted, 1u);
  EXPECT_EQ(s->rejected, 1u);
  EXPECT_EQ(s->rejected_by_reason.at("body"), 1u);
  EXPECT_EQ(s->commits, 2u);
  EXPECT_EQ(s->commit_latency.count, 2u);
  EXPECT_FALSE(s->store_latched);
  auto dest = [&](const std::string& name) {
    for (const auto& d : s->destinations) {
      if (d.destination == name) return d;
    }
    ADD_FAILURE() << "no destination " << name;
    return DestinationLiveStats{};
  };
  EXPECT_EQ(dest(kKommunDestination).depth, 1);
  EXPECT_EQ(dest(kKommunDestination).oldest_pending_at_us, ToMicros(kNow));
  EXPECT_EQ(dest("ehr-halland").depth, 0);

  // A receiver takes it: in flight, then delivered.
  core_.Post(Demand(kKommunDestination, 10));
  core_.Drain();
  s = core_.stats();
  EXPECT_EQ(dest(kKommunDestination).in_flight, 1);
  EXPECT_EQ(dest(kKommunDestination).receivers, 1);
  const auto seq = output_.delivers().at(0).items.at(0).seq;
  PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));
  s = core_.stats();
  EXPECT_EQ(dest(kKommunDestination).in_flight, 0);
  EXPECT_EQ(dest(kKommunDestination).delivered, 1u);
  EXPECT_EQ(dest(kKommunDestination).depth, 0);
  EXPECT_EQ(s->delivered, 1u);
}

}  // namespace
}  // namespace slussen::testing
