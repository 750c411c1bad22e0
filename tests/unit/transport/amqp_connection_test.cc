// The hub's AmqpConnection driven in memory against a client connection_driver: what it posts to
// the core, what it settles, and that a broken peer ends its own connection only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <proton/delivery.h>
#include <proton/link.h>
#include <proton/receiver_options.hpp>
#include <proton/session.hpp>

#include "unit/transport/connection_pair.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class AmqpConnectionTest : public ::testing::Test {
 protected:
  Config config_ = TestTransportConfig();
  RecordingInbox inbox_;
  LinkIdSource link_ids_;
  TransportCounters counters_;
  std::atomic<bool> accepting_{true};
};

TEST_F(AmqpConnectionTest, EventIsPostedWithChannelAndMessageId) {
  ConnectionPair pair(7, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender events = pair.OpenSender("events");
  proton::sender receipts = pair.OpenSender("receipts");
  ASSERT_GT(events.credit(), 0) << "the hub grants credit on attach";
  pair.Send(events, "t1", "evt-1", "envelope bytes");
  pair.Send(receipts, "t2", "rcpt-1", "receipt bytes");

  const auto in = inbox_.All<InboundMessage>();
  ASSERT_THAT(in, SizeIs(2));
  EXPECT_EQ(in[0].conn_id, 7u);
  EXPECT_EQ(in[0].channel, Channel::kEvents);
  EXPECT_EQ(in[0].message_id, "evt-1");
  EXPECT_EQ(in[0].body, "envelope bytes");
  EXPECT_EQ(in[0].body_size, in[0].body.size());
  EXPECT_EQ(in[0].body_problem, "");
  EXPECT_GT(in[0].received_at_us, 0);
  EXPECT_EQ(in[1].channel, Channel::kReceipts);
  EXPECT_EQ(in[1].message_id, "rcpt-1");
  EXPECT_NE(in[0].token, in[1].token);
}

// Clients today connect both ways: Proton's default does SASL ANONYMOUS, others send the AMQP
// header straight away.
TEST_F(AmqpConnectionTest, ClientWithoutSaslIsServedToo) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_,
                      proton::connection_options().sasl_enabled(false));
  proton::sender s = pair.OpenSender("events");
  pair.Send(s, "t1", "evt-1", "x");
  ASSERT_THAT(inbox_.All<InboundMessage>(), SizeIs(1));
  EXPECT_EQ(inbox_.All<InboundMessage>()[0].message_id, "evt-1");
}

TEST_F(AmqpConnectionTest, NonStringMessageIdIsRendered) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender s = pair.OpenSender("events");
  proton::message m;
  m.id(uint64_t{5});
  m.body(proton::binary(std::string("x")));
  m.inferred(true);
  s.send(m);
  pair.Pump();
  const auto in = inbox_.All<InboundMessage>();
  ASSERT_THAT(in, SizeIs(1));
  EXPECT_EQ(in[0].message_id, "ulong:5");
}

TEST_F(AmqpConnectionTest, SettlementsReachTheClientWithTheirCondition) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender s = pair.OpenSender("events");
  pair.Send(s, "ok", "evt-1", "a");
  pair.Send(s, "bad", "evt-2", "b");
  const auto in = inbox_.All<InboundMessage>();
  ASSERT_THAT(in, SizeIs(2));
  pair.server.Settle(in[0].token, {Settlement::Kind::kAccepted, "", ""});
  pair.server.Settle(in[1].token, {Settlement::Kind::kRejected, "slussen:invalid-event", "why"});
  pair.Pump();
  ASSERT_EQ(pair.handler.outcomes.count("ok"), 1u);
  EXPECT_EQ(pair.handler.outcomes["ok"].state, proton::transfer::ACCEPTED);
  ASSERT_EQ(pair.handler.outcomes.count("bad"), 1u);
  EXPECT_EQ(pair.handler.outcomes["bad"].state, proton::transfer::REJECTED);
  EXPECT_EQ(pair.handler.outcomes["bad"].condition.name, "slussen:invalid-event");
  EXPECT_EQ(pair.handler.outcomes["bad"].condition.description, "why");
}

