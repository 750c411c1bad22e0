// <hub><broker> (broker mode, hub/DESIGN.md "Broker mode"): read into Config::broker, with the
// checks the schema cannot make, and adapters known by their broker user alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "config/config_loader.h"
#include "loader_test_support.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;

// BROKER and LOGIN are replaced by each test.
constexpr char kBase[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<slussen xmlns="urn:slussen:config:1">
  <hub name="test">
    BROKER
    <store path="test.db"/>
  </hub>
  <kommuner>
    <kommun kod="1380"/>
  </kommuner>
  <senders>
    <sender hsa-id="SE2321000115-SH01" name="Sjukhus" may-send="Inskrivningsmeddelande"/>
  </senders>
  <adapters>
    <adapter name="ehr">LOGIN<sends as="*"/></adapter>
  </adapters>
  <routes>
    <route event="Inskrivningsmeddelande" kommun="true"/>
  </routes>
</slussen>
)";

class BrokerConfigTest : public LoaderTest {
 protected:
  void SetUp() override {
    Write("hub.secret", "the hub's broker password\n");
    ::chmod((dir_ / "hub.secret").c_str(), 0600);
  }
  Result<Config> Load(const std::string& broker, const std::string& login = "<login user=\"ehr\"/>") {
    return LoadConfig(Write("hub.xml", Edit(Edit(kBase, "BROKER", broker), "LOGIN", login)));
  }
  static std::string Broker(const std::string& attrs, const std::string& children = "") {
    return "<broker url=\"amqp://127.0.0.1:5672\" " + attrs +
           "><login user=\"hub\" password-file=\"hub.secret\"/>" + children + "</broker>";
  }
};

TEST_F(BrokerConfigTest, BrokerModeLoadsWithItsDefaults) {
  auto cfg = Load(Broker(""));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  ASSERT_TRUE(cfg->broker);
  EXPECT_EQ(cfg->broker->url, "amqp://127.0.0.1:5672");
  EXPECT_EQ(cfg->broker->queue_prefix, "slussen.");
  EXPECT_EQ(cfg->broker->user, "hub");
  EXPECT_EQ(cfg->broker->password, "the hub's broker password");
  EXPECT_EQ(cfg->broker->in_flight, 500);
  EXPECT_NE(cfg->FindAdapterByLogin(AdapterLogin::Mechanism::kPlain, "ehr"), nullptr);
}

// The same rule as the adapters' <hub><broker> (wire/broker_addressing.h).
TEST_F(BrokerConfigTest, AQueuePrefixTheBrokerCannotTakeIsRefused) {
  auto cfg = Load(Broker("queue-prefix=\"a/b\""));
  ASSERT_FALSE(cfg.ok());
  EXPECT_THAT(cfg.error(), HasSubstr("queue-prefix 'a/b': only letters, digits"));
}

TEST_F(BrokerConfigTest, APasswordNeverCrossesTheNetworkInClear) {
  auto cfg = Load("<broker url=\"amqp://broker.example.se:5672\"><login user=\"hub\" "
                  "password-file=\"hub.secret\"/></broker>");
  ASSERT_FALSE(cfg.ok());
  EXPECT_THAT(cfg.error(), HasSubstr("is not on this machine: the password needs <tls>"));
}

// The broker checks passwords and the user-id; the hub only binds the user to an adapter.
TEST_F(BrokerConfigTest, AdaptersAreKnownByTheirBrokerUserOnly) {
  auto hashed = Load(Broker(""), "<login user=\"ehr\" password-hash=\"$argon2id$v=19$x\"/>");
  ASSERT_FALSE(hashed.ok());
  EXPECT_THAT(hashed.error(), HasSubstr("leave password-hash out"));
  auto anonymous = Load(Broker(""), "<login anonymous=\"true\"/>");
  ASSERT_FALSE(anonymous.ok());
  EXPECT_THAT(anonymous.error(), HasSubstr("there is no anonymous login"));
}

}  // namespace
}  // namespace slussen::testing
