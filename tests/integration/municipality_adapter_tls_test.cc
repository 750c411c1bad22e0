// slussen-municipality POSTing over HTTPS with a client certificate (system/tls), to a real TLS
// server in the test that demands one: certificates made for the test with the openssl command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/test_envelopes.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

using client::SendOutcome;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kBinary[] = SLUSSEN_ADAPTER_BINARY_DIR "/municipality/slussen-municipality";
const std::string kKommunDest = KommunDestination(kTestKommun);

class MunicipalityAdapterTls : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    // A CA, the system's certificate for 127.0.0.1 and the region's client certificate.
    WriteFile(dir().File("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
    Run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File("ca.key"), "-out",
         File("ca.pem"), "-days", "2", "-subj", "/CN=Slussen test CA"});
    for (const std::string name : {"system", "region"}) {
      Run({"/usr/bin/openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", File(name + ".key"), "-out", File(name + ".csr"), "-subj",
           name == "system" ? "/CN=127.0.0.1" : "/CN=Region Halland"});
      std::vector<std::string> sign = {"/usr/bin/openssl",
                                       "x509",
                                       "-req",
                                       "-in",
                                       File(name + ".csr"),
                                       "-CA",
                                       File("ca.pem"),
                                       "-CAkey",
                                       File("ca.key"),
                                       "-CAcreateserial",
                                       "-out",
                                       File(name + ".pem"),
                                       "-days",
                                       "2"};
      if (name == "system") {
        sign.push_back("-extfile");
        sign.push_back(File("san.cnf"));
      }
      Run(sign);
    }
  }

  std::string File(const std::string& name) { return dir().File(name); }
  // The openssl command of Debian's openssl package (RunProcess does not search PATH).
  void Run(const std::vector<std::string>& argv) {
    const ProcessResult r = RunProcess(argv);
    ASSERT_TRUE(r.status.Ok()) << argv[1] << ": " << r.err;
  }

  std::string WriteAdapterConfig(int port, const std::string& tls) {
    const std::string path = File("municipality.xml");
    WriteFile(path,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<municipality xmlns=\"urn:slussen:adapter:municipality:1\">\n"
              "  <hub url=\"" +
                  hub().url() +
                  "\"/>\n"
                  "  <serves sender-hsa-id=\"" +
                  std::string(kTestKommunSender) +
                  "\">\n"
                  "    <destination id=\"" +
                  kKommunDest +
                  "\"/>\n"
                  "  </serves>\n"
                  "  <system url=\"https://127.0.0.1:" +
                  std::to_string(port) +
                  "/dokument\" connect-timeout=\"2s\" timeout=\"10s\">\n    " + tls +
                  "\n  </system>\n"
                  "  <receipts listen=\"127.0.0.1:0\"/>\n"
                  "</municipality>\n");
    return path;
  }

  void SendEvent(const v1::Envelope& env) {
    auto c = NewClient();
    ASSERT_TRUE(c);
    ASSERT_EQ(c->Send("events", ToMessage(env)).kind, SendOutcome::Kind::kAccepted) << HubLog();
  }
  int64_t Count(const v1::Envelope& env, const std::string& condition) {
    return store().QueryInt("SELECT count(*) FROM outbox o WHERE destination = '" + kKommunDest +
                            "' AND event_row = (SELECT id FROM events WHERE event_id = '" +
                            env.event_id() + "') AND " + condition);
  }
  std::string AdapterLog() {
    return "\n--- adapter log ---\n" + ReadFileTail(File("municipality.log"));
  }
};

// The system: HTTPS, and only for a client whose certificate chains to the test CA.
class TlsSystem {
 public:
  explicit TlsSystem(const std::string& dir)
      : server_((dir + "/system.pem").c_str(), (dir + "/system.key").c_str(),
                (dir + "/ca.pem").c_str()) {
    server_.Post("/dokument", [this](const httplib::Request&, httplib::Response& res) {
      ++posts_;
      res.status = 200;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    EXPECT_TRUE(server_.is_valid() && port_ > 0);
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(milliseconds(1));
  }
  ~TlsSystem() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  int posts() const { return posts_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::atomic<int> posts_{0};
  std::thread thread_;
};

TEST_F(MunicipalityAdapterTls, PostsOverHttpsWithItsClientCertificate) {
  TlsSystem system(dir().path());
  ChildProcess adapter;
  const auto config = WriteAdapterConfig(
      system.port(), "<tls ca=\"" + File("ca.pem") + "\" cert=\"" + File("region.pem") +
                         "\" key=\"" + File("region.key") + "\"/>");
  ASSERT_TRUE(
      adapter.Start({kBinary, "--config", config}, File("municipality.log"), seconds(30)).ok())
      << HubLog();
  const v1::Envelope env = ValidInskrivning();
  SendEvent(env);
  EXPECT_TRUE(PollUntil([&] { return Count(env, "delivered_at_us IS NOT NULL") == 1; }))
      << AdapterLog() << HubLog();
  EXPECT_EQ(system.posts(), 1);
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
}

// Without the client certificate the system does not let us in: released, retried, never
// delivered and never dead.
TEST_F(MunicipalityAdapterTls, WithoutAClientCertificateTheDeliveryIsReleased) {
  TlsSystem system(dir().path());
  ChildProcess adapter;
  const auto config = WriteAdapterConfig(system.port(), "<tls ca=\"" + File("ca.pem") + "\"/>");
  ASSERT_TRUE(
      adapter.Start({kBinary, "--config", config}, File("municipality.log"), seconds(30)).ok())
      << HubLog();
  const v1::Envelope env = ValidInskrivning();
  SendEvent(env);
  EXPECT_TRUE(PollUntil([&] {
    return store().QueryInt(
               "SELECT count(*) FROM delivery_attempts a JOIN outbox o ON a.seq = "
               "o.seq WHERE a.outcome = 'released' AND o.event_row = (SELECT id FROM events "
               "WHERE event_id = '" + env.event_id() + "') AND o.destination = '" + kKommunDest + "'") >= 1;
  })) << AdapterLog()
      << HubLog();
  EXPECT_EQ(Count(env, "(delivered_at_us IS NOT NULL OR dead_at_us IS NOT NULL)"), 0);
  EXPECT_EQ(system.posts(), 0);
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
}

}  // namespace
}  // namespace slussen::testing