TEST_F(AmqpConnectionTest, WhileStoppingNewMessagesAreReleased) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender s = pair.OpenSender("events");
  accepting_ = false;
  pair.Send(s, "late", "evt-1", "a");
  EXPECT_THAT(inbox_.All<InboundMessage>(), SizeIs(0));
  ASSERT_EQ(pair.handler.outcomes.count("late"), 1u);
  EXPECT_EQ(pair.handler.outcomes["late"].state, proton::transfer::RELEASED);
}

// The hub's containment: garbage on one connection closes it with amqp:decode-error; another
// connection, mid-stream, sees nothing of it.
TEST_F(AmqpConnectionTest, UndecodableTransferClosesOnlyThatConnection) {
  ConnectionPair bad(1, config_, inbox_, link_ids_, counters_, accepting_);
  ConnectionPair good(2, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender bad_sender = bad.OpenSender("events");
  proton::sender good_sender = good.OpenSender("events");
  good.Send(good_sender, "before", "evt-1", "a");

  bad.SendRaw(bad_sender, "garbage", std::string("\x00\x53\x75\xa0\xff\x01", 6));
  good.Pump();
  EXPECT_TRUE(bad.server.failed());
  EXPECT_TRUE(bad.server.Finished());
  EXPECT_THAT(bad.handler.connection_error, HasSubstr("amqp:decode-error"));
  EXPECT_EQ(counters_.connections_failed, 1u);

  good.Send(good_sender, "after", "evt-2", "b");
  const auto in = inbox_.All<InboundMessage>();
  ASSERT_THAT(in, SizeIs(2)) << "only the good connection's two messages reach the core";
  for (const auto& m : in) {
    EXPECT_EQ(m.conn_id, 2u);
    good.server.Settle(m.token, {Settlement::Kind::kAccepted, "", ""});
  }
  good.Pump();
  EXPECT_EQ(good.handler.outcomes["before"].state, proton::transfer::ACCEPTED);
  EXPECT_EQ(good.handler.outcomes["after"].state, proton::transfer::ACCEPTED);
  EXPECT_FALSE(good.handler.closed);
  EXPECT_FALSE(good.server.Finished());
}

TEST_F(AmqpConnectionTest, EmptyTransferIsADecodeError) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender s = pair.OpenSender("events");
  pair.SendRaw(s, "empty", "");
  EXPECT_THAT(pair.handler.connection_error, HasSubstr("amqp:decode-error"));
  EXPECT_THAT(inbox_.All<InboundMessage>(), SizeIs(0));
}

TEST_F(AmqpConnectionTest, TwoDataSectionsAreABodyProblem) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender s = pair.OpenSender("events");
  pair.SendRaw(s, "two", EncodedMessage("evt-1", DataSection("garbage") + DataSection("envelope")));
  pair.SendRaw(s, "none", EncodedMessage("evt-2", ""));
  proton::message value;
  value.id("evt-3");
  value.body(std::string("an amqp-value string"));
  s.send(value);
  pair.Pump();
  const auto in = inbox_.All<InboundMessage>();
  ASSERT_THAT(in, SizeIs(3));
  EXPECT_THAT(in[0].body_problem, HasSubstr("2 data sections"));
  EXPECT_EQ(in[0].message_id, "evt-1");
  EXPECT_EQ(in[0].body, "") << "neither section is taken as the body";
  EXPECT_THAT(in[1].body_problem, HasSubstr("no body"));
  EXPECT_THAT(in[2].body_problem, HasSubstr("amqp-value of type string"));
  EXPECT_FALSE(pair.server.failed()) << "a readable message with a wrong body is refused, not fatal";
}

