// <amqp plain><tls> and <adapters>: who may connect, and what each adapter may do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.h"
#include "loader_test_support.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kHash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$8Ei2vid3yH8YbYfw+Rj62w$z3TWZ9C1/ULN8GkIvcXo3Bvp/A3MU9dtbw9jfDXaywM";

// AMQP_ATTRS, AMQP_CHILDREN and ADAPTERS are replaced by each test.
constexpr char kBase[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<slussen xmlns="urn:slussen:config:1">
  <hub name="test">
    <amqp host="127.0.0.1" port="0" AMQP_ATTRS>AMQP_CHILDREN</amqp>
    <store path="test.db"/>
  </hub>
  <kommuner>
    <kommun kod="1380"/>
    <kommun kod="1383"/>
  </kommuner>
  <destinations>
    <destination id="ehr-halland" name="EHR"/>
  </destinations>
  <senders>
    <sender hsa-id="SE2321000115-SH01" name="Sjukhus"
            may-send="Inskrivningsmeddelande Utskrivningsklar Cancellation"/>
    <sender hsa-id="SE2120001380-SOC1" name="Halmstad" may-send="PlaneringsunderlagSvar Receipt"/>
  </senders>
  <adapters>ADAPTERS</adapters>
  <routes>
    <route event="Inskrivningsmeddelande" kommun="true"/>
  </routes>
</slussen>
)";

class SecurityConfigTest : public LoaderTest {
 protected:
  Result<Config> Load(const std::string& amqp_attrs, const std::string& amqp_children,
                      const std::string& adapters) {
    std::string text = Edit(kBase, "AMQP_ATTRS", amqp_attrs);
    text = Edit(text, "AMQP_CHILDREN", amqp_children);
    text = Edit(text, "ADAPTERS", adapters);
    return LoadConfig(Write("hub.xml", text));
  }
  static std::string Tls(const std::string& extra = "") {
    return R"(<tls certificate="pki/hub.pem" key="/etc/slussen/hub.key" ca="pki/ca.pem" )" +
           extra + "/>";
  }
};

TEST_F(SecurityConfigTest, TlsListenerWithAdaptersLoads) {
  auto cfg = Load("", Tls(), std::string(R"(
    <adapter name="ehr">
      <login user="ehr" password-hash=")") + kHash + R"("/>
      <login certificate-subject="CN=ehr,O=Region Halland,C=SE"/>
      <sends as="SE2321000115-SH01" may-send="Inskrivningsmeddelande Cancellation Receipt"/>
      <reads destinations="ehr-halland"/>
    </adapter>
    <adapter name="kommun-1380">
      <login user="k1380" password-hash=")" + kHash + R"("/>
      <sends as="SE2120001380-SOC1"/>
      <reads destinations="kommun-1380"/>
      <receipts-for destinations="kommun-1380"/>
    </adapter>)");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  ASSERT_TRUE(cfg->amqp_tls.has_value());
  EXPECT_FALSE(cfg->amqp_allow_plain);
  EXPECT_EQ(cfg->amqp_tls->certificate_path, (dir_ / "pki" / "hub.pem").string());
  EXPECT_EQ(cfg->amqp_tls->key_path, "/etc/slussen/hub.key");
  EXPECT_EQ(cfg->amqp_tls->client_certificates, TlsConfig::ClientCertificates::kOptional);
  EXPECT_EQ(cfg->amqp_tls->protocols, "TLSv1.2 TLSv1.3");

  using M = AdapterLogin::Mechanism;
  const AdapterConfig* ehr = cfg->FindAdapterByLogin(M::kPlain, "ehr");
  ASSERT_NE(ehr, nullptr);
  EXPECT_EQ(ehr->name, "ehr");
  EXPECT_EQ(cfg->FindAdapterByLogin(M::kExternal, "CN=ehr,O=Region Halland,C=SE"), ehr);
  EXPECT_EQ(cfg->FindAdapterByLogin(M::kExternal, "ehr"), nullptr);
  EXPECT_EQ(cfg->FindAdapterByLogin(M::kPlain, "nobody"), nullptr);
  EXPECT_EQ(cfg->FindAdapterByLogin(M::kAnonymous, ""), nullptr);
  // may-send narrows the sender's own kinds; it never widens them (Receipt is not the
  // hospital's).
  EXPECT_TRUE(ehr->MaySend("SE2321000115-SH01", EventKind::kInskrivningsmeddelande));
  EXPECT_TRUE(ehr->MaySend("SE2321000115-SH01", EventKind::kCancellation));
  EXPECT_FALSE(ehr->MaySend("SE2321000115-SH01", EventKind::kUtskrivningsklar));
  EXPECT_FALSE(ehr->MaySend("SE2321000115-SH01", EventKind::kReceipt));
  EXPECT_FALSE(ehr->MaySend("SE2120001380-SOC1", EventKind::kReceipt));
  EXPECT_TRUE(ehr->reads.Contains("ehr-halland"));
  EXPECT_FALSE(ehr->reads.Contains("kommun-1380"));
  EXPECT_FALSE(ehr->receipts_for.Contains("ehr-halland"));

  const AdapterConfig* kommun = cfg->FindAdapter("kommun-1380");
  ASSERT_NE(kommun, nullptr);
  EXPECT_TRUE(kommun->MaySend("SE2120001380-SOC1", EventKind::kReceipt));
  EXPECT_TRUE(kommun->receipts_for.Contains("kommun-1380"));
  EXPECT_FALSE(kommun->receipts_for.Contains("kommun-1383"));
}

