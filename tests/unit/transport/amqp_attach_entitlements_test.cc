// Entitlements at attach: a link the connection's adapter may not use is refused when it is
// attached, with slussen:unauthorized and a description naming the address and the adapter; the
// connection itself goes on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/transport/connection_pair.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kSender[] = "SE2321000115-SH01";

class AttachEntitlementsTest : public ::testing::Test {
 protected:
  // The one adapter (anonymous login) is reconfigured by each test.
  AdapterConfig& adapter() { return config_.adapters.front(); }

  Config config_ = [] {
    Config c = TestTransportConfig();
    c.destinations.push_back({"kommun-1380", "Halmstad"});
    c.destinations.push_back({"kommun-1383", "Varberg"});
    AdapterConfig& a = c.adapters.front();
    a.name = "kommun-1380";
    a.sends.clear();
    a.sends[kSender] = {EventKind::kPlaneringsunderlagSvar, EventKind::kReceipt};
    a.reads = {false, {"kommun-1380"}};
    a.receipts_for = {false, {"kommun-1380"}};
    return c;
  }();
  RecordingInbox inbox_;
  LinkIdSource link_ids_;
  TransportCounters counters_;
  std::atomic<bool> accepting_{true};
};

TEST_F(AttachEntitlementsTest, AnotherKommunsOutAddressIsRefusedAtAttach) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::receiver other = pair.OpenReceiver("out/kommun-1383", 5);
  EXPECT_TRUE(amqp::RefusedAtAttach(other));
  EXPECT_EQ(other.error().name(), "slussen:unauthorized");
  EXPECT_THAT(other.error().description(), HasSubstr("out/kommun-1383"));
  EXPECT_THAT(other.error().description(), HasSubstr("adapter kommun-1380"));
  // Refused before any demand: the core never hears of the link, so it sends nothing on it.
  EXPECT_THAT(inbox_.All<LinkDemand>(), IsEmpty());
  EXPECT_EQ(counters_.links_unauthorized.load(), 1u);

  // Its own address on the same connection is served.
  proton::receiver own = pair.OpenReceiver("out/kommun-1380", 5);
  EXPECT_FALSE(amqp::RefusedAtAttach(own));
  EXPECT_THAT(inbox_.All<LinkDemand>(), SizeIs(1));
  EXPECT_EQ(inbox_.All<LinkDemand>()[0].destination, "kommun-1380");
  EXPECT_FALSE(pair.server.failed());
}

TEST_F(AttachEntitlementsTest, UnknownDestinationIsStillNotFound) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::receiver r = pair.OpenReceiver("out/kommun-9999", 5);
  EXPECT_EQ(r.error().name(), "amqp:not-found");
  EXPECT_EQ(counters_.links_unauthorized.load(), 0u);
}

TEST_F(AttachEntitlementsTest, AdapterThatMaySendNothingIsRefusedOnEvents) {
  adapter().sends.clear();
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender events = pair.OpenSender("events");
  EXPECT_TRUE(amqp::RefusedAtAttach(events));
  EXPECT_EQ(events.error().name(), "slussen:unauthorized");
  EXPECT_THAT(events.error().description(), HasSubstr("'events'"));
  EXPECT_THAT(events.error().description(), HasSubstr("adapter kommun-1380"));
  EXPECT_EQ(events.credit(), 0) << "a refused link gets no credit";
}

TEST_F(AttachEntitlementsTest, AdapterWithoutReceiptsForIsRefusedOnReceipts) {
  adapter().receipts_for = {};
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender receipts = pair.OpenSender("receipts");
  EXPECT_TRUE(amqp::RefusedAtAttach(receipts));
  EXPECT_EQ(receipts.error().name(), "slussen:unauthorized");
  EXPECT_THAT(receipts.error().description(), HasSubstr("<receipts-for>"));
  // It may still send its other events.
  proton::sender events = pair.OpenSender("events");
  EXPECT_FALSE(amqp::RefusedAtAttach(events));
  EXPECT_GT(events.credit(), 0);
}

TEST_F(AttachEntitlementsTest, AdapterThatMaySendNoReceiptIsRefusedOnReceipts) {
  adapter().sends[kSender] = {EventKind::kPlaneringsunderlagSvar};
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender receipts = pair.OpenSender("receipts");
  EXPECT_EQ(receipts.error().name(), "slussen:unauthorized");
  EXPECT_THAT(receipts.error().description(), HasSubstr("Receipt"));
}

TEST_F(AttachEntitlementsTest, EntitledAdapterAttachesEverywhereItMay) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_);
  proton::sender events = pair.OpenSender("events");
  proton::sender receipts = pair.OpenSender("receipts");
  EXPECT_GT(events.credit(), 0);
  EXPECT_GT(receipts.credit(), 0);
  pair.Send(receipts, "t1", "r1", "receipt bytes");
  const auto in = inbox_.All<InboundMessage>();
  ASSERT_THAT(in, SizeIs(1));
  EXPECT_EQ(in[0].principal, "kommun-1380");
  EXPECT_EQ(counters_.links_unauthorized.load(), 0u);
}

}  // namespace
}  // namespace slussen::testing
