// LoadTls with the test PKI of deploy/pki/make-test-ca.sh: each client-certificate mode builds a
// domain (the "optional" one through its guarded change of Proton's SSL_CTX), and every bad file
// is refused with its name.
#include "transport/tls_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/temp_dir.h"
#include "build_paths/source_dir.h"

namespace slussen {
namespace {

using ::testing::HasSubstr;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = testing::RunProcess(
        {"/bin/sh", SLUSSEN_SOURCE_DIR "/deploy/pki/make-test-ca.sh", pki_.path()});
    ASSERT_TRUE(r.status.Ok()) << r.err;
    tls_.certificate_path = pki_.File("server.pem");
    tls_.key_path = pki_.File("server-key.pem");
    tls_.ca_path = pki_.File("ca.pem");
  }

  testing::TempDir pki_{"slussen-tls-unit"};
  TlsConfig tls_;
};

TEST_F(TlsContextTest, EveryClientCertificateModeBuildsADomain) {
  using CC = TlsConfig::ClientCertificates;
  for (CC mode : {CC::kNone, CC::kOptional, CC::kRequired}) {
    tls_.client_certificates = mode;
    for (bool allow_plain : {false, true}) {
      auto ctx = LoadTls(tls_, allow_plain, 7);
      ASSERT_TRUE(ctx) << ctx.error();
      EXPECT_NE((*ctx)->domain, nullptr);
      EXPECT_EQ((*ctx)->generation, 7u);
    }
  }
}

TEST_F(TlsContextTest, AKeyReadableByOthersIsRefusedByName) {
  ::chmod(tls_.key_path.c_str(), 0640);
  auto ctx = LoadTls(tls_, false, 1);
  ASSERT_FALSE(ctx);
  EXPECT_THAT(ctx.error(), HasSubstr(tls_.key_path));
  EXPECT_THAT(ctx.error(), HasSubstr("readable by group or others"));
}

TEST_F(TlsContextTest, MissingOrBrokenFilesAreRefusedByName) {
  TlsConfig missing = tls_;
  missing.certificate_path = pki_.File("nope.pem");
  auto a = LoadTls(missing, false, 1);
  ASSERT_FALSE(a);
  EXPECT_THAT(a.error(), HasSubstr(missing.certificate_path));

  testing::WriteFile(pki_.File("broken.pem"), "not a certificate\n");
  TlsConfig broken = tls_;
  broken.certificate_path = pki_.File("broken.pem");
  auto b = LoadTls(broken, false, 1);
  ASSERT_FALSE(b);
  EXPECT_THAT(b.error(), HasSubstr(broken.certificate_path));

  // A key that is not the certificate's.
  TlsConfig mismatched = tls_;
  mismatched.key_path = pki_.File("client-key.pem");
  auto c = LoadTls(mismatched, false, 1);
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error(), HasSubstr("not a PEM certificate chain and its private key"));

  TlsConfig ciphers = tls_;
  ciphers.ciphers = "NO-SUCH-CIPHER";
  EXPECT_FALSE(LoadTls(ciphers, false, 1));
}

}  // namespace
}  // namespace slussen
