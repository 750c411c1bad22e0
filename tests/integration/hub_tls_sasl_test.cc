// TLS and SASL on the hub's AMQP listener (hub/DESIGN.md "Security: TLS and SASL"), against the
// real hub with a test PKI made by deploy/pki/make-test-ca.sh: PLAIN checked by the hub (argon2id),
// EXTERNAL from a client certificate, expired and unknown certificates, plain AMQP and TLS 1.1
// refused, the certificate reloaded on SIGHUP, and an adapter connecting over TLS with PLAIN.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "runtime/hub_session.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/test_envelopes.h"
#include "util/test_municipal_system.h"

namespace slussen::testing {
namespace {

using client::ClientSecurity;
using client::HubClient;
using client::SendOutcome;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

// The password of the kommun adapter's PLAIN login, and its hash (slussen --hash-password).
constexpr char kPassword[] = "correct horse battery staple";
constexpr char kPasswordHash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$DeNCN1Mz9XrzHHH3JBVLJQ$ERJW3dhcvdhPfzcFuSp5lrM9ITkrg6XMo3K0QXGj+RU";
constexpr char kUser[] = "adapter-kommun-1380";
// The subjects of make-test-ca.sh's client certificates, as the hub sees them (RFC 2253).
constexpr char kClientSubject[] = "CN=adapter-kommun-1380,O=Kommun 1380,C=SE";
constexpr char kSithsSubject[] =
    R"(CN=\C3\85sa \C3\96berg\, adapter,serialNumber=SE2321000131-E000000000001,O=Malm\C3\B6 stad,C=SE)";
constexpr char kOpenssl[] = "/usr/bin/openssl";
constexpr char kMunicipality[] = SLUSSEN_ADAPTER_BINARY_DIR "/municipality/slussen-municipality";

// The test PKI, made once for the whole test program in a temporary directory.
const TempDir& Pki() {
  static const std::unique_ptr<TempDir> dir = [] {
    auto d = std::make_unique<TempDir>("slussen-pki");
    const ProcessResult r =
        RunProcess({"/bin/sh", SLUSSEN_SOURCE_DIR "/deploy/pki/make-test-ca.sh", d->path()});
    EXPECT_TRUE(r.status.Ok()) << "make-test-ca.sh: " << r.err;
    // The reload test's own copy of the hub's certificate, which it replaces.
    for (const std::string f : {"server.pem", "server-key.pem"}) {
      std::filesystem::copy_file(d->File(f), d->File("reload-" + f));
    }
    ::chmod(d->File("reload-server-key.pem").c_str(), 0600);
    return d;
  }();
  return *dir;
}

std::string PkiFile(const std::string& name) { return Pki().File(name); }

std::string TlsElement(const std::string& certificate, const std::string& key,
                       const std::string& client_certificates) {
  return "<tls certificate=\"" + PkiFile(certificate) + "\" key=\"" + PkiFile(key) + "\" ca=\"" +
         PkiFile("ca.pem") + "\" client-certificates=\"" + client_certificates + "\"/>";
}

std::string AdapterEntry(const std::string& name, const std::string& logins) {
  return "<adapter name=\"" + name + "\">" + logins +
         "<sends as=\"*\"/><reads destinations=\"*\"/><receipts-for destinations=\"*\"/></adapter>";
}

// The kommun's adapter: a PLAIN login and (on a TLS listener) its client certificate.
std::string KommunAdapter(bool with_certificate = true) {
  std::string logins =
      std::string("<login user=\"") + kUser + "\" password-hash=\"" + kPasswordHash + "\"/>";
  if (with_certificate) logins += std::string("<login certificate-subject=\"") + kClientSubject + "\"/>";
  return AdapterEntry("kommun-1380", logins);
}

ClientSecurity Plain(const std::string& user, const std::string& password,
                     const std::string& ca = "ca.pem") {
  ClientSecurity s;
  s.ca = PkiFile(ca);
  s.mechanisms = "PLAIN";
  s.user = user;
  s.password = password;
  return s;
}

ClientSecurity Certificate(const std::string& name) {
  ClientSecurity s;
  s.ca = PkiFile("ca.pem");
  s.cert = PkiFile(name + ".pem");
  s.key = PkiFile(name + "-key.pem");
  s.mechanisms = "EXTERNAL";
  return s;
}

class HubTls : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.amqp_plain = "refuse";
    o.amqp_children = TlsElement(certificate_, key_, "optional");
    o.adapters = KommunAdapter() +
                 AdapterEntry("siths-adapter", std::string("<login certificate-subject=\"") +
                                                   kSithsSubject + "\"/>");
    return o;
  }

