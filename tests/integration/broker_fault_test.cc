// Broker mode under faults (issue 14 item 4; hub/DESIGN.md "Broker mode"): an adapter's runtime
// streams events into the broker's `events` queue, the hub carries them to the kommun's out
// queue, and a kommun adapter's runtime accepts them there, while the broker is killed, stopped,
// or raises its disk alarm, or the hub restarts over a backlog. Each test checks the
// at-least-once contract end to end by event id: every event the sender got accepted is
// delivered, nothing is delivered that was never sent, and duplicates (which the contract allows:
// the event id is the receiver's deduplication key) are counted. Each prints its figures
// ("FAULT name: ...") and records them as test properties, for the note: recovered_in is
// from the fault's end until the path carries again (an acceptance and a delivery after it),
// drained_in until every accepted event has been delivered.
//
// The tests that stop the broker share one private node (started once per test process; it is
// never the run's shared node), the hub-restart tests use the shared node.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "runtime/hub_session.h"
#include "testing/broker_hub.h"
#include "testing/broker_stream.h"
#include "testing/files.h"
#include "testing/temp_dir.h"
#include "testing/test_config.h"

namespace slussen::testing {
namespace {

using adapter::HubSession;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr int kEvents = 400;
constexpr int kWindow = 20;
constexpr milliseconds kInterval{8};  // about three seconds of stream
constexpr auto kLong = seconds(120);  // generous: a restarted node, a sanitized hub

// The hub retries the broker at most a second apart, so that a test waits for the broker, not
// for the backoff.
const BrokerHubOptions kFastReconnect{nullptr,
                                      "<reconnect initial-delay=\"100ms\" max-delay=\"1s\"/>"};

long long MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t).count();
}

// A hub in broker mode with a sender and a receiver on it; the sessions stop before the stream's
// counters go.
class FaultScenario {
 public:
  ::testing::AssertionResult Start(const std::string& dir, RabbitNode* node) {
    BrokerHubOptions broker = kFastReconnect;
    broker.node = node;
    if (auto started = StartBrokerHub(dir, b_, {}, broker); !started) return started;
    ehr_ = std::make_unique<HubSession>(b_.AdapterConnection(), "ehr");
    kommun_ = std::make_unique<HubSession>(b_.AdapterConnection(), "kommun");
    sender_ = std::make_unique<BrokerStreamSender>(*ehr_, kEvents, kWindow, kInterval);
    receiver_ = std::make_unique<BrokerStreamReceiver>(
        *kommun_, OutAddress(KommunDestination(kTestKommun)), 50);
    ehr_->Start();
    if (!ehr_->WaitConnected(seconds(30))) return ::testing::AssertionFailure() << "ehr: no connection";
    return ::testing::AssertionSuccess();
  }
  void StartReceiver() { kommun_->Start(); }

  ~FaultScenario() {
    if (sender_) sender_->Stop();  // nothing new; outcomes still come until the session stops
    if (ehr_) ehr_->Stop(seconds(2));
    if (kommun_) kommun_->Stop(seconds(2));
  }

  BrokerHub& hub() { return b_; }
  BrokerStreamSender& sender() { return *sender_; }
  BrokerStreamReceiver& receiver() { return *receiver_; }

