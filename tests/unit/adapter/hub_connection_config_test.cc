// The <hub> element every adapter has (runtime/hub_connection_config.h): TLS and SASL settings,
// and the rule that a PLAIN password goes in clear only to a hub on this machine.
#include "runtime/hub_connection_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <sys/stat.h>

#include <string>

#include "testing/files.h"
#include "testing/temp_dir.h"

namespace slussen::adapter {
namespace {

using ::testing::HasSubstr;

constexpr char kNs[] = "urn:test";

struct Parsed {
  HubConnectionConfig config;
  std::string problems;
};

Parsed Read(const std::string& hub_xml) {
  const std::string doc = "<hub xmlns=\"urn:test\" " + hub_xml;
  xml::DocPtr d(xmlReadMemory(doc.data(), static_cast<int>(doc.size()), "hub.xml", nullptr, 0));
  EXPECT_TRUE(d) << doc;
  xml::Diagnostics diag("hub.xml");
  Parsed p{ReadHubConnection(xmlDocGetRootElement(d.get()), kNs, diag), ""};
  if (!diag.empty()) p.problems = diag.ToError().message;
  return p;
}

TEST(HubConnectionConfig, LoopbackUrls) {
  EXPECT_TRUE(IsLoopbackUrl("amqp://127.0.0.1:5672"));
  EXPECT_TRUE(IsLoopbackUrl("127.0.0.2:5672"));
  EXPECT_TRUE(IsLoopbackUrl("amqp://localhost:5672"));
  EXPECT_TRUE(IsLoopbackUrl("amqp://[::1]:5672"));
  EXPECT_TRUE(IsLoopbackUrl("amqp://user:pw@127.0.0.1:5672"));
  EXPECT_FALSE(IsLoopbackUrl("amqps://hub.example.se:5671"));
  EXPECT_FALSE(IsLoopbackUrl("amqp://10.0.0.1:5672"));
  EXPECT_FALSE(IsLoopbackUrl("amqp://localhost.example.se:5672"));
  EXPECT_FALSE(IsLoopbackUrl("amqp://127.0.0.1@evil.example.se:5672"));
}

class HubConnectionSecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(secret_, "a password of some length\n");
    ::chmod(secret_.c_str(), 0600);
  }
  std::string Sasl() const {
    return "<sasl mechanism=\"PLAIN\" user=\"k1380\" password-file=\"" + secret_ + "\"/>";
  }
  testing::TempDir dir_{"slussen-hub-config"};
  std::string secret_ = dir_.File("hub.secret");
};

TEST_F(HubConnectionSecretTest, PlainOverTlsReadsThePasswordFile) {
  const Parsed p = Read("url=\"amqp://hub.example.se:5671\"><tls ca=\"/etc/ca.pem\"/>" + Sasl() + "</hub>");
  EXPECT_EQ(p.problems, "");
  ASSERT_TRUE(p.config.sasl);
  EXPECT_EQ(p.config.sasl->password, "a password of some length");
  ASSERT_TRUE(p.config.tls);
  EXPECT_EQ(p.config.tls->ca, "/etc/ca.pem");
}

TEST_F(HubConnectionSecretTest, PlainWithoutTlsOnlyToThisMachine) {
  EXPECT_EQ(Read("url=\"amqp://127.0.0.1:5672\">" + Sasl() + "</hub>").problems, "");
  EXPECT_THAT(Read("url=\"amqp://hub.example.se:5672\">" + Sasl() + "</hub>").problems,
              HasSubstr("mechanism PLAIN needs <tls>"));
}

TEST_F(HubConnectionSecretTest, APasswordFileOthersCanReadIsRefused) {
  ::chmod(secret_.c_str(), 0644);
  EXPECT_THAT(Read("url=\"amqp://127.0.0.1:5672\">" + Sasl() + "</hub>").problems,
              HasSubstr("readable by group or others"));
}

TEST(HubConnectionConfig, ExternalNeedsAClientCertificate) {
  EXPECT_THAT(Read("><tls ca=\"/ca.pem\"/><sasl mechanism=\"EXTERNAL\"/></hub>").problems,
              HasSubstr("EXTERNAL needs <tls> with cert and key"));
  EXPECT_EQ(Read("><tls ca=\"/ca.pem\" cert=\"/c.pem\" key=\"/k.pem\"/><sasl mechanism=\"EXTERNAL\"/></hub>")
                .problems,
            "");
}

// Broker mode: the logical addresses map onto the broker's pre-declared queues, and the PLAIN
// user is what the broker checks the user-id against, so broker mode needs one.
TEST_F(HubConnectionSecretTest, BrokerModeMapsAddressesAndNeedsAPlainLogin) {
  const Parsed p = Read("url=\"amqp://127.0.0.1:5672\">" + Sasl() +
                        "<broker queue-prefix=\"region-x.\"/></hub>");
  EXPECT_EQ(p.problems, "");
  ASSERT_TRUE(p.config.broker.enabled);
  EXPECT_EQ(p.config.broker.Address("events"), "/amq/queue/region-x.events");
  EXPECT_EQ(p.config.broker.Address("out/kommun-1380"), "/amq/queue/region-x.out.kommun-1380");
  EXPECT_EQ(p.config.broker.QueueName("out/vc-SE2321000016-XXXX"),
            "region-x.out.vc-SE2321000016-XXXX");
  EXPECT_EQ(p.config.broker_release_delay, std::chrono::seconds(30));  // the default
  EXPECT_EQ(Read("url=\"amqp://127.0.0.1:5672\">" + Sasl() +
                 "<broker release-delay=\"2s\"/></hub>").config.broker_release_delay,
            std::chrono::seconds(2));

  const Parsed embedded = Read("url=\"amqp://127.0.0.1:5672\">" + Sasl() + "</hub>");
  EXPECT_FALSE(embedded.config.broker.enabled);
  EXPECT_EQ(embedded.config.broker.Address("out/kommun-1380"), "out/kommun-1380");

  EXPECT_THAT(Read("url=\"amqp://127.0.0.1:5672\"><broker/></hub>").problems,
              HasSubstr("broker mode needs <sasl mechanism=\"PLAIN\">"));
  EXPECT_THAT(Read("url=\"amqp://127.0.0.1:5672\">" + Sasl() +
                   "<broker queue-prefix=\"a/b\"/></hub>").problems,
              HasSubstr("queue-prefix: only letters, digits"));
}

}  // namespace
}  // namespace slussen::adapter