// A delivery that keeps coming (more=true) is refused as soon as it passes the limit, with what
// arrived so far, and what follows is dropped rather than buffered.
TEST_F(AmqpConnectionTest, OversizedDeliveryIsRefusedWhileStillArriving) {
  config_.max_message_bytes = 1000;
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender s = pair.OpenSender("events");
  pn_link_t* link = amqp::Raw(s);
  pn_delivery(link, pn_dtag("big", 3));
  const std::size_t declared = 10 * 1024 * 1024;
  std::string head = DataSection(std::string(declared, 'x')).substr(0, 8);
  const std::string chunk(16 * 1024, 'x');
  pn_link_send(link, head.data(), head.size());
  for (std::size_t sent = 0; sent < AmqpConnection::kSectionAllowance + 2 * chunk.size(); sent += chunk.size()) {
    pn_link_send(link, chunk.data(), chunk.size());
    pair.Pump();
  }
  auto in = inbox_.All<InboundMessage>();
  ASSERT_THAT(in, SizeIs(1)) << "refused before the delivery ended";
  EXPECT_EQ(in[0].body_size, declared);
  EXPECT_EQ(in[0].body.size(), config_.max_message_bytes);
  EXPECT_EQ(counters_.oversized_deliveries, 1u);

  EXPECT_LT(pair.server.BufferedInboundBytes(), 2 * chunk.size());
  for (int i = 0; i < 20; ++i) {  // the sender keeps going before the core's answer: dropped
    pn_link_send(link, chunk.data(), chunk.size());
    pair.Pump();
  }
  EXPECT_LT(pair.server.BufferedInboundBytes(), 2 * chunk.size());
  pair.server.Settle(in[0].token, {Settlement::Kind::kRejected, "slussen:invalid-event", "too large"});
  for (int i = 0; i < 20; ++i) {  // and after it: Proton ignores the rest of a settled delivery
    pn_link_send(link, chunk.data(), chunk.size());
    pair.Pump();
  }
  EXPECT_LT(pair.server.BufferedInboundBytes(), 2 * chunk.size());
  pn_link_advance(link);
  pair.Pump();
  EXPECT_EQ(pair.handler.outcomes["big"].state, proton::transfer::REJECTED);
  EXPECT_FALSE(pair.server.failed());
  // The link still works for the next message.
  pair.Send(s, "next", "evt-2", "small");
  in = inbox_.All<InboundMessage>();
  ASSERT_THAT(in, SizeIs(2));
  EXPECT_EQ(in[1].message_id, "evt-2");
}

TEST_F(AmqpConnectionTest, InboundCreditIsBoundedPerConnection) {
  config_.transport.max_unsettled_inbound = 10;
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender a = pair.OpenSender("events");
  proton::sender b = pair.OpenSender("receipts");
  proton::sender c = pair.OpenSender("events");
  EXPECT_LE(a.credit() + b.credit() + c.credit(), 10);
  EXPECT_GT(a.credit(), 0);
  EXPECT_GT(b.credit(), 0);
  // Settling returns credit, still within the budget.
  for (int i = 0; i < a.credit(); ++i) pair.Send(a, "a" + std::to_string(i), "e", "x");
  for (const auto& m : inbox_.All<InboundMessage>()) {
    pair.server.Settle(m.token, {Settlement::Kind::kAccepted, "", ""});
  }
  pair.Pump();
  EXPECT_LE(a.credit() + b.credit() + c.credit(), 10);
  EXPECT_GT(c.credit(), 0) << "the third link gets its share as the first one settles";
}

// One receiver granting 100,000 credit and never settling holds at most the cap; the demand the
// core hears is bounded the same way, so the destination's other receivers get the rest.
TEST_F(AmqpConnectionTest, OutboundDemandIsCappedPerLink) {
  config_.transport.max_unsettled_outbound = 10;
  ConnectionPair hoarder(1, config_, inbox_, link_ids_, counters_, accepting_);
  ConnectionPair fair(2, config_, inbox_, link_ids_, counters_, accepting_);
  hoarder.OpenReceiver("out/letter", 100000);
  fair.OpenReceiver("out/letter", 5);
  const auto demands = inbox_.All<LinkDemand>();
  ASSERT_THAT(demands, SizeIs(2));
  const LinkDemand hoard = demands[0].conn_id == 1 ? demands[0] : demands[1];
  const LinkDemand other = demands[0].conn_id == 1 ? demands[1] : demands[0];
  EXPECT_EQ(hoard.destination, "letter");
  EXPECT_EQ(hoard.credit, 10);
  EXPECT_EQ(other.credit, 5);

  std::vector<OutboxItem> items;
  for (int i = 0; i < 10; ++i) items.push_back({i + 1, "letter", "evt-" + std::to_string(i), "Kind", "case", 1, "body"});
  hoarder.server.Deliver(hoard.link_id, items);
  hoarder.Pump();
  ASSERT_THAT(hoarder.handler.messages, SizeIs(10));
  EXPECT_EQ(inbox_.DemandFor(hoard.link_id), 10) << "no more demand while 10 are unsettled";
  EXPECT_EQ(proton::get<std::string>(hoarder.handler.messages[0].id()), "evt-0");
  EXPECT_EQ(hoarder.handler.messages[0].subject(), "Kind");

  // Settling three makes room for three more.
  for (int i = 0; i < 3; ++i) hoarder.handler.deliveries[i].accept();
  hoarder.Pump();
  EXPECT_THAT(inbox_.All<DeliveryOutcome>(), SizeIs(3));
  EXPECT_EQ(inbox_.DemandFor(hoard.link_id), 13);
}

