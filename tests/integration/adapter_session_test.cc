// The adapter runtime's hub connection (adapters/common/runtime/hub_session.h) against the real
// hub: confirmed sends, deferred settlement bounded by max-in-flight, reconnecting after the hub
// is killed and restarted, and a stop that hands unfinished deliveries back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/hub_session.h"
#include "testing/hub_fixture.h"
#include "testing/loopback_port.h"
#include "testing/test_envelopes.h"

namespace slussen::testing {
namespace {

using adapter::HubConnectionConfig;
using adapter::HubSession;
using client::Disposition;
using client::SendOutcome;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kKommunOut = OutAddress(KommunDestination(kTestKommun));

// Deliveries handed to the adapter, settled later by the test's own thread.
class Inbox {
 public:
  void Add(HubSession::Delivery d) {
    std::lock_guard lock(mu_);
    pending_.push_back(std::move(d));
    ++outstanding_;
    max_outstanding_ = std::max(max_outstanding_, outstanding_);
    cv_.notify_all();
  }
  // Waits for the next delivery not yet taken.
  std::optional<HubSession::Delivery> Take(std::chrono::milliseconds timeout = seconds(30)) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !pending_.empty(); })) return std::nullopt;
    auto d = std::move(pending_.front());
    pending_.pop_front();
    return d;
  }
  void Settled() {
    std::lock_guard lock(mu_);
    --outstanding_;
  }
  int max_outstanding() const {
    std::lock_guard lock(mu_);
    return max_outstanding_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HubSession::Delivery> pending_;
  int outstanding_ = 0;
  int max_outstanding_ = 0;
};

class AdapterSession : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.port = port_;
    return o;
  }
  std::unique_ptr<HubSession> NewSession() {
    HubConnectionConfig c;
    c.url = hub().url();
    c.reconnect_initial = milliseconds(50);
    c.reconnect_max = milliseconds(500);
    auto s = std::make_unique<HubSession>(c, "test-adapter");
    s->Start();
    EXPECT_TRUE(s->WaitConnected(seconds(30))) << HubLog();
    return s;
  }
  static client::OutgoingMessage Message(const v1::Envelope& env) { return ToMessage(env); }

  const int port_ = FreeLoopbackPort();
};

TEST_F(AdapterSession, ASendIsConfirmedWithTheHubsSettlement) {
  auto s = NewSession();
  const SendOutcome ok = s->SendAndWait("events", Message(ValidInskrivning()), seconds(30));
  EXPECT_EQ(ok.kind, SendOutcome::Kind::kAccepted) << ok.description << HubLog();

  v1::Envelope bad = ValidInskrivning();
  bad.mutable_patient()->mutable_identity()->set_id("191212121213");  // wrong check digit
  const SendOutcome refused = s->SendAndWait("events", Message(bad), seconds(30));
  EXPECT_EQ(refused.kind, SendOutcome::Kind::kRejected);
  EXPECT_EQ(refused.condition, "slussen:invalid-event");
  EXPECT_THAT(refused.description, ::testing::HasSubstr("check digit wrong"));
  s->Stop(seconds(5));
}

// Settled later, from another thread; never more unsettled than max-in-flight, however much
// the hub has waiting.
TEST_F(AdapterSession, DeferredSettlementIsBoundedByMaxInFlight) {
  auto s = NewSession();
  std::set<std::string> sent;
  for (int i = 0; i < 8; ++i) {
    const v1::Envelope env = ValidInskrivningOwnCase();
    sent.insert(env.event_id());
    ASSERT_EQ(s->SendAndWait("events", Message(env), seconds(30)).kind,
              SendOutcome::Kind::kAccepted);
  }
  Inbox inbox;
  s->Subscribe(kKommunOut, 2, [&](HubSession::Delivery d) { inbox.Add(std::move(d)); });
  std::set<std::string> got;
  while (got.size() < sent.size()) {
    auto d = inbox.Take();
    ASSERT_TRUE(d) << "got " << got.size() << " of " << sent.size() << HubLog();
    got.insert(d->message.message_id);
    // Slow work on the adapter's side: room for more deliveries to pile up if credit leaked.
    std::this_thread::sleep_for(milliseconds(20));
    inbox.Settled();
    s->Settle(d->token, Disposition::kAccept);
  }
  EXPECT_EQ(got, sent);
  EXPECT_LE(inbox.max_outstanding(), 2);
  s->Stop(seconds(5));
  EXPECT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM outbox WHERE destination = '" +
                            KommunDestination(kTestKommun) + "' AND delivered_at_us IS NULL") == 0;
  })) << HubLog();
}

