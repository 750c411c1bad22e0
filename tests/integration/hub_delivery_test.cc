// Valid events through the real hub, with the real store, in both modes (issue 14 item 3: one
// suite, two modes; testing/hub_mode_fixture.h): over the hub's own AMQP listener (Embedded/) and
// through a real RabbitMQ with the hub as the broker's client (Broker/). Delivery, the order of a
// destination's events, deduplication by event id, a clean restart, a released and a rejected
// delivery, a receiver closed mid-stream.
//
// Where broker mode differs by design it is asserted, not skipped: the hub's delivery ends at the
// broker's confirmation, so what a receiver then does (release, reject) is the broker's to handle
// — a released message comes again from the broker, and a rejected one is dead-lettered by the
// broker, which the hub then reads back from its dead-letter queue. The scenarios about the
// embedded listener itself are in hub_delivery_embedded_test.cc.
#include "integration/hub_delivery_fixture.h"

#include <atomic>

#include "testing/child_process.h"

namespace slussen::testing::delivery_itest {
namespace {

// An Inskrivningsmeddelande goes to the patient's kommun and listed vårdcentral, with the
// message-id, subject, content-type and properties of the wire contract.
TEST_P(HubIntegration, InskrivningReachesKommunAndVardcentral) {
  MessageCollector kommun;
  MessageCollector vc;
  auto c = AttachKommunAndVc(kommun, vc);
  ASSERT_TRUE(c);

  const v1::Envelope env = ValidInskrivning();
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
  ExpectOnKommunAndVc(kommun, vc, env);
}

// An event for a destination with no receiver waits (in the hub's store, or in broker mode in the
// destination's queue), survives a clean shutdown of the hub (SIGTERM, exit 0) and is delivered
// to a receiver that attaches after the restart.
TEST_P(HubIntegration, UndeliveredEventSurvivesCleanRestart) {
  const v1::Envelope env = ValidInskrivning();
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
  }
  EXPECT_TRUE(Committed([&] { return StoredCopies(env) == 1; })) << HubLog();

  const ExitStatus st = hub().Stop();
  ASSERT_TRUE(st.Ok()) << "SIGTERM: " << st.ToString() << HubLog();
  EXPECT_EQ(hub().ExtraStdout(), "") << "the hub must print exactly one line on stdout";
  ASSERT_TRUE(hub().Start());

  MessageCollector kommun;
  MessageCollector vc;
  auto c = AttachKommunAndVc(kommun, vc);
  ASSERT_TRUE(c);
  ExpectOnKommunAndVc(kommun, vc, env);
}

// The same event id sent again after its delivery is accepted again but not delivered again.
// The hub delivers one destination's events in order, so once a later distinct event has
// arrived, a second copy of the first can no longer be on its way.
TEST_P(HubIntegration, DuplicateAfterDeliveryIsNotDeliveredAgain) {
  MessageCollector kommun;
  auto c = NewClient();
  ASSERT_TRUE(c);
  ASSERT_GE(Attach(*c, kKommunOut, kommun), 0);

  const v1::Envelope first = ValidInskrivning();
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, first));
  ASSERT_TRUE(kommun.WaitForId(first.event_id())) << HubLog();

  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, first));  // the retry: accepted again
  const v1::Envelope marker = ValidInskrivning();
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, marker));
  ASSERT_TRUE(kommun.WaitForId(marker.event_id())) << Describe(kommun.Messages()) << HubLog();

  EXPECT_EQ(kommun.CountOf(first.event_id()), 1) << Describe(kommun.Messages());
  EXPECT_EQ(StoredCopies(first), 1);
}

// The same, with both copies arriving before any receiver is attached.
TEST_P(HubIntegration, DuplicateBeforeDeliveryIsDeliveredOnce) {
  const v1::Envelope first = ValidInskrivning();
  const v1::Envelope marker = ValidInskrivning();
  auto c = NewClient();
  ASSERT_TRUE(c);
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, first));
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, first));
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, marker));

  MessageCollector kommun;
  auto r = NewClient();
  ASSERT_TRUE(r);
  ASSERT_GE(Attach(*r, kKommunOut, kommun), 0);
  ASSERT_TRUE(kommun.WaitForId(marker.event_id())) << Describe(kommun.Messages()) << HubLog();
  EXPECT_EQ(kommun.CountOf(first.event_id()), 1) << Describe(kommun.Messages());
  // Order of one destination is the order of acceptance.
  const auto msgs = kommun.Messages();
  ASSERT_GE(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].message_id, first.event_id());
  EXPECT_EQ(msgs[1].message_id, marker.event_id());
}

// A message the receiver releases comes again, with the same message-id and body (from the hub,
// or in broker mode from the broker, which has it since the hub's publication was confirmed).
TEST_P(HubIntegration, ReleasedMessageIsRedelivered) {
  const v1::Envelope env = ValidInskrivning();
  std::vector<IncomingMessage> msgs;
  ASSERT_NO_FATAL_FAILURE(SendAndSeeTwice(Disposition::kRelease, env, &msgs));
  ASSERT_GE(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].message_id, env.event_id());
  EXPECT_EQ(msgs[1].message_id, env.event_id());
  EXPECT_EQ(msgs[1].body, msgs[0].body);
  ExpectOutboundMessage(msgs[1], kKommunOut, env);
}