TEST_F(SecurityConfigTest, AnonymousAdapterOnAPlainLoopbackListenerMayBeGivenEverything) {
  auto cfg = Load(R"(plain="allow")", "",
                  R"(<adapter name="local"><login anonymous="true"/><sends as="*"/>
                     <reads destinations="*"/><receipts-for destinations="*"/></adapter>)");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_TRUE(cfg->amqp_allow_plain);
  EXPECT_FALSE(cfg->amqp_tls.has_value());
  const AdapterConfig* local = cfg->FindAdapterByLogin(AdapterLogin::Mechanism::kAnonymous, "");
  ASSERT_NE(local, nullptr);
  EXPECT_TRUE(local->MaySend("SE2120001380-SOC1", EventKind::kReceipt));
  EXPECT_TRUE(local->MaySend("SE2321000115-SH01", EventKind::kUtskrivningsklar));
  EXPECT_FALSE(local->MaySend("SE2321000115-SH01", EventKind::kReceipt));
  EXPECT_TRUE(local->reads.Contains("kommun-1383"));
  EXPECT_TRUE(local->receipts_for.Contains("anything"));
}

TEST_F(SecurityConfigTest, NoAdaptersMeansNobody) {
  auto cfg = Load(R"(plain="allow")", "", "");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_TRUE(cfg->adapters.empty());
  EXPECT_EQ(cfg->FindAdapterByLogin(AdapterLogin::Mechanism::kAnonymous, ""), nullptr);
}

struct BrokenSecurity {
  std::string name, amqp_attrs, amqp_children, adapters;
  int line;
  std::string message;
};

class SecurityConfigBroken : public SecurityConfigTest,
                             public ::testing::WithParamInterface<BrokenSecurity> {};

TEST_P(SecurityConfigBroken, IsRefusedWithFileAndLine) {
  const BrokenSecurity& c = GetParam();
  auto cfg = Load(c.amqp_attrs, c.amqp_children, c.adapters);
  ASSERT_FALSE(cfg.ok());
  ExpectReportAt(cfg.error(), (dir_ / "hub.xml").string(), c.line, c.message);
}

const std::string kPlainLogin = std::string(R"(<login user="u" password-hash=")") + kHash + R"("/>)";

INSTANTIATE_TEST_SUITE_P(
    Cases, SecurityConfigBroken,
    ::testing::Values(
        BrokenSecurity{"NeitherTlsNorPlain", "", "", "", 4,
                       "amqp listener has neither <tls> nor plain=\"allow\""},
        BrokenSecurity{"OldTlsProtocol", "", "<tls certificate=\"c\" key=\"k\" ca=\"a\" "
                       "protocols=\"TLSv1.1 TLSv1.2\"/>", "", 4,
                       "protocols: 'TLSv1.1' is not allowed (TLSv1.2 and TLSv1.3 only)"},
        BrokenSecurity{"ClearPasswordInsteadOfHash", R"(plain="allow")", "",
                       R"(<adapter name="a"><login user="u" password-hash="secret"/></adapter>)",
                       19, "adapter a: password-hash must be an argon2id hash"},
        BrokenSecurity{"OneUserTwoAdapters", R"(plain="allow")", "",
                       "<adapter name=\"a\">" + kPlainLogin + "</adapter><adapter name=\"b\">" +
                           kPlainLogin + "</adapter>",
                       19, "login user of adapter b is already adapter a's"},
        BrokenSecurity{"TwoAnonymousAdapters", R"(plain="allow")", "",
                       R"(<adapter name="a"><login anonymous="true"/></adapter>
                          <adapter name="b"><login anonymous="true"/></adapter>)",
                       20, "adapter b: adapter a already has the anonymous login"},
        BrokenSecurity{"AnonymousOnTls", "", "<tls certificate=\"c\" key=\"k\" ca=\"a\"/>",
                       R"(<adapter name="a"><login anonymous="true"/></adapter>)", 19,
                       "an anonymous login needs a loopback listener with plain=\"allow\""},
        BrokenSecurity{"CertificateLoginWithoutTls", R"(plain="allow")", "",
                       R"(<adapter name="a"><login certificate-subject="CN=a"/></adapter>)", 19,
                       "a certificate login needs <amqp><tls>"},
        BrokenSecurity{"LoginWithoutMechanism", R"(plain="allow")", "",
                       R"(<adapter name="a"><login/></adapter>)", 19,
                       "a login needs user and password-hash, certificate-subject, or "
                       "anonymous=\"true\""},
        BrokenSecurity{"SendsAsUnknownSender", R"(plain="allow")", "",
                       "<adapter name=\"a\">" + kPlainLogin +
                           R"(<sends as="SE2321000115-XX99"/></adapter>)",
                       19, "adapter a: sends as SE2321000115-XX99, which is not a <sender>"},
        BrokenSecurity{"ReadsUnknownDestination", R"(plain="allow")", "",
                       "<adapter name=\"a\">" + kPlainLogin +
                           R"(<reads destinations="kommun-1381"/></adapter>)",
                       19, "adapter a: destinations names kommun-1381, which is not a destination"},
        BrokenSecurity{"DuplicateAdapter", R"(plain="allow")", "",
                       R"(<adapter name="a"><login anonymous="true"/></adapter><adapter name="a"><login user="x" password-hash="$argon2id$x"/></adapter>)",
                       19, "adapter a is configured twice"}),
    CaseName<BrokenSecurity>);

}  // namespace
}  // namespace slussen::testing
