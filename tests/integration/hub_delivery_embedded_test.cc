// Delivery scenarios about the embedded hub itself, run in embedded mode only (the scenarios of
// the message path that hold in both modes are in hub_delivery_test.cc), each for its reason:
//  - AcceptedEventsSurviveKill9: the hub's own store as the queue (`accepted` = on its disk). In
//    broker mode the queue is the broker's; kill -9 and restarts there are the fault tests'.
//  - AReleasedEventHolds...: the hub's dispatcher holding a case's later events on the receiver's
//    own link. In broker mode the broker, not the hub, hands deliveries to the receiver: the hub
//    has published the later events already, and a released one comes back after those the
//    receiver has credit for (by design: order ends at the broker's queue, hub/DESIGN.md).
//  - ASettleSecond..., UnsettledDeliveriesComeAgainAfterDetach: raw AMQP frames on the hub's
//    listener (settle modes, a detach with deliveries unsettled), which broker mode does not have.
#include <signal.h>

#include <atomic>
#include <thread>

#include "integration/hub_delivery_fixture.h"
#include "testing/child_process.h"
#include "testing/hub_checks.h"
#include "testing/raw_amqp_socket.h"
#include "testing/raw_receiver.h"

namespace slussen::testing::delivery_itest {
namespace {

class HubIntegrationEmbedded : public HubIntegration {};

// Once the sender has `accepted`, the event is on disk: kill -9 loses none of them.
TEST_P(HubIntegrationEmbedded, AcceptedEventsSurviveKill9) {
  constexpr int kEvents = 200;
  std::vector<client::OutgoingMessage> msgs;
  std::set<std::string> ids;
  NewInskrivningar(kEvents, &msgs, &ids);
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    const auto outcomes = c->SendAll("events", msgs, /*window=*/50, seconds(120));
    ASSERT_EQ(outcomes.size(), msgs.size());
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      ASSERT_EQ(outcomes[i].kind, SendOutcome::Kind::kAccepted)
          << "message " << i << ": " << OutcomeName(outcomes[i].kind) << " "
          << outcomes[i].condition << ": " << outcomes[i].description << HubLog();
    }
    const ExitStatus st = hub().Kill9();
    ASSERT_EQ(st.signal, SIGKILL) << st.ToString();
  }
  ASSERT_TRUE(hub().Start());

  MessageCollector kommun;
  auto r = NewClient();
  ASSERT_TRUE(r);
  ASSERT_GE(Attach(*r, kKommunOut, kommun, 500), 0);
  ASSERT_TRUE(kommun.WaitForIds(ids, seconds(120)))
      << "received " << kommun.Ids().size() << " of " << kEvents << " distinct ids" << HubLog();
  EXPECT_EQ(kommun.Ids(), ids);
}

// The hub hands a case's later events to the connection behind the first, to be sent as soon as
// the receiver accepts the one before. A receiver that releases the first must not get any of
// the later ones before that first one again: they come back unsent and follow its retry.
TEST_P(HubIntegrationEmbedded, AReleasedEventHoldsItsCasesLaterEventsBackUntilItIsAccepted) {
  std::vector<v1::Envelope> chain;
  for (int i = 0; i < 6; ++i) chain.push_back(ValidInskrivning());  // all of one case
  const std::string first = chain[0].event_id();
  // The receiver keeps the first delivery unsettled until every event is stored (so the later
  // ones are handed to its link behind it), then releases it, and releases its retry once more.
  std::atomic<bool> all_stored{false};
  MessageCollector kommun([&](const IncomingMessage& m, int seen_before) {
    if (m.message_id != first || seen_before >= 2) return Disposition::kAccept;
    for (int i = 0; seen_before == 0 && !all_stored && i < 30'000; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (seen_before == 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return Disposition::kRelease;
  });
  auto receiver = NewClient();
  ASSERT_TRUE(receiver);
  ASSERT_GE(Attach(*receiver, kKommunOut, kommun), 0);
  auto sender = NewClient();
  ASSERT_TRUE(sender);
  std::set<std::string> ids;
  for (const auto& env : chain) {
    ids.insert(env.event_id());
    ASSERT_NO_FATAL_FAILURE(SendAccepted(*sender, env));
  }
  all_stored = true;
  ASSERT_TRUE(kommun.WaitForIds(ids)) << Describe(kommun.Messages()) << HubLog();
  std::vector<std::string> order;
  for (const auto& m : kommun.Messages()) order.push_back(m.message_id);
  std::vector<std::string> want = {first, first, first};
  for (std::size_t i = 1; i < chain.size(); ++i) want.push_back(chain[i].event_id());
  EXPECT_EQ(order, want) << Describe(kommun.Messages());
  // Two attempts on record, both the first event's: the held ones were never sent.
  EXPECT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM delivery_attempts") == 2;
  })) << HubLog();
  EXPECT_EQ(store().QueryInt("SELECT count(DISTINCT seq) FROM delivery_attempts"), 1);
}

