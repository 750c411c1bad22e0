// The adapters' side of TLS and SASL against the real hub (adapters/README.md "Reaching the hub
// securely"): the runtime's HubSession with a client certificate (EXTERNAL), slussen-municipality
// over TLS with a PLAIN login from its password file, and an adapter config that would send a
// password in clear across a network refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <string>

#include "runtime/hub_session.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "util/test_municipal_system.h"
#include "util/tls_hub_test.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

using client::SendOutcome;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kMunicipality[] = SLUSSEN_ADAPTER_BINARY_DIR "/municipality/slussen-municipality";

// The adapters' runtime (HubSession) with a client certificate and EXTERNAL, as a SITHS-certified
// adapter would be configured (<tls ca cert key/><sasl mechanism="EXTERNAL"/>).
TEST_F(HubTls, AdapterSessionWithItsCertificateLogsInWithExternal) {
  adapter::HubConnectionConfig config;
  config.url = "amqp://" + hub().url();
  config.container_id = "itest-session-external";
  config.tls = adapter::HubConnectionConfig::Tls{PkiFile("ca.pem"), PkiFile("client.pem"),
                                                 PkiFile("client-key.pem")};
  config.sasl = adapter::HubConnectionConfig::Sasl{"EXTERNAL", "", ""};
  adapter::HubSession session(config, "itest-session");
  session.Start();
  ASSERT_TRUE(session.WaitConnected(seconds(30))) << HubLog();
  const SendOutcome o = session.SendAndWait("events", ToMessage(ValidInskrivning()), seconds(30));
  EXPECT_EQ(o.kind, SendOutcome::Kind::kAccepted) << o.condition << ": " << o.description << HubLog();
  session.Stop(seconds(5));
  EXPECT_THAT(Log(), HasSubstr("from container 'itest-session-external' as adapter kommun-1380 "
                               "(EXTERNAL, TLSv1."));
}

// slussen-municipality reaching the hub over TLS with a PLAIN login from its password file, and
// getting the kommun's event.
class MunicipalityAdapterOverTls : public HubTls {};

TEST_F(MunicipalityAdapterOverTls, ConnectsWithPlainAndGetsTheKommunsEvents) {
  TestMunicipalSystem system;
  const std::string secret = dir().File("hub.secret");
  WriteFile(secret, std::string(kPassword) + "\n");
  ::chmod(secret.c_str(), 0600);
  const std::string config = dir().File("municipality.xml");
  WriteFile(config,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<municipality xmlns=\"urn:slussen:adapter:municipality:1\">\n"
            "  <hub url=\"amqp://" + hub().url() + "\" container-id=\"test-municipality\">\n"
            "    <reconnect initial-delay=\"50ms\" max-delay=\"500ms\"/>\n"
            "    <tls ca=\"" + PkiFile("ca.pem") + "\"/>\n"
            "    <sasl mechanism=\"PLAIN\" user=\"" + kUser + "\" password-file=\"" + secret + "\"/>\n"
            "  </hub>\n"
            "  <serves sender-hsa-id=\"" + std::string(kTestKommunSender) + "\">\n"
            "    <destination id=\"" + KommunDestination(kTestKommun) + "\"/>\n"
            "  </serves>\n"
            "  <system url=\"" + system.Url() + "\" connect-timeout=\"2s\" timeout=\"10s\"/>\n"
            "  <receipts listen=\"127.0.0.1:0\" hub-timeout=\"20s\"/>\n"
            "</municipality>\n");
  ChildProcess adapter;
  const auto started =
      adapter.Start({kMunicipality, "--config", config}, dir().File("municipality.log"), seconds(30));
  ASSERT_TRUE(started) << started.error();

  std::string error;
  auto sender = Connect(Plain(kUser, kPassword), &error);
  ASSERT_TRUE(sender) << error << HubLog();
  SendAccepted(*sender);
  EXPECT_TRUE(system.WaitForPosts(1)) << ReadFileTail(dir().File("municipality.log")) << HubLog();
  EXPECT_THAT(Log(), HasSubstr("from container 'test-municipality' as adapter kommun-1380 (PLAIN, TLSv1."));
  EXPECT_THAT(ReadFile(dir().File("municipality.log")), Not(HasSubstr(kPassword)));
  EXPECT_TRUE(adapter.Stop().Ok());
}

// An adapter config that would send its password in clear across a network does not start.
TEST_F(MunicipalityAdapterOverTls, PlainWithoutTlsToAnotherMachineIsAConfigError) {
  const std::string secret = dir().File("hub.secret");
  WriteFile(secret, std::string(kPassword) + "\n");
  ::chmod(secret.c_str(), 0600);
  const std::string config = dir().File("municipality.xml");
  WriteFile(config,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<municipality xmlns=\"urn:slussen:adapter:municipality:1\">\n"
            "  <hub url=\"amqp://hub.example.se:5671\">\n"
            "    <sasl mechanism=\"PLAIN\" user=\"" + std::string(kUser) + "\" password-file=\"" + secret + "\"/>\n"
            "  </hub>\n"
            "  <serves sender-hsa-id=\"" + std::string(kTestKommunSender) + "\">\n"
            "    <destination id=\"" + KommunDestination(kTestKommun) + "\"/>\n"
            "  </serves>\n"
            "  <system url=\"http://127.0.0.1:9/dokument\"/>\n"
            "  <receipts listen=\"127.0.0.1:0\"/>\n"
            "</municipality>\n");
  const ProcessResult r = RunProcess({kMunicipality, "--config", config}, seconds(30));
  EXPECT_EQ(r.status.code, 2) << r.status.ToString() << r.err;
  EXPECT_THAT(r.err, HasSubstr("mechanism PLAIN needs <tls>"));
}

}  // namespace
}  // namespace slussen::testing