  // A client connected with `security`, or nullptr with `error` saying why not.
  std::unique_ptr<HubClient> Connect(const ClientSecurity& security, std::string* error) {
    auto c = std::make_unique<HubClient>(hub().url(), security, "itest-tls-" + std::to_string(++n_));
    if (!c->Connect(seconds(15), error)) return nullptr;
    return c;
  }

  std::string Log() const { return ReadFile(const_cast<HubTls*>(this)->hub().stderr_path()); }

  void SendAccepted(HubClient& c) {
    const SendOutcome o = c.Send("events", ToMessage(ValidInskrivning()));
    EXPECT_EQ(o.kind, SendOutcome::Kind::kAccepted) << o.condition << ": " << o.description << HubLog();
  }

  std::string certificate_ = "server.pem";
  std::string key_ = "server-key.pem";
  int n_ = 0;
};

TEST_F(HubTls, PlainLoginWithTheRightPasswordSendsAnEvent) {
  std::string error;
  auto c = Connect(Plain(kUser, kPassword), &error);
  ASSERT_TRUE(c) << error << HubLog();
  SendAccepted(*c);
  EXPECT_THAT(Log(), HasSubstr("as adapter kommun-1380 (PLAIN, TLSv1."));
}

TEST_F(HubTls, WrongPasswordAndUnknownUserAreUnauthorizedAndNotLogged) {
  const std::string wrong = "wrong-password-6f1c2e";
  const std::string other = "another-secret-9b7d41";
  std::string error;
  EXPECT_FALSE(Connect(Plain(kUser, wrong), &error));
  EXPECT_THAT(error, HasSubstr("amqp:unauthorized-access"));
  error.clear();
  EXPECT_FALSE(Connect(Plain("nobody-here", other), &error));
  EXPECT_THAT(error, HasSubstr("amqp:unauthorized-access"));
  // The right password still works afterwards (only held back, never locked out).
  auto c = Connect(Plain(kUser, kPassword), &error);
  ASSERT_TRUE(c) << error << HubLog();
  const std::string log = Log();
  EXPECT_THAT(log, HasSubstr("PLAIN user 'adapter-kommun-1380': wrong user or password"));
  // A user name no adapter has is not logged (it may be a password typed in the wrong field).
  EXPECT_THAT(log, HasSubstr("PLAIN with a user name no adapter has (not logged): wrong user"));
  EXPECT_THAT(log, Not(HasSubstr("nobody-here")));
  EXPECT_THAT(log, HasSubstr("failed login from 127.0.0.1 (2 failure(s)"));
  EXPECT_THAT(log, Not(HasSubstr(wrong)));
  EXPECT_THAT(log, Not(HasSubstr(other)));
  EXPECT_THAT(log, Not(HasSubstr(kPassword)));
}

TEST_F(HubTls, ClientCertificateLogsInWithExternalAsItsAdapter) {
  std::string error;
  auto c = Connect(Certificate("client"), &error);
  ASSERT_TRUE(c) << error << HubLog();
  SendAccepted(*c);
  auto siths = Connect(Certificate("siths"), &error);
  ASSERT_TRUE(siths) << error << HubLog();
  SendAccepted(*siths);
  const std::string log = Log();
  EXPECT_THAT(log, HasSubstr("as adapter kommun-1380 (EXTERNAL, TLSv1."));
  EXPECT_THAT(log, HasSubstr("as adapter siths-adapter (EXTERNAL, TLSv1."));
}

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

TEST_F(HubTls, ExpiredAndUnknownCertificatesFailTheHandshake) {
  for (const std::string name : {"expired", "unknown"}) {
    SCOPED_TRACE(name);
    std::string error;
    EXPECT_FALSE(Connect(Certificate(name), &error));
    // Refused by TLS, before any AMQP: not an unauthorized-access outcome.
    EXPECT_THAT(error, Not(HasSubstr("unauthorized-access")));
  }
  EXPECT_TRUE(PollUntil([&] {
    const std::string log = Log();
    const auto first = log.find("certificate verify failed");
    return first != std::string::npos && log.find("certificate verify failed", first + 1) != std::string::npos;
  })) << HubLog();
}

