// TLS and SASL on the hub's AMQP listener (hub/DESIGN.md "Security: TLS and SASL"), against the
// real hub with a test PKI made by deploy/pki/make-test-ca.sh: PLAIN checked by the hub (argon2id),
// EXTERNAL from a client certificate, expired and unknown certificates, plain AMQP and TLS 1.1
// refused, each client-certificates mode, the certificate reloaded on SIGHUP, a key others can
// read, Proton's frame trace kept off. The adapters' side: adapter_tls_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <proton/codec.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "testing/amqp_codec.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/test_envelopes.h"
#include "util/tls_hub_test.h"

namespace slussen::testing {
namespace {

using client::ClientSecurity;
using client::HubClient;
using client::SendOutcome;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOpenssl[] = "/usr/bin/openssl";

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

// TLS and plain="allow" on one loopback listener: unencrypted clients are taken too (anonymous
// here), and TLS clients log in as before.
class HubTlsAndPlainLoopback : public HubTls {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o = HubTls::ConfigOptions();
    o.amqp_plain = "allow";
    o.adapters = std::string(kOpenTestAdapter) + KommunAdapter();
    return o;
  }
};

TEST_F(HubTlsAndPlainLoopback, PlainAndTlsClientsOnOnePort) {
  auto anonymous = NewClient();
  ASSERT_TRUE(anonymous);
  SendAccepted(*anonymous);
  std::string error;
  auto tls = Connect(Plain(kUser, kPassword), &error);
  ASSERT_TRUE(tls) << error << HubLog();
  SendAccepted(*tls);
  const std::string log = Log();
  EXPECT_THAT(log, HasSubstr("as adapter local-test (ANONYMOUS, unencrypted)"));
  EXPECT_THAT(log, HasSubstr("as adapter kommun-1380 (PLAIN, TLSv1."));
}

class HubTlsReload : public HubTls {
 protected:
  HubTlsReload() {
    certificate_ = "reload-server.pem";
    key_ = "reload-server-key.pem";
  }
  // The test's own copy of the hub's certificate and key, which it replaces: fresh for each run.
  void SetUp() override {
    for (const std::string f : {"server.pem", "server-key.pem"}) {
      WriteFile(PkiFile("reload-" + f), ReadFile(PkiFile(f)));
    }
    ::chmod(PkiFile("reload-server-key.pem").c_str(), 0600);
    HubTls::SetUp();
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

// One frame: size, data offset 2, `type` (0 AMQP, 1 SASL), channel 0, `body`.
std::string Frame(uint8_t type, const std::string& body) {
  const uint32_t size = static_cast<uint32_t>(8 + body.size());
  std::string f;
  for (int shift = 24; shift >= 0; shift -= 8) f += static_cast<char>((size >> shift) & 0xff);
  f += std::string("\x02", 1) + static_cast<char>(type) + std::string("\0\0", 2);
  return f + body;
}

// A client that does not wait for the SASL outcome: the SASL header, its PLAIN sasl-init, the
// AMQP header and its open in one write. Proton holds the bytes behind sasl-init unread while the
// hub checks the password on another thread; the hub must run them once the check succeeded, or
// the connection stalls until the client sends something more.
TEST_F(HubPlainLoopback, APipelinedOpenIsAnsweredAfterTheDeferredPlainOutcome) {
  const std::string init = EncodeDescribedList(0x41, [](pn_data_t* d) {
    pn_data_put_symbol(d, pn_bytes(5, "PLAIN"));
    PutBinary(d, std::string("\0", 1) + kUser + std::string("\0", 1) + kPassword);
  });
  const std::string open = EncodeDescribedList(0x10, [](pn_data_t* d) { PutString(d, "itest-pipelined"); });
  const std::string bytes = std::string("AMQP\x03\x01\x00\x00", 8) + Frame(1, init) +
                            std::string("AMQP\x00\x01\x00\x00", 8) + Frame(0, open);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(hub().port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  // Everything the hub sends until its open frame (descriptor 0x10 after the AMQP header) or 30 s.
  timeval timeout{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string received;
  const std::string amqp_header("AMQP\x00\x01\x00\x00", 8);
  const std::string open_descriptor("\x00\x53\x10", 3);
  auto opened = [&] {
    const auto header = received.find(amqp_header);
    return header != std::string::npos && received.find(open_descriptor, header) != std::string::npos;
  };
  char buf[4096];
  while (!opened()) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    received.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  EXPECT_TRUE(opened()) << received.size() << " bytes received" << HubLog();
  EXPECT_THAT(Log(), HasSubstr("from container 'itest-pipelined' as adapter kommun-1380 (PLAIN)"));
}

}  // namespace
}  // namespace slussen::testing