// The hub is killed and comes back: the session reconnects by itself, re-attaches its receiver,
// gets again what it had not settled, and sends again.
TEST_F(AdapterSession, ReconnectsAndReattachesAfterTheHubIsKilled) {
  ASSERT_NE(port_, 0);
  auto s = NewSession();
  Inbox inbox;
  s->Subscribe(kKommunOut, 10, [&](HubSession::Delivery d) { inbox.Add(std::move(d)); });
  const v1::Envelope first = ValidInskrivningOwnCase();
  ASSERT_EQ(s->SendAndWait("events", Message(first), seconds(30)).kind,
            SendOutcome::Kind::kAccepted);
  auto unsettled = inbox.Take();
  ASSERT_TRUE(unsettled) << HubLog();
  EXPECT_EQ(unsettled->message.message_id, first.event_id());

  hub().Kill9();
  ASSERT_TRUE(hub().Start()) << "the hub did not come back on port " << port_;
  ASSERT_TRUE(PollUntil([&] { return s->connections() >= 2 && s->connected(); }))
      << "no reconnect" << HubLog();
  // The settlement of the old connection's delivery is ignored; the hub sends it again.
  s->Settle(unsettled->token, Disposition::kAccept);
  auto again = inbox.Take();
  ASSERT_TRUE(again) << HubLog();
  EXPECT_EQ(again->message.message_id, first.event_id());
  s->Settle(again->token, Disposition::kAccept);

  const v1::Envelope second = ValidInskrivningOwnCase();
  ASSERT_EQ(s->SendAndWait("events", Message(second), seconds(30)).kind,
            SendOutcome::Kind::kAccepted)
      << HubLog();
  auto next = inbox.Take();
  ASSERT_TRUE(next) << HubLog();
  EXPECT_EQ(next->message.message_id, second.event_id());
  s->Settle(next->token, Disposition::kAccept);
  s->Stop(seconds(5));
}

// A send while the hub is down waits for the connection, and is confirmed once the hub is back.
TEST_F(AdapterSession, ASendWaitsForTheHubToComeBack) {
  ASSERT_NE(port_, 0);
  auto s = NewSession();
  ASSERT_TRUE(hub().Stop().Ok());
  ASSERT_TRUE(PollUntil([&] { return !s->connected(); }));
  std::atomic<int> outcome{-1};
  const v1::Envelope env = ValidInskrivningOwnCase();
  s->Send("events", Message(env), [&](const SendOutcome& o) { outcome = static_cast<int>(o.kind); });
  ASSERT_TRUE(hub().Start());
  ASSERT_TRUE(PollUntil([&] { return outcome != -1; })) << HubLog();
  EXPECT_EQ(outcome, static_cast<int>(SendOutcome::Kind::kAccepted));
  s->Stop(seconds(5));
}

