// Integration tests: valid events through the real hub, over real AMQP, with the real store.
#include <google/protobuf/util/message_differencer.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hub_client.h"
#include "testing/child_process.h"
#include "testing/hub_checks.h"
#include "testing/hub_process.h"
#include "testing/hub_fixture.h"
#include "testing/raw_amqp_socket.h"
#include "testing/message_collector.h"
#include "testing/raw_receiver.h"
#include "testing/test_envelopes.h"

namespace slussen::testing {
namespace {

using client::Disposition;
using client::HubClient;
using client::IncomingMessage;
using client::OutcomeName;
using client::SendOutcome;
using std::chrono::seconds;

const std::string kKommunOut = OutAddress(KommunDestination(kTestKommun));
const std::string kVcOut = OutAddress(VardcentralDestination(kTestVardcentral));

class HubIntegration : public HubTest {
 protected:
  // Sends and expects `accepted`.
  void SendAccepted(HubClient& c, const v1::Envelope& env) {
    const SendOutcome out = c.Send("events", ToMessage(env));
    ASSERT_EQ(out.kind, SendOutcome::Kind::kAccepted)
        << "event " << env.event_id() << " got " << OutcomeName(out.kind) << " "
        << out.condition << ": " << out.description << HubLog();
  }

  int Attach(HubClient& c, const std::string& address, MessageCollector& collector,
             int credit = 100) {
    std::string error;
    const int id = c.Receive(address, collector.Handler(), credit, &error);
    EXPECT_GE(id, 0) << "attach to " << address << " refused: " << error << HubLog();
    return id;
  }

  // A client with receivers on the kommun's and the vårdcentral's address, or nullptr (with a
  // test failure recorded).
  std::unique_ptr<HubClient> AttachKommunAndVc(MessageCollector& kommun, MessageCollector& vc) {
    auto c = NewClient();
    if (!c || Attach(*c, kKommunOut, kommun) < 0 || Attach(*c, kVcOut, vc) < 0) return nullptr;
    return c;
  }

  // `n` new Inskrivningsmeddelanden as messages, and their event ids.
  static void NewInskrivningar(int n, std::vector<client::OutgoingMessage>* msgs,
                               std::set<std::string>* ids) {
    for (int i = 0; i < n; ++i) {
      const v1::Envelope env = ValidInskrivning();
      ids->insert(env.event_id());
      msgs->push_back(ToMessage(env));
    }
  }

  // Sends `env` to a kommun receiver that answers the first delivery of a message with `first`
  // and accepts the rest, and waits until the event came a second time; `got`: all it received.
  void SendAndSeeTwice(Disposition first, const v1::Envelope& env,
                       std::vector<IncomingMessage>* got) {
    MessageCollector kommun([first](const IncomingMessage&, int seen_before) {
      return seen_before == 0 ? first : Disposition::kAccept;
    });
    auto c = NewClient();
    ASSERT_TRUE(c);
    ASSERT_GE(Attach(*c, kKommunOut, kommun), 0);
    ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
    ASSERT_TRUE(kommun.WaitForId(env.event_id(), 2, seconds(60)))
        << Describe(kommun.Messages()) << HubLog();
    *got = kommun.Messages();
  }
};

void ExpectOutboundMessage(const IncomingMessage& m, const std::string& address,
                           const v1::Envelope& sent) {
  SCOPED_TRACE("message on " + address);
  EXPECT_EQ(m.address, address);
  EXPECT_EQ(m.message_id, sent.event_id());
  EXPECT_EQ(m.subject, "Inskrivningsmeddelande");
  EXPECT_EQ(m.content_type, "application/x-protobuf");
  EXPECT_TRUE(m.durable);
  EXPECT_TRUE(m.body_is_binary) << "body must be one AMQP data section";
  EXPECT_THAT(m.properties, ::testing::Contains(::testing::Pair("event_type",
                                                                "Inskrivningsmeddelande")));
  EXPECT_THAT(m.properties, ::testing::Contains(::testing::Pair("case_id", CaseIdString(sent))));
  EXPECT_THAT(m.properties, ::testing::Contains(::testing::Pair("schema_version", "1")));
  v1::Envelope got;
  ASSERT_TRUE(got.ParseFromString(m.body)) << "body does not parse as an Envelope";
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, sent))
      << "sent:\n" << sent.DebugString() << "received:\n" << got.DebugString();
}