TEST_F(HubTls, PlainClientsAreRefused) {
  std::string error;
  HubClient anonymous(hub().url(), "itest-plain-anonymous");
  EXPECT_FALSE(anonymous.Connect(seconds(15), &error));
  // PLAIN without TLS: the hub offers it nothing, so the password never leaves the client.
  ClientSecurity plain;
  plain.mechanisms = "PLAIN";
  plain.user = kUser;
  plain.password = kPassword;
  plain.allow_insecure_mechanisms = true;
  HubClient in_clear(hub().url(), plain, "itest-plain-password");
  error.clear();
  EXPECT_FALSE(in_clear.Connect(seconds(15), &error));
  EXPECT_THAT(error, HasSubstr("unauthorized-access")) << HubLog();
  EXPECT_THAT(Log(), Not(HasSubstr("as adapter")));
}

// openssl s_client with only `version` enabled; its output says which protocol was agreed.
std::string HandshakeWith(const std::string& version, const std::string& host_port) {
  const ProcessResult r = RunProcess({kOpenssl, "s_client", "-connect", host_port, "-" + version,
                                      "-cipher", "DEFAULT:@SECLEVEL=0", "-CAfile", PkiFile("ca.pem")},
                                     seconds(20), Stderr::kMerged);
  return r.out;
}

TEST_F(HubTls, Tls11IsRefusedAndTls12Accepted) {
  const std::string endpoint = "127.0.0.1:" + std::to_string(hub().port());
  const std::string v12 = HandshakeWith("tls1_2", endpoint);
  EXPECT_THAT(v12, HasSubstr("New, TLSv1.2, Cipher is ")) << v12;
  for (const std::string old : {"tls1_1", "tls1"}) {
    const std::string out = HandshakeWith(old, endpoint);
    EXPECT_THAT(out, HasSubstr("New, (NONE), Cipher is (NONE)")) << out;
  }
  EXPECT_TRUE(PollUntil([&] {
    const std::string log = Log();
    const auto first = log.find("unsupported protocol");
    return first != std::string::npos && log.find("unsupported protocol", first + 1) != std::string::npos;
  })) << HubLog();
}

// An operator who starts the hub with Proton's frame trace on would get every PLAIN password in
// the log: the hub drops the variable and says so.
class HubTlsWithFrameTrace : public HubTls {
 protected:
  void SetUp() override {
    ::setenv("PN_TRACE_FRM", "1", 1);
    HubTls::SetUp();
    ::unsetenv("PN_TRACE_FRM");
  }
};

TEST_F(HubTlsWithFrameTrace, NoPasswordReachesTheLog) {
  std::string error;
  auto c = Connect(Plain(kUser, kPassword), &error);
  ASSERT_TRUE(c) << error << HubLog();
  EXPECT_FALSE(Connect(Plain(kUser, "wrong-password-0c93aa"), &error));
  const std::string log = Log();
  EXPECT_THAT(log, HasSubstr("PN_TRACE_FRM is set and ignored"));
  EXPECT_THAT(log, Not(HasSubstr("sasl-init")));
  EXPECT_THAT(log, Not(HasSubstr(kPassword)));
  EXPECT_THAT(log, Not(HasSubstr("wrong-password-0c93aa")));
}

// client-certificates="required": no certificate, no handshake; with one, PLAIN and EXTERNAL.
class HubTlsRequired : public HubTls {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o = HubTls::ConfigOptions();
    o.amqp_children = TlsElement("server.pem", "server-key.pem", "required");
    return o;
  }
};

TEST_F(HubTlsRequired, ACertificateIsNeededForAnyLogin) {
  std::string error;
  EXPECT_FALSE(Connect(Plain(kUser, kPassword), &error));
  EXPECT_THAT(error, Not(HasSubstr("unauthorized-access")));
  ClientSecurity plain_with_certificate = Certificate("client");
  plain_with_certificate.mechanisms = "PLAIN";
  plain_with_certificate.user = kUser;
  plain_with_certificate.password = kPassword;
  auto plain = Connect(plain_with_certificate, &error);
  ASSERT_TRUE(plain) << error << HubLog();
  auto external = Connect(Certificate("client"), &error);
  ASSERT_TRUE(external) << error << HubLog();
  SendAccepted(*external);
  EXPECT_THAT(Log(), HasSubstr("peer did not return a certificate"));
}

// client-certificates="none": no certificate is asked for, so EXTERNAL is never offered.
class HubTlsNoClientCertificates : public HubTls {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o = HubTls::ConfigOptions();
    o.amqp_children = TlsElement("server.pem", "server-key.pem", "none");
    o.adapters = KommunAdapter(false);
    return o;
  }
};

TEST_F(HubTlsNoClientCertificates, PlainOnlyAndExternalIsNotOffered) {
  std::string error;
  auto plain = Connect(Plain(kUser, kPassword), &error);
  ASSERT_TRUE(plain) << error << HubLog();
  SendAccepted(*plain);
  EXPECT_FALSE(Connect(Certificate("client"), &error));
  EXPECT_THAT(error, HasSubstr("unauthorized-access"));
}