// A receiver that rejects one event (poison): it is not sent again, and the rest of the queue
// flows, the same case's later events included, and the hub has the delivery dead. Embedded: it
// ends at once as a dead letter with its attempt on record (the later events go out once it is
// dead). Broker: the broker dead-letters it, and the hub records that from its dead-letter queue.
TEST_P(HubIntegration, RejectedByReceiverIsDeadAndTheRestFlows) {
  const v1::Envelope poison = ValidInskrivning();
  MessageCollector kommun([&](const IncomingMessage& m, int) {
    return m.message_id == poison.event_id() ? Disposition::kReject : Disposition::kAccept;
  });
  auto c = NewClient();
  ASSERT_TRUE(c);
  ASSERT_GE(Attach(*c, kKommunOut, kommun), 0);
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, poison));
  std::set<std::string> rest;
  for (int i = 0; i < 5; ++i) {
    const v1::Envelope env = ValidInskrivning();  // the same case as the poison
    rest.insert(env.event_id());
    ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
  }
  ASSERT_TRUE(kommun.WaitForIds(rest)) << Describe(kommun.Messages()) << HubLog();
  // Per-case order: the later events went out only after the poison was dead, so had it been
  // sent again it would have been before them.
  EXPECT_EQ(kommun.CountOf(poison.event_id()), 1);
  EXPECT_EQ(kommun.Messages().front().message_id, poison.event_id());

  const std::string row = "(SELECT seq FROM outbox JOIN events ON id = event_row "
                          "WHERE event_id = '" + poison.event_id() +
                          "' AND destination = '" + KommunDestination(kTestKommun) + "')";
  ASSERT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM outbox WHERE seq = " + row +
                            " AND dead_at_us IS NOT NULL") == 1;
  })) << HubLog();
  if (broker_mode()) {
    // The broker dead-lettered it; the hub read that back from its dead-letter queue
    // (hub/DESIGN.md "Dead letters come back to the hub") and took it off.
    EXPECT_THAT(store().QueryStrings("SELECT last_error FROM outbox WHERE seq = " + row),
                ::testing::ElementsAre(::testing::HasSubstr("dead-lettered by the broker")));
    EXPECT_EQ(BrokerQueueDepth("dead", 0), 0);
    EXPECT_EQ(BrokerQueueDepth(kKommunOut, 0), 0);
    return;
  }
  EXPECT_EQ(store().QueryStrings("SELECT outcome FROM delivery_attempts WHERE seq = " + row),
            std::vector<std::string>{"rejected"});
  EXPECT_THAT(HubLog(), ::testing::HasSubstr("is dead after 1 attempt(s): rejected"));
  // And an operator sees it without the hub's help (once the last acceptance is recorded).
  const std::string expected = "\"" + KommunDestination(kTestKommun) +
                               "\": {\"delivered\": 5, \"pending\": 0, \"dead\": 1, "
                               "\"awaiting_receipt\": 0}";
  std::string out;
  EXPECT_TRUE(PollUntil([&] {
    const ProcessResult status =
        RunProcess({SlussenBinary(), "--config", dir().File("hub.xml"), "--status"});
    out = status.out + status.err;
    return status.status.Ok() && out.find(expected) != std::string::npos;
  })) << out;
}

// A receiver closed in the middle of a stream: whatever it did not get comes on the next
// receiver, so that together they have every event. The first one takes three and gives back
// what comes after (released), so it is still mid-stream when it closes however fast the hub is
// (with plain acceptance a fast run could drain all 30 before the close).
TEST_P(HubIntegration, ReceiverClosedMidStreamLosesNothing) {
  constexpr int kEvents = 30;
  std::vector<client::OutgoingMessage> msgs;
  std::set<std::string> ids;
  NewInskrivningar(kEvents, &msgs, &ids);
  std::atomic<int> taken{0};
  MessageCollector first([&taken](const client::IncomingMessage&, int) {
    return taken.fetch_add(1) < 3 ? client::Disposition::kAccept : client::Disposition::kRelease;
  });
  MessageCollector second;
  auto c = NewClient();
  ASSERT_TRUE(c);
  const auto outcomes = c->SendAll("events", msgs, 50, seconds(60));
  for (const auto& o : outcomes) {
    ASSERT_EQ(o.kind, SendOutcome::Kind::kAccepted) << o.condition << ": " << o.description;
  }

  // Broker mode: the first receiver on a connection of its own, which goes after its link.
  // RabbitMQ 3.10 hands back what a detached link held unsettled only when its session ends (an
  // adapter's runtime detaches its receivers only to close the connection).
  std::unique_ptr<ModeClient> own;
  if (broker_mode()) {
    own = NewClient();
    ASSERT_TRUE(own);
  }
  ModeClient& first_client = own ? *own : *c;
  const int r1 = Attach(first_client, kKommunOut, first, /*credit=*/2);
  ASSERT_GE(r1, 0);
  ASSERT_TRUE(first.WaitForCount(3)) << HubLog();
  first_client.CloseReceiver(r1);
  if (own) own->Close();
  const std::set<std::string> got_first = first.AcceptedIds();
  ASSERT_EQ(got_first.size(), 3u);

  ASSERT_GE(Attach(*c, kKommunOut, second), 0);
  std::set<std::string> rest = ids;
  for (const auto& id : got_first) rest.erase(id);
  ASSERT_TRUE(second.WaitForIds(rest)) << "second receiver: " << Describe(second.Messages())
                                       << HubLog();
  std::set<std::string> all = got_first;
  for (const auto& id : second.Ids()) all.insert(id);
  EXPECT_EQ(all, ids);
}

SLUSSEN_BOTH_MODES(HubIntegration);

}  // namespace
}  // namespace slussen::testing::delivery_itest
