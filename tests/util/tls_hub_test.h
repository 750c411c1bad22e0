#pragma once
// TLS tests against the real hub: the test PKI of deploy/pki/make-test-ca.sh (made once per test
// program in a temporary directory), client security settings for PLAIN and EXTERNAL, and HubTls,
// a hub with TLS (client certificates optional) and the kommun's adapter with a PLAIN login and a
// certificate login.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>

#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/test_envelopes.h"
#include "build_paths/source_dir.h"

namespace slussen::testing {


// The password of the kommun adapter's PLAIN login, and its hash (slussen --hash-password).
inline constexpr char kPassword[] = "correct horse battery staple";
inline constexpr char kPasswordHash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$DeNCN1Mz9XrzHHH3JBVLJQ$ERJW3dhcvdhPfzcFuSp5lrM9ITkrg6XMo3K0QXGj+RU";
inline constexpr char kUser[] = "adapter-kommun-1380";
// The subjects of make-test-ca.sh's client certificates, as the hub sees them (RFC 2253).
inline constexpr char kClientSubject[] = "CN=adapter-kommun-1380,O=Kommun 1380,C=SE";
inline constexpr char kSithsSubject[] =
    R"(CN=\C3\85sa \C3\96berg\, adapter,serialNumber=SE2321000131-E000000000001,O=Malm\C3\B6 stad,C=SE)";

// The test PKI, made once for the whole test program in a temporary directory.
inline const TempDir& Pki() {
  static const std::unique_ptr<TempDir> dir = [] {
    auto d = std::make_unique<TempDir>("slussen-pki");
    const ProcessResult r =
        RunProcess({"/bin/sh", SLUSSEN_SOURCE_DIR "/deploy/pki/make-test-ca.sh", d->path()});
    EXPECT_TRUE(r.status.Ok()) << "make-test-ca.sh: " << r.err;
    return d;
  }();
  return *dir;
}

inline std::string PkiFile(const std::string& name) { return Pki().File(name); }

inline std::string TlsElement(const std::string& certificate, const std::string& key,
                       const std::string& client_certificates) {
  return "<tls certificate=\"" + PkiFile(certificate) + "\" key=\"" + PkiFile(key) + "\" ca=\"" +
         PkiFile("ca.pem") + "\" client-certificates=\"" + client_certificates + "\"/>";
}

inline std::string AdapterEntry(const std::string& name, const std::string& logins) {
  return "<adapter name=\"" + name + "\">" + logins +
         "<sends as=\"*\"/><reads destinations=\"*\"/><receipts-for destinations=\"*\"/></adapter>";
}

// The kommun's adapter: a PLAIN login and (on a TLS listener) its client certificate.
inline std::string KommunAdapter(bool with_certificate = true) {
  std::string logins =
      std::string("<login user=\"") + kUser + "\" password-hash=\"" + kPasswordHash + "\"/>";
  if (with_certificate) logins += std::string("<login certificate-subject=\"") + kClientSubject + "\"/>";
  return AdapterEntry("kommun-1380", logins);
}

inline client::ClientSecurity Plain(const std::string& user, const std::string& password,
                     const std::string& ca = "ca.pem") {
  client::ClientSecurity s;
  s.ca = PkiFile(ca);
  s.mechanisms = "PLAIN";
  s.user = user;
  s.password = password;
  return s;
}

inline client::ClientSecurity Certificate(const std::string& name) {
  client::ClientSecurity s;
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
  std::unique_ptr<client::HubClient> Connect(const client::ClientSecurity& security, std::string* error) {
    auto c = std::make_unique<client::HubClient>(hub().url(), security, "itest-tls-" + std::to_string(++n_));
    if (!c->Connect(std::chrono::seconds(15), error)) return nullptr;
    return c;
  }

  std::string Log() const { return ReadFile(const_cast<HubTls*>(this)->hub().stderr_path()); }

  void SendAccepted(client::HubClient& c) {
    const client::SendOutcome o = c.Send("events", ToMessage(ValidInskrivning()));
    EXPECT_EQ(o.kind, client::SendOutcome::Kind::kAccepted) << o.condition << ": " << o.description << HubLog();
  }

  std::string certificate_ = "server.pem";
  std::string key_ = "server-key.pem";
  int n_ = 0;
};

}  // namespace slussen::testing