  // Waits until the end-to-end path works again after `since` (the fault's end): the sender has
  // an acceptance and the receiver a delivery after it. -1 when that does not happen.
  long long WaitFlowing(Clock::time_point since) {
    const auto deadline = Clock::now() + kLong;
    while (Clock::now() < deadline) {
      if (sender_->last_accept() > since && receiver_->last_delivery() > since) {
        return std::chrono::duration_cast<milliseconds>(
                   std::max(sender_->last_accept(), receiver_->last_delivery()) - since)
            .count();
      }
      // The clients may reconnect and finish the whole stream before the node's restart returns
      // (its readiness checks took 10 s on a slow disk): then nothing comes after `since`, and
      // the stream did flow again. Report will still check that every event arrived.
      if (sender_->figures().accepted == kEvents &&
          static_cast<int>(receiver_->Counts().size()) == kEvents) {
        return 0;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    const BrokerStreamSender::Figures f = sender_->figures();
    std::printf("not flowing: sender accepted=%d unsettled=%d errors=%d, receiver delivered=%d\n",
                f.accepted, f.unsettled, f.errors, receiver_->delivered());
    for (const std::string q : {"events", "out.kommun-1380"}) {
      auto depth = b_.node->QueueDepth(b_.prefix + q);
      std::printf("  %s: %s\n", q.c_str(),
                  depth ? std::to_string(*depth).c_str() : depth.error().c_str());
    }
    return -1;
  }

  // The contract's checks and the figures, in the test's result and on stdout.
  // `extra`: the fault's own figures ("broker_restart=4200ms"), appended to the line.
  void Report(const std::string& name, long long recovered_ms, Clock::time_point fault_end,
              const std::string& extra) {
    ASSERT_TRUE(sender_->WaitAllAccepted(kLong)) << "accepted " << sender_->figures().accepted;
    const std::set<std::string> accepted = sender_->AcceptedIds();
    EXPECT_TRUE(receiver_->WaitAll(accepted, kLong)) << HubLog();
    const long long drained_ms = MsSince(fault_end);
    const BrokerStreamSender::Figures f = sender_->figures();
    const std::set<std::string> sent = sender_->SentIds();
    int distinct = 0;
    int duplicates = 0;
    int missing = 0;
    for (const auto& [id, times] : receiver_->Counts()) {
      EXPECT_TRUE(sent.count(id)) << "delivered but never sent: " << id;
      ++distinct;
      duplicates += times - 1;
    }
    const auto counts = receiver_->Counts();
    for (const std::string& id : accepted) missing += counts.count(id) == 0 ? 1 : 0;
    EXPECT_EQ(missing, 0);
    EXPECT_EQ(f.rejected, 0);
    const int delivered = receiver_->delivered();
    ::testing::Test::RecordProperty("sent", f.sent);
    ::testing::Test::RecordProperty("attempts", f.attempts);
    ::testing::Test::RecordProperty("accepted", f.accepted);
    ::testing::Test::RecordProperty("send_errors", f.errors);
    ::testing::Test::RecordProperty("delivered", delivered);
    ::testing::Test::RecordProperty("distinct", distinct);
    ::testing::Test::RecordProperty("duplicates", duplicates);
    ::testing::Test::RecordProperty("recovered_in_ms", std::to_string(recovered_ms));
    ::testing::Test::RecordProperty("drained_in_ms", std::to_string(drained_ms));
    std::printf(
        "FAULT %s: sent=%d accepted=%d attempts=%d send_errors=%d delivered=%d distinct=%d "
        "duplicates=%d missing=%d recovered_in=%lldms drained_in=%lldms %s\n",
        name.c_str(), f.sent, f.accepted, f.attempts, f.errors, delivered, distinct, duplicates,
        missing, recovered_ms, drained_ms, extra.c_str());
    std::fflush(stdout);
  }

  std::string HubLog() const { return b_.hub ? b_.hub->StderrTail() : std::string(); }

 private:
  BrokerHub b_;
  std::unique_ptr<HubSession> ehr_;
  std::unique_ptr<HubSession> kommun_;
  std::unique_ptr<BrokerStreamSender> sender_;
  std::unique_ptr<BrokerStreamReceiver> receiver_;
};

// The tests that take the broker down, on one private node per test process.
class BrokerFaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = RabbitNode::Start("");
    if (started) {
      node_ = (*started).release();
    } else {
      start_error_ = new std::string(started.error());
    }
  }
  static void TearDownTestSuite() {
    delete node_;
    node_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(node_, nullptr) << *start_error_;
    ASSERT_TRUE(s_.Start(dir_.path(), node_));
    s_.StartReceiver();
  }
  // A test that failed half-way leaves the node as the next one needs it.
  void TearDown() override {
    if (broker_down_) {
      EXPECT_TRUE(node_->Restart().ok());
    }
    if (alarm_) {
      EXPECT_TRUE(node_->DiskAlarm(false).ok());
    }
  }

  // Takes the broker down in the middle of the stream by `down`, starts it again, and checks.
  void BrokerOutage(const std::string& name, Status (RabbitNode::*down)()) {
    s_.sender().Start();
    ASSERT_TRUE(s_.sender().WaitAccepted(kEvents / 3, kLong));
    broker_down_ = true;
    ASSERT_TRUE((node_->*down)().ok());
    const auto restarting = Clock::now();
    ASSERT_TRUE(node_->Restart().ok());
    broker_down_ = false;
    const auto back = Clock::now();
    const long long down_ms = std::chrono::duration_cast<milliseconds>(back - restarting).count();
    ::testing::Test::RecordProperty("broker_restart_ms", std::to_string(down_ms));
    const long long recovered = s_.WaitFlowing(back);
    EXPECT_GE(recovered, 0) << s_.HubLog();
    s_.Report(name, recovered, back, "broker_restart=" + std::to_string(down_ms) + "ms");
  }

  static RabbitNode* node_;
  static std::string* start_error_;
  TempDir dir_{"BrokerFault"};
  FaultScenario s_;
  bool broker_down_ = false;
  bool alarm_ = false;
};

RabbitNode* BrokerFaultTest::node_ = nullptr;
std::string* BrokerFaultTest::start_error_ = nullptr;

// kill -9 of the broker: connections end with a transport error; the quorum queues come back
// from the data directory with what they had confirmed.
TEST_F(BrokerFaultTest, BrokerKilledMidStream) {
  BrokerOutage("broker-kill-9", &RabbitNode::Kill9);
}

// A graceful stop: the broker closes every connection with amqp:internal-error "shutdown".
TEST_F(BrokerFaultTest, BrokerStoppedGracefullyMidStream) {
  BrokerOutage("broker-graceful-stop", &RabbitNode::Stop);
}

