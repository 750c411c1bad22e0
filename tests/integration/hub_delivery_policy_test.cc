// Delivery policy with the real hub (issue 10): a receipt that arrives after the fallback fired
// (in both modes, testing/hub_mode_fixture.h: the receipt timeout and its fallback are the hub's
// in either), and a restart in the middle of a backoff schedule (embedded only: the retries
// answer a receiver's release, which in broker mode goes back to the broker, not to the hub).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "hub_client.h"
#include "testing/hub_mode_fixture.h"
#include "testing/message_collector.h"
#include "testing/test_envelopes.h"

namespace slussen::testing {
namespace {

using client::Disposition;
using client::IncomingMessage;
using client::SendOutcome;
using std::chrono::seconds;

const std::string kKommun = KommunDestination(kTestKommun);
const std::string kKommunOut = OutAddress(kKommun);

class HubDeliveryPolicy : public HubModeTest {
 protected:
  void SendAccepted(ModeClient& c, const std::string& address, const v1::Envelope& env) {
    const SendOutcome out = c.Send(address, ToMessage(env));
    ASSERT_EQ(out.kind, SendOutcome::Kind::kAccepted)
        << env.event_id() << ": " << out.condition << ": " << out.description << HubLog();
  }
  // The kommun row of `event_id`: `column`, or "NULL".
  std::string KommunRow(const std::string& event_id, const std::string& column) {
    const auto rows = store().QueryStrings("SELECT coalesce(" + column + ", 'NULL') FROM outbox "
                                           "JOIN events ON id = event_row WHERE event_id = '" +
                                           event_id + "' AND destination = '" + kKommun + "'");
    return rows.empty() ? "<no row>" : rows[0];
  }
  int KommunAttempts(const std::string& event_id) {
    const std::string v = KommunRow(event_id, "attempts");
    return v == "<no row>" ? -1 : std::stoi(v);
  }
};

// The kommun confirms with receipts within a second, else the event is also sent as a letter.
class HubReceiptFallback : public HubDeliveryPolicy {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.destinations.push_back({"letter", "Brev"});
    o.policy_elements[kKommun] = R"(<receipt timeout="1s" fallback="letter"/>)";
    return o;
  }
};

TEST_P(HubReceiptFallback, AReceiptAfterTheFallbackIsRecordedForItsOwnDelivery) {
  const v1::Envelope env = ValidInskrivning();
  auto c = NewClient();
  ASSERT_TRUE(c);
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, "events", env));

  // The kommun takes it but sends no receipt: after the timeout the letter goes too.
  MessageCollector kommun;
  MessageCollector letter;
  std::string error;
  ASSERT_GE(c->Receive(kKommunOut, kommun.Handler(), 10, &error), 0) << error;
  ASSERT_GE(c->Receive(OutAddress("letter"), letter.Handler(), 10, &error), 0) << error;
  ASSERT_TRUE(kommun.WaitForId(env.event_id())) << HubLog();
  ASSERT_TRUE(letter.WaitForId(env.event_id(), 1, seconds(60))) << HubLog();
  EXPECT_NE(KommunRow(env.event_id(), "receipt_overdue_at_us"), "NULL");
  EXPECT_THAT(HubLog(), ::testing::HasSubstr("no receipt from " + kKommun));
  // The letter says whom it stands in for, and why: the letter adapter addresses it by that.
  const auto props = letter.Messages().front().properties;
  EXPECT_THAT(props, ::testing::Contains(::testing::Pair("for_destination", kKommun)));
  EXPECT_THAT(props, ::testing::Contains(::testing::Pair(
                         "reason", ::testing::StartsWith("no receipt from " + kKommun + " by "))));
  EXPECT_THAT(kommun.Messages().front().properties,
              ::testing::Not(::testing::Contains(::testing::Key("reason"))));

  // Then the kommun's receipt comes: recorded against the kommun's delivery of this event.
  EnvelopeSpec spec;
  spec.referenced_event_id = env.event_id();
  const v1::Envelope receipt = ValidEnvelope(EventKind::kReceipt, spec);
  ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, "receipts", receipt));
  EXPECT_TRUE(Committed([&] {
    return KommunRow(env.event_id(), "receipt_event_id") == receipt.event_id();
  })) << KommunRow(env.event_id(), "receipt_event_id") << HubLog();
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM outbox WHERE destination = 'letter' AND "
                             "receipt_at_us IS NOT NULL"),
            0)
      << "the letter's delivery is not the kommun's";
  EXPECT_EQ(letter.CountOf(env.event_id()), 1);
}

// A receiver that releases: retried after 200 ms, 400 ms...; the schedule is on disk.
class HubBackoffRestart : public HubDeliveryPolicy {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.policy_elements[kKommun] = R"(<retry initial-delay="200ms" max-delay="1s" jitter="0"/>)";
    return o;
  }
};

TEST_P(HubBackoffRestart, ARestartGoesOnWithTheStoredAttempts) {
  const v1::Envelope env = ValidInskrivning();
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, "events", env));
    MessageCollector releasing([](const IncomingMessage&, int) { return Disposition::kRelease; });
    std::string error;
    ASSERT_GE(c->Receive(kKommunOut, releasing.Handler(), 10, &error), 0) << error;
    ASSERT_TRUE(releasing.WaitForId(env.event_id(), 2)) << HubLog();
    ASSERT_TRUE(PollUntil([&] { return KommunAttempts(env.event_id()) >= 2; }))
        << HubLog();
  }
  const ExitStatus st = hub().Stop();
  ASSERT_TRUE(st.Ok()) << st.ToString() << HubLog();
  const int attempts_before = KommunAttempts(env.event_id());
  ASSERT_NE(KommunRow(env.event_id(), "next_attempt_at_us"), "NULL");

  ASSERT_TRUE(hub().Start());
  auto c = NewClient();
  ASSERT_TRUE(c);
  MessageCollector kommun([](const IncomingMessage&, int) { return Disposition::kRelease; });
  std::string error;
  ASSERT_GE(c->Receive(kKommunOut, kommun.Handler(), 10, &error), 0) << error;
  ASSERT_TRUE(kommun.WaitForId(env.event_id())) << HubLog();
  // The attempt after the restart is numbered on from the stored ones, not from one.
  ASSERT_TRUE(PollUntil([&] { return KommunAttempts(env.event_id()) > attempts_before; }))
      << HubLog();
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM delivery_attempts WHERE outcome = 'released'"),
            KommunAttempts(env.event_id()));
}

SLUSSEN_BOTH_MODES(HubReceiptFallback);
SLUSSEN_EMBEDDED_ONLY(HubBackoffRestart);

}  // namespace
}  // namespace slussen::testing