TEST_F(AmqpConnectionTest, ClosingLinksAndConnectionsTellsTheCore) {
  auto pair = std::make_unique<ConnectionPair>(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::receiver r = pair->OpenReceiver("out/ehr", 3);
  const auto demands = inbox_.All<LinkDemand>();
  ASSERT_THAT(demands, SizeIs(1));
  pair->OpenReceiver("out/letter", 3);
  r.close();
  pair->Pump();
  ASSERT_THAT(inbox_.All<LinkGone>(), SizeIs(1));
  EXPECT_EQ(inbox_.All<LinkGone>()[0].link_id, demands[0].link_id);
  pair.reset();  // the socket loop destroys a connection whose socket is gone
  EXPECT_THAT(inbox_.All<LinkGone>(), SizeIs(2));
}

TEST_F(AmqpConnectionTest, EndingASessionEndsItsLinks) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::session session = pair.client.connection().open_session();
  session.open_receiver("out/ehr", proton::receiver_options().credit_window(0)).add_credit(1);
  pair.Pump();
  ASSERT_THAT(inbox_.All<LinkDemand>(), SizeIs(1));
  session.close();
  pair.Pump();
  EXPECT_THAT(inbox_.All<LinkGone>(), SizeIs(1));
}

TEST_F(AmqpConnectionTest, UnknownAddressesAreRefusedAtAttach) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender s = pair.OpenSender("bogus");
  proton::receiver r = pair.OpenReceiver("out/nope", 1);
  EXPECT_TRUE(amqp::RefusedAtAttach(s));
  EXPECT_TRUE(amqp::RefusedAtAttach(r));
  EXPECT_EQ(s.error().name(), "amqp:not-found");
  EXPECT_THAT(r.error().description(), HasSubstr("out/<destination>"));
  EXPECT_FALSE(pair.server.failed());
}

TEST_F(AmqpConnectionTest, SilentPeerIsClosedAfterTheIdleTimeout) {
  config_.transport.idle_timeout = std::chrono::seconds(1);
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  pair.server.Tick(1000);
  pair.Pump();
  EXPECT_FALSE(pair.server.Finished());
  pair.server.Tick(2500);  // the client never ticks, so it sends no heartbeat
  pair.Pump();
  EXPECT_TRUE(pair.server.Finished());
  EXPECT_EQ(counters_.idle_timeouts, 1u);
}

// A peer that connects and never speaks AMQP holds no connection slot for longer than the idle
// timeout (Proton's own idle timer starts only once the connection is open).
TEST_F(AmqpConnectionTest, PeerThatNeverOpensIsDropped) {
  config_.transport.idle_timeout = std::chrono::seconds(1);
  AmqpConnection server(1, config_, inbox_, SystemClock(), link_ids_, counters_, accepting_);
  server.Start(AmqpConnection::ServerOptions(config_));
  EXPECT_EQ(server.Tick(5000), 6000);
  server.Process();
  EXPECT_FALSE(server.Finished());
  server.Tick(6000);
  server.Process();
  EXPECT_TRUE(server.Finished());
  EXPECT_EQ(counters_.idle_timeouts, 1u);
}

TEST_F(AmqpConnectionTest, RefusedConnectionGetsAClearClose) {
  RecordingInbox inbox;
  ConnectionPair pair(1, config_, inbox, link_ids_, counters_, accepting_);
  // As the socket loop does for a connection over max-connections (here, after the open).
  pair.server.Close("amqp:resource-limit-exceeded", "too many");
  pair.Pump();
  EXPECT_THAT(pair.handler.connection_error, HasSubstr("amqp:resource-limit-exceeded"));
  EXPECT_TRUE(pair.server.Finished());
}

}  // namespace
}  // namespace slussen::testing