// A send the caller stopped waiting for (it will send again) is withdrawn while it still waits
// for the hub: it does not go out as well once the hub is back, beside the caller's resend.
TEST_F(AdapterSession, ASendGivenUpOnWhileTheHubIsDownIsNotSentLater) {
  ASSERT_NE(port_, 0);
  auto s = NewSession();
  ASSERT_TRUE(hub().Stop().Ok());
  ASSERT_TRUE(PollUntil([&] { return !s->connected(); }));
  const v1::Envelope given_up = ValidInskrivningOwnCase();
  EXPECT_EQ(s->SendAndWait("events", Message(given_up), milliseconds(200)).kind,
            SendOutcome::Kind::kError);
  ASSERT_TRUE(hub().Start());
  // The same link, in order: had the first gone out, it would have been stored before this one.
  const v1::Envelope after = ValidInskrivningOwnCase();
  EXPECT_EQ(s->SendAndWait("events", Message(after), seconds(30)).kind,
            SendOutcome::Kind::kAccepted);
  s->Stop(seconds(5));
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" +
                             given_up.event_id() + "'"),
            0);
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" +
                             after.event_id() + "'"),
            1);
}

// Stopping with a delivery the adapter has not finished: it is handed back (released) and a
// new session gets it.
TEST_F(AdapterSession, StopHandsUnfinishedDeliveriesBack) {
  const v1::Envelope env = ValidInskrivningOwnCase();
  {
    auto s = NewSession();
    ASSERT_EQ(s->SendAndWait("events", Message(env), seconds(30)).kind,
              SendOutcome::Kind::kAccepted);
    Inbox inbox;
    s->Subscribe(kKommunOut, 10, [&](HubSession::Delivery d) { inbox.Add(std::move(d)); });
    ASSERT_TRUE(inbox.Take()) << HubLog();
    s->Stop(milliseconds(200));  // never settled by the adapter
  }
  auto s = NewSession();
  Inbox inbox;
  s->Subscribe(kKommunOut, 10, [&](HubSession::Delivery d) { inbox.Add(std::move(d)); });
  auto d = inbox.Take();
  ASSERT_TRUE(d) << HubLog();
  EXPECT_EQ(d->message.message_id, env.event_id());
  s->Settle(d->token, Disposition::kAccept);
  s->Stop(seconds(5));
  EXPECT_TRUE(PollUntil([&] {
    return store().QueryInt(
               "SELECT count(*) FROM delivery_attempts WHERE outcome = 'released'") == 1;
  })) << "the handed-back delivery is not on record as released" << HubLog();
}

// A rejection may carry the receiver's reason as an AMQP error condition: the hub ends the
// delivery at once (dead) and keeps the condition and description with the failed attempt.
TEST_F(AdapterSession, ARejectionCarriesItsConditionToTheDeadLetter) {
  auto s = NewSession();
  const v1::Envelope env = ValidInskrivningOwnCase();
  ASSERT_EQ(s->SendAndWait("events", Message(env), seconds(30)).kind,
            SendOutcome::Kind::kAccepted);
  Inbox inbox;
  s->Subscribe(kKommunOut, 10, [&](HubSession::Delivery d) { inbox.Add(std::move(d)); });
  auto d = inbox.Take();
  ASSERT_TRUE(d) << HubLog();
  s->Settle(d->token, Disposition::kReject, "slussen:http-400", "HTTP 400: kommunkod saknas");
  const std::string row = "destination = '" + KommunDestination(kTestKommun) +
                          "' AND event_row = (SELECT id FROM events WHERE event_id = '" +
                          env.event_id() + "')";
  ASSERT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM outbox WHERE " + row +
                            " AND dead_at_us IS NOT NULL") == 1;
  })) << "the rejected delivery is not dead" << HubLog();
  const auto attempts = store().QueryRows(
      "SELECT a.outcome, a.condition, a.description FROM delivery_attempts a JOIN outbox o "
      "ON a.seq = o.seq WHERE o." + row);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0][0], "rejected");
  EXPECT_EQ(attempts[0][1], "slussen:http-400");
  EXPECT_EQ(attempts[0][2], "HTTP 400: kommunkod saknas");
  const auto last_error = store().QueryStrings("SELECT last_error FROM outbox WHERE " + row);
  ASSERT_EQ(last_error.size(), 1u);
  EXPECT_THAT(last_error[0], ::testing::HasSubstr("HTTP 400: kommunkod saknas"));
  s->Stop(seconds(5));
}

}  // namespace
}  // namespace slussen::testing