// The disk alarm. RabbitMQ blocks publishers until it is lifted; its AMQP 1.0 plugin does so
// only from 3.11 on (rabbitmq-server PR 9953: "the AMQP connection was never blocked, even in the
// event of memory or disk alarms"), and Debian 12's 3.10 takes AMQP 1.0 publications on. Either
// way no send may fail or be lost while the alarm is on, and the stream goes on once it is
// lifted; which of the two the broker did is reported (blocked=yes|no).
TEST_F(BrokerFaultTest, DiskAlarmNeitherFailsNorLosesASend) {
  s_.sender().Start();
  ASSERT_TRUE(s_.sender().WaitAccepted(kEvents / 3, kLong));
  s_.sender().Hold();
  alarm_ = true;
  ASSERT_TRUE(node_->DiskAlarm(true).ok());
  const BrokerStreamSender::Figures before = s_.sender().figures();
  s_.sender().Resume();
  // Until the next third of the stream is accepted (not blocked), or the whole window waits
  // and nothing is accepted for two seconds (blocked).
  bool blocked = false;
  int last_accepted = -1;
  auto still_since = Clock::now();
  const auto deadline = Clock::now() + kLong;
  while (Clock::now() < deadline) {
    const BrokerStreamSender::Figures f = s_.sender().figures();
    if (f.accepted >= 2 * kEvents / 3) break;
    if (f.accepted != last_accepted || f.unsettled < kWindow) {
      last_accepted = f.accepted;
      still_since = Clock::now();
    } else if (Clock::now() - still_since > seconds(2)) {
      blocked = true;
      break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  s_.sender().Hold();
  const BrokerStreamSender::Figures during = s_.sender().figures();
  EXPECT_EQ(during.errors, before.errors) << "sends failed while the disk alarm was on";
  EXPECT_EQ(during.rejected, 0);
  ::testing::Test::RecordProperty("blocked", blocked ? "yes" : "no");
  ::testing::Test::RecordProperty("accepted_during_alarm", during.accepted - before.accepted);
  ASSERT_TRUE(node_->DiskAlarm(false).ok());
  alarm_ = false;
  const auto lifted = Clock::now();
  s_.sender().Resume();
  const long long recovered = s_.WaitFlowing(lifted);
  EXPECT_GE(recovered, 0) << s_.HubLog();
  s_.Report("disk-alarm", recovered, lifted,
            std::string("blocked=") + (blocked ? "yes" : "no") +
                " accepted_during_alarm=" + std::to_string(during.accepted - before.accepted));
}

// The hub stops (SIGKILL, or SIGTERM) while events keep coming into the broker, and starts again
// over the backlog: the events queue holds what came while it was down, the out queue what it
// had published before (the receiver comes only after the restart). On the run's shared node.
class BrokerHubRestartTest : public ::testing::TestWithParam<bool /*sigkill*/> {
 protected:
  TempDir dir_{"BrokerHubRestart"};
  FaultScenario s_;
};

TEST_P(BrokerHubRestartTest, HubRestartsOverABacklog) {
  const bool kill = GetParam();
  const std::string name = kill ? "hub-sigkill" : "hub-sigterm";
  ASSERT_TRUE(s_.Start(dir_.path(), nullptr));
  BrokerHub& b = s_.hub();
  s_.sender().Start();
  ASSERT_TRUE(s_.sender().WaitAccepted(kEvents / 3, kLong));
  if (kill) {
    b.hub->Kill9();
  } else {
    EXPECT_TRUE(b.hub->Stop().Ok());
  }
  ASSERT_TRUE(s_.sender().WaitAllAccepted(kLong));
  // A quorum queue's depth reaches rabbitmqctl a few seconds late: waited for.
  long events = 0;
  long out = 0;
  const auto backlog_deadline = Clock::now() + kLong;
  while (Clock::now() < backlog_deadline && (events == 0 || out == 0)) {
    auto e = b.node->QueueDepth(b.prefix + "events");
    auto o = b.node->QueueDepth(b.prefix + "out." + KommunDestination(kTestKommun));
    ASSERT_TRUE(e.ok()) << e.error();
    ASSERT_TRUE(o.ok()) << o.error();
    events = *e;
    out = *o;
  }
  EXPECT_GT(events, 0);
  EXPECT_GT(out, 0);
  ::testing::Test::RecordProperty("backlog_events", std::to_string(events));
  ::testing::Test::RecordProperty("backlog_out", std::to_string(out));
  ASSERT_TRUE(b.hub->Start());
  const auto back = Clock::now();
  s_.StartReceiver();
  // The sender is done: the path is flowing again once the receiver has a delivery.
  const auto deadline = Clock::now() + kLong;
  long long recovered = -1;
  while (Clock::now() < deadline && recovered < 0) {
    if (s_.receiver().last_delivery() > back) recovered = MsSince(back);
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_GE(recovered, 0) << s_.HubLog();
  s_.Report(name, recovered, back,
            "backlog_events=" + std::to_string(events) + " backlog_out=" + std::to_string(out));
  EXPECT_TRUE(b.hub->Stop().Ok());
}

INSTANTIATE_TEST_SUITE_P(Signals, BrokerHubRestartTest, ::testing::Values(true, false),
                         [](const auto& param) { return param.param ? "SIGKILL" : "SIGTERM"; });

}  // namespace
}  // namespace slussen::testing
