// Broker mode (hub/DESIGN.md "Broker mode") against a real RabbitMQ 3.10 node
// (testing/rabbitmq_node.h): the hub consumes the broker's events queue and publishes to its
// out queues; adapters talk to the broker with the same runtime (<hub><broker>). Each test has a
// queue prefix and broker users of its own, so tests share one node.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "runtime/hub_session.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_process.h"
#include "testing/rabbitmq_node.h"
#include "testing/temp_dir.h"
#include "testing/test_config.h"
#include "testing/test_envelopes.h"
#include "testing/test_messages.h"

namespace slussen::testing {
namespace {

using adapter::HubConnectionConfig;
using adapter::HubSession;
using client::SendOutcome;
using std::chrono::seconds;

const std::string kKommunOut = OutAddress(KommunDestination(kTestKommun));

std::string RandomSuffix() {
  std::random_device random;
  return std::to_string(::getpid()) + "-" + std::to_string(random() % 1000000);
}

// What an adapter's session receives, settled at once with `accept`.
class Received {
 public:
  HubSession::OnMessage Handler(HubSession& session) {
    return [this, &session](HubSession::Delivery d) {
      {
        std::lock_guard lock(mu_);
        ids_.push_back(d.message.message_id);
      }
      session.Settle(d.token, client::Disposition::kAccept);
    };
  }
  bool WaitFor(const std::string& id, seconds timeout = seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mu_);
        if (std::find(ids_.begin(), ids_.end(), id) != ids_.end()) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::vector<std::string> Ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> ids_;
};

class BrokerModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    node_ = RabbitNode::Shared(&error);
    ASSERT_NE(node_, nullptr) << error;
    const std::string suffix = RandomSuffix();
    prefix_ = "t" + suffix + ".";
    hub_user_ = "hub-" + suffix;
    adapter_user_ = "ehr-" + suffix;
    ASSERT_TRUE(node_->AddUser(hub_user_, password_).ok());
    ASSERT_TRUE(node_->AddUser(adapter_user_, password_).ok());

    const std::string secret = dir_.File("hub.secret");
    WriteFile(secret, password_ + "\n");
    ::chmod(secret.c_str(), 0600);
    TestConfigOptions o;
    o.broker_element = "<broker url=\"" + node_->url() + "\" queue-prefix=\"" + prefix_ +
                       "\"><login user=\"" + hub_user_ + "\" password-file=\"" + secret +
                       "\"/></broker>";
    o.adapters = "<adapter name=\"ehr\"><login user=\"" + adapter_user_ +
                 "\"/><sends as=\"*\"/><reads destinations=\"*\"/>"
                 "<receipts-for destinations=\"*\"/></adapter>";
    config_ = WriteTestConfig(dir_.path(), o);

    // The queues this config needs, as an operator would import them.
    const ProcessResult defs =
        RunProcess({SlussenBinary(), "--config", config_, "--broker-definitions"});
    ASSERT_TRUE(defs.status.Ok()) << defs.err;
    ASSERT_TRUE(node_->Import(defs.out).ok());

    hub_ = std::make_unique<HubProcess>(config_, dir_.File("hub.log"));
    ASSERT_TRUE(hub_->Start());
  }

  HubConnectionConfig AdapterConnection() const {
    HubConnectionConfig c;
    c.url = node_->url();
    c.sasl = HubConnectionConfig::Sasl{"PLAIN", adapter_user_, password_};
    c.broker.enabled = true;
    c.broker.queue_prefix = prefix_;
    c.reconnect_initial = std::chrono::milliseconds(50);
    c.reconnect_max = std::chrono::milliseconds(500);
    return c;
  }

  TempDir dir_{"BrokerMode"};
  RabbitNode* node_ = nullptr;
  std::string prefix_, hub_user_, adapter_user_;
  std::string password_ = "a-test-password-of-some-length";
  std::string config_;
  std::unique_ptr<HubProcess> hub_;
};

// An event an adapter publishes to the broker's events queue is stored by the hub and published
// to the kommun's out queue, where the kommun's adapter receives it.
TEST_F(BrokerModeTest, EventThroughTheBrokerReachesTheKommunsQueue) {
  HubSession ehr(AdapterConnection(), "ehr");
  HubSession kommun(AdapterConnection(), "kommun");
  Received received;
  kommun.Subscribe(kKommunOut, 10, received.Handler(kommun));
  ehr.Start();
  kommun.Start();
  ASSERT_TRUE(ehr.WaitConnected(seconds(30)));
  ASSERT_TRUE(kommun.WaitConnected(seconds(30)));

  const v1::Envelope env = ValidInskrivning();
  const SendOutcome sent = ehr.SendAndWait("events", ToMessage(env), seconds(30));
  ASSERT_EQ(sent.kind, SendOutcome::Kind::kAccepted) << sent.description;
  EXPECT_TRUE(received.WaitFor(env.event_id())) << ReadFile(dir_.File("hub.log"));

  ehr.Stop(seconds(5));
  kommun.Stop(seconds(5));
  EXPECT_TRUE(hub_->Stop().Ok());
}

// A message without the user-id the broker vouches for is bound to no adapter: the hub rejects
// it (unauthorized), the broker dead-letters it, and nothing is delivered.
TEST_F(BrokerModeTest, AMessageWithoutAUserIdIsRefusedAndDeadLettered) {
  client::ClientSecurity security;
  security.user = adapter_user_;
  security.password = password_;
  security.mechanisms = "PLAIN";
  security.allow_insecure_mechanisms = true;
  client::HubClient raw(node_->url(), security);
  std::string error;
  ASSERT_TRUE(raw.Connect(seconds(10), &error)) << error;
  const v1::Envelope env = ValidInskrivning();
  const SendOutcome sent = raw.Send("/amq/queue/" + prefix_ + "events", ToMessage(env));
  ASSERT_EQ(sent.kind, SendOutcome::Kind::kAccepted) << sent.description;  // the broker has it
  raw.Close();

  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  long dead = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto depth = node_->QueueDepth(prefix_ + "dead");
    ASSERT_TRUE(depth.ok()) << depth.error();
    dead = *depth;
    if (dead == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(dead, 1) << ReadFile(dir_.File("hub.log"));
  auto out = node_->QueueDepth(prefix_ + "out.kommun-1380");
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(*out, 0);
  EXPECT_THAT(ReadFile(dir_.File("hub.log")), ::testing::HasSubstr("unauthorized"));
  EXPECT_TRUE(hub_->Stop().Ok());
}

}  // namespace
}  // namespace slussen::testing