// Both receivers got `env`, as the wire contract says.
void ExpectOnKommunAndVc(MessageCollector& kommun, MessageCollector& vc, const v1::Envelope& env) {
  ASSERT_TRUE(kommun.WaitForId(env.event_id())) << Describe(kommun.Messages());
  ASSERT_TRUE(vc.WaitForId(env.event_id())) << Describe(vc.Messages());
  ExpectOutboundMessage(kommun.Messages().front(), kKommunOut, env);
  ExpectOutboundMessage(vc.Messages().front(), kVcOut, env);
}

// An Inskrivningsmeddelande goes to the patient's kommun and listed vårdcentral, with the
// message-id, subject, content-type and properties of the wire contract.
TEST_F(HubIntegration, InskrivningReachesKommunAndVardcentral) {
  MessageCollector kommun;
  MessageCollector vc;
  auto c = AttachKommunAndVc(kommun, vc);
  ASSERT_TRUE(c);

  const v1::Envelope env = ValidInskrivning();
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
  ExpectOnKommunAndVc(kommun, vc, env);
}

// An event for a destination with no receiver waits in the store, survives a clean shutdown
// (SIGTERM, exit 0) and is delivered to a receiver that attaches after the restart.
TEST_F(HubIntegration, UndeliveredEventSurvivesCleanRestart) {
  const v1::Envelope env = ValidInskrivning();
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
  }
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + env.event_id() +
                             "'"),
            1);

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
TEST_F(HubIntegration, DuplicateAfterDeliveryIsNotDeliveredAgain) {
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
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" +
                             first.event_id() + "'"),
            1);
}

// The same, with both copies arriving before any receiver is attached.
TEST_F(HubIntegration, DuplicateBeforeDeliveryIsDeliveredOnce) {
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

// Once the sender has `accepted`, the event is on disk: kill -9 loses none of them.
TEST_F(HubIntegration, AcceptedEventsSurviveKill9) {
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

// A message the receiver releases comes again, with the same message-id and body.
TEST_F(HubIntegration, ReleasedMessageIsRedelivered) {
  const v1::Envelope env = ValidInskrivning();
  std::vector<IncomingMessage> msgs;
  ASSERT_NO_FATAL_FAILURE(SendAndSeeTwice(Disposition::kRelease, env, &msgs));
  ASSERT_GE(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].message_id, env.event_id());
  EXPECT_EQ(msgs[1].message_id, env.event_id());
  EXPECT_EQ(msgs[1].body, msgs[0].body);
  ExpectOutboundMessage(msgs[1], kKommunOut, env);
}

// A receiver that rejects one event (poison): that delivery ends at once as a dead letter with
// its attempt on record, is not sent again, and the rest of the queue flows, the same case's
// later events included (they go out once the rejected one is dead).
TEST_F(HubIntegration, RejectedByReceiverIsDeadAndTheRestFlows) {
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

  const std::string row = "(SELECT seq FROM outbox WHERE event_id = '" + poison.event_id() +
                          "' AND destination = '" + KommunDestination(kTestKommun) + "')";
  ASSERT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM outbox WHERE seq = " + row +
                            " AND dead_at_us IS NOT NULL") == 1;
  })) << HubLog();
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

// The hub hands a case's later events to the connection behind the first, to be sent as soon as
// the receiver accepts the one before. A receiver that releases the first must not get any of
// the later ones before that first one again: they come back unsent and follow its retry.
TEST_F(HubIntegration, AReleasedEventHoldsItsCasesLaterEventsBackUntilItIsAccepted) {
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
TEST_F(HubIntegration, ASettleSecondReceiverIsSettledOnlyOnceItsAcceptanceIsStored) {
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
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM outbox WHERE event_id = '" + env.event_id() +
                             "' AND destination = '" + KommunDestination(kTestKommun) +
                             "' AND delivered_at_us IS NOT NULL"),
            1)
      << "settled before the acceptance was stored";
}

// A receiver that goes away with deliveries unsettled: those come again on a new receiver; the
// ones it accepted do not.
TEST_F(HubIntegration, UnsettledDeliveriesComeAgainAfterDetach) {
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

// A HubClient receiver closed in the middle of a stream: whatever it did not get comes on the
// next receiver, so that together they have every event. The first one takes three and gives
// back what comes after (released), so it is still mid-stream when it closes however fast the
// hub is (with plain acceptance a fast run could drain all 30 before the close).
TEST_F(HubIntegration, ReceiverClosedMidStreamLosesNothing) {
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

  const int r1 = Attach(*c, kKommunOut, first, /*credit=*/2);
  ASSERT_GE(r1, 0);
  ASSERT_TRUE(first.WaitForCount(3)) << HubLog();
  c->CloseReceiver(r1);
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

}  // namespace
}  // namespace slussen::testing