// A receiver that waits for the hub to settle (rcv-settle-mode second) gets that settlement only
// once its acceptance is on disk: a crash before it would send the message again, and after it
// never. So when the settlement arrives, the store already says delivered.
TEST_P(HubIntegrationEmbedded, ASettleSecondReceiverIsSettledOnlyOnceItsAcceptanceIsStored) {
  const v1::Envelope env = ValidInskrivning();
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
  }
  auto raw = RawConnect(hub());
  ASSERT_TRUE(raw);
  std::string error;
  ASSERT_TRUE(raw->AttachReceiver(0, kKommunOut, 1, RawAmqpSocket::In(seconds(10)), &error,
                                  /*settle_second=*/true))
      << error;
  auto transfer = raw->ReadUntil([](const AmqpFrame& f) { return f.code == amqp::kTransfer; },
                                 RawAmqpSocket::In(seconds(30)));
  ASSERT_TRUE(transfer) << raw->last_error() << HubLog();
  const AmqpValue* id = transfer->body.Field(1);
  ASSERT_NE(id, nullptr);
  const auto delivery_id = static_cast<uint32_t>(id->number);
  ASSERT_TRUE(raw->SendAccepted(delivery_id, /*settled=*/false));
  auto settled = raw->ReadUntil([&](const AmqpFrame& f) {
    const AmqpValue* first = f.body.Field(1);
    const AmqpValue* is_settled = f.body.Field(3);
    return f.code == amqp::kDisposition && first && first->number == delivery_id && is_settled &&
           is_settled->flag;
  }, RawAmqpSocket::In(seconds(30)));
  ASSERT_TRUE(settled) << "the hub never settled the accepted delivery" << HubLog();
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM outbox JOIN events ON id = event_row "
                             "WHERE event_id = '" + env.event_id() +
                             "' AND destination = '" + KommunDestination(kTestKommun) +
                             "' AND delivered_at_us IS NOT NULL"),
            1)
      << "settled before the acceptance was stored";
}

// A receiver that goes away with deliveries unsettled: those come again on a new receiver; the
// ones it accepted do not.
TEST_P(HubIntegrationEmbedded, UnsettledDeliveriesComeAgainAfterDetach) {
  constexpr int kEvents = 10;
  std::set<std::string> ids;
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    for (int i = 0; i < kEvents; ++i) {
      const v1::Envelope env = ValidInskrivningOwnCase();  // so that six can be in flight at once
      ids.insert(env.event_id());
      ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
    }
  }

  const RawReceiveResult raw =
      ReceiveThenDetach(hub().url(), kKommunOut, /*credit=*/6, /*accept_first=*/2);
  ASSERT_TRUE(raw.ok) << raw.error << HubLog();
  ASSERT_EQ(raw.accepted_ids.size(), 2u);
  ASSERT_EQ(raw.unsettled_ids.size(), 4u);

  std::set<std::string> expected = ids;
  for (const auto& id : raw.accepted_ids) expected.erase(id);

  MessageCollector kommun;
  auto c = NewClient();
  ASSERT_TRUE(c);
  ASSERT_GE(Attach(*c, kKommunOut, kommun), 0);
  ASSERT_TRUE(kommun.WaitForIds(expected)) << Describe(kommun.Messages()) << HubLog();

  // In-order delivery: once a new event sent now has arrived, nothing older is still coming.
  const v1::Envelope marker = ValidInskrivning();
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, marker));
  ASSERT_TRUE(kommun.WaitForId(marker.event_id())) << HubLog();
  for (const auto& id : raw.accepted_ids) {
    EXPECT_EQ(kommun.CountOf(id), 0) << "accepted message " << id << " was delivered again";
  }
  expected.insert(marker.event_id());
  EXPECT_EQ(kommun.Ids(), expected);
}

SLUSSEN_EMBEDDED_ONLY(HubIntegrationEmbedded);

}  // namespace
}  // namespace slussen::testing::delivery_itest