class HubTlsReload : public HubTls {
 protected:
  HubTlsReload() {
    certificate_ = "reload-server.pem";
    key_ = "reload-server-key.pem";
  }
};

TEST_F(HubTlsReload, SighupServesTheNewCertificateAndKeepsOpenConnections) {
  std::string error;
  auto before = Connect(Plain(kUser, kPassword), &error);
  ASSERT_TRUE(before) << error << HubLog();
  // A client that trusts only the other CA cannot connect yet.
  EXPECT_FALSE(Connect(Plain(kUser, kPassword, "other-ca.pem"), &error));

  // The operator renews the certificate (here: one from the other CA) and sends SIGHUP.
  WriteFile(PkiFile("reload-server.pem"), ReadFile(PkiFile("server-other.pem")));
  WriteFile(PkiFile("reload-server-key.pem"), ReadFile(PkiFile("server-other-key.pem")));
  ::chmod(PkiFile("reload-server-key.pem").c_str(), 0600);
  ASSERT_EQ(::kill(hub().pid(), SIGHUP), 0);
  ASSERT_TRUE(PollUntil([&] { return Log().find("TLS certificate generation 2") != std::string::npos; }))
      << HubLog();
  auto after = Connect(Plain(kUser, kPassword, "other-ca.pem"), &error);
  ASSERT_TRUE(after) << error << HubLog();
  SendAccepted(*after);
  // The connection opened under the old certificate is still up and works.
  SendAccepted(*before);
  EXPECT_FALSE(Connect(Plain(kUser, kPassword, "ca.pem"), &error));

  // A broken renewal is logged and changes nothing.
  WriteFile(PkiFile("reload-server.pem"), "not a certificate\n");
  ASSERT_EQ(::kill(hub().pid(), SIGHUP), 0);
  ASSERT_TRUE(PollUntil([&] { return Log().find("TLS reload failed") != std::string::npos; })) << HubLog();
  auto still = Connect(Plain(kUser, kPassword, "other-ca.pem"), &error);
  ASSERT_TRUE(still) << error << HubLog();
  SendAccepted(*still);
  EXPECT_TRUE(hub().Alive());
}

// The hub's key must be private to its user: a key readable by group or others stops the start.
TEST(HubTlsKey, KeyReadableByOthersStopsTheStartNamingTheFile) {
  TempDir dir("slussen-itest-tls-key");
  const std::string key = dir.File("key.pem");
  WriteFile(key, ReadFile(PkiFile("server-key.pem")));
  ::chmod(key.c_str(), 0644);
  TestConfigOptions o;
  o.amqp_plain = "refuse";
  o.amqp_children = "<tls certificate=\"" + PkiFile("server.pem") + "\" key=\"" + key +
                    "\" ca=\"" + PkiFile("ca.pem") + "\"/>";
  o.adapters = KommunAdapter();
  const std::string config = WriteTestConfig(dir.path(), o);
  const ProcessResult r = RunProcess({SlussenBinary(), "--config", config}, seconds(30));
  EXPECT_EQ(r.status.code, 1) << r.status.ToString();
  EXPECT_THAT(r.err, HasSubstr(key));
  EXPECT_THAT(r.err, HasSubstr("readable by group or others"));
  EXPECT_THAT(r.out, Not(HasSubstr("slussen ready")));
}

// The loopback demo listener (plain="allow"): PLAIN works without TLS there, ANONYMOUS binds to
// the anonymous adapter, and a client that skips SASL is still taken (the existing tests do).
class HubPlainLoopback : public HubTls {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.adapters = std::string(kOpenTestAdapter) + KommunAdapter(false);
    return o;
  }
};

TEST_F(HubPlainLoopback, PlainWithoutTlsOnLoopbackAndAnonymous) {
  ClientSecurity plain;
  plain.mechanisms = "PLAIN";
  plain.user = kUser;
  plain.password = kPassword;
  plain.allow_insecure_mechanisms = true;
  std::string error;
  auto c = Connect(plain, &error);
  ASSERT_TRUE(c) << error << HubLog();
  SendAccepted(*c);
  auto anonymous = NewClient();
  ASSERT_TRUE(anonymous);
  SendAccepted(*anonymous);
  const std::string log = Log();
  EXPECT_THAT(log, HasSubstr("as adapter kommun-1380 (PLAIN)"));
  EXPECT_THAT(log, HasSubstr("as adapter local-test (ANONYMOUS)"));
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
