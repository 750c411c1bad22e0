// The adapter's config (adapters/municipality/municipality_config.h): the demo configs load, the
// defaults, and every problem reported as file:line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/municipality/municipality_config.h"
#include "testing/files.h"
#include "testing/temp_dir.h"

namespace slussen::municipality {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::SourceDir;
using testing::TempDir;
using testing::WriteFile;

std::string Config(const std::string& serves, const std::string& system,
                   const std::string& receipts = R"(<receipts listen="127.0.0.1:0"/>)",
                   const std::string& hub = R"(<hub url="amqp://127.0.0.1:5672"/>)") {
  return "<?xml version=\"1.0\"?>\n"
         "<municipality xmlns=\"urn:slussen:adapter:municipality:1\">\n"
         "  " +
         hub +
         "\n"
         "  " +
         serves +
         "\n"
         "  " +
         system +
         "\n"
         "  " +
         receipts +
         "\n"
         "</municipality>\n";
}
const std::string kServes =
    R"(<serves sender-hsa-id="SE2120001380-SOC1"><destination id="kommun-1380"/></serves>)";
const std::string kSystem = R"(<system url="http://127.0.0.1:8090/dokument"/>)";

class ConfigTest : public ::testing::Test {
 protected:
  Result<MunicipalityConfig> Load(const std::string& text) {
    const std::string path = dir_.File("municipality.xml");
    WriteFile(path, text);
    return LoadMunicipalityConfig(path);
  }
  std::string Path() const { return dir_.File("municipality.xml"); }
  TempDir dir_{"MunicipalityConfig"};
};

TEST_F(ConfigTest, TheDemoConfigsLoad) {
  for (const char* name :
       {"municipality-1380.xml", "municipality-1383.xml", "primary-care-vc01.xml"}) {
    const auto path = (SourceDir() / "config" / "demo" / name).string();
    auto c = LoadMunicipalityConfig(path);
    ASSERT_TRUE(c.ok()) << c.error();
    EXPECT_EQ(c->hub.url, "amqp://127.0.0.1:5672") << name;
    EXPECT_EQ(c->destinations.size(), 1u) << name;
    EXPECT_EQ(c->listen.host, "127.0.0.1") << name;
  }
  auto halmstad =
      LoadMunicipalityConfig((SourceDir() / "config/demo/municipality-1380.xml").string());
  ASSERT_TRUE(halmstad.ok());
  EXPECT_EQ(halmstad->destinations[0], "kommun-1380");
  EXPECT_EQ(halmstad->sender_hsa_id, "SE2120001380-SOC1");
  EXPECT_EQ(halmstad->system.port, 8090);
  EXPECT_EQ(halmstad->listen.port, 8091);
  auto vc = LoadMunicipalityConfig((SourceDir() / "config/demo/primary-care-vc01.xml").string());
  ASSERT_TRUE(vc.ok());
  EXPECT_EQ(vc->destinations[0], "vc-SE2321000115-VC01");
  EXPECT_EQ(vc->system.port, 8093);
  EXPECT_EQ(vc->listen.port, 8094);
}

TEST_F(ConfigTest, Defaults) {
  auto c = Load(Config(kServes, kSystem));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->max_in_flight, 4);
  EXPECT_EQ(c->connect_timeout, milliseconds(5000));
  EXPECT_EQ(c->timeout, milliseconds(30000));
  EXPECT_EQ(c->hub_timeout, milliseconds(30000));
  EXPECT_EQ(c->max_body, 1024u * 1024u);
  EXPECT_FALSE(c->system.https);
  EXPECT_EQ(c->system.host, "127.0.0.1");
  EXPECT_EQ(c->system.path, "/dokument");
  EXPECT_EQ(c->listen.port, 0);
  EXPECT_TRUE(c->tls_ca.empty());
}

TEST_F(ConfigTest, EverythingWrittenOut) {
  auto c = Load(Config(
      R"(<serves sender-hsa-id="SE2321000115-VC01" max-in-flight="16">
           <destination id="vc-SE2321000115-VC01"/><destination id="kommun-1383"/></serves>)",
      R"(<system url="https://lifecare.halmstad.se:8443/api/slussen" connect-timeout="2s" timeout="1m">
           <tls ca="/etc/ca.pem" cert="/etc/me.pem" key="/etc/me.key"/></system>)",
      R"(<receipts listen="[::1]:8091" hub-timeout="10s" max-body="64k"/>)"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->max_in_flight, 16);
  EXPECT_EQ(c->destinations, (std::vector<std::string>{"vc-SE2321000115-VC01", "kommun-1383"}));
  EXPECT_TRUE(c->system.https);
  EXPECT_EQ(c->system.host, "lifecare.halmstad.se");
  EXPECT_EQ(c->system.port, 8443);
  EXPECT_EQ(c->system.path, "/api/slussen");
  EXPECT_EQ(c->system.SchemeHostPort(), "https://lifecare.halmstad.se:8443");
  EXPECT_EQ(c->tls_ca, "/etc/ca.pem");
  EXPECT_EQ(c->tls_cert, "/etc/me.pem");
  EXPECT_EQ(c->tls_key, "/etc/me.key");
  EXPECT_EQ(c->connect_timeout, milliseconds(2000));
  EXPECT_EQ(c->timeout, milliseconds(60000));
  EXPECT_EQ(c->listen.host, "::1");
  EXPECT_EQ(c->listen.port, 8091);
  EXPECT_EQ(c->hub_timeout, milliseconds(10000));
  EXPECT_EQ(c->max_body, 64u * 1024u);
}

// The schema's problems, each at its line.
TEST_F(ConfigTest, SchemaProblemsAreReportedWithFileAndLine) {
  auto c = Load(Config(
      R"(<serves sender-hsa-id="kommunen" max-in-flight="0"><destination id="Kommun 1380"/></serves>)",
      R"(<system url="ftp://127.0.0.1/x"/>)"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr(Path() + ":4: "));
  EXPECT_THAT(c.error(), HasSubstr("sender-hsa-id"));
  EXPECT_THAT(c.error(), HasSubstr("max-in-flight"));
  EXPECT_THAT(c.error(), HasSubstr(Path() + ":5: "));
}

TEST_F(ConfigTest, AMissingElementIsNamed) {
  auto c = Load(Config(kServes, "", ""));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("system"));
}

TEST_F(ConfigTest, TheWrongNamespaceIsRefused) {
  WriteFile(Path(), "<municipality xmlns=\"urn:slussen:config:1\"/>\n");
  auto c = LoadMunicipalityConfig(Path());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr(Path() + ":1: "));
}

TEST_F(ConfigTest, AMissingFileIsNamed) {
  auto c = LoadMunicipalityConfig(dir_.File("absent.xml"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("absent.xml"));
}

TEST_F(ConfigTest, TheLoadersCrossChecksHaveLines) {
  auto c = Load(
      Config(kServes,
             R"(<system url="http://127.0.0.1:8090/" timeout="0s"><tls cert="/c.pem"/></system>)"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(),
              HasSubstr(Path() + ":5: connect-timeout and timeout must be longer than 0"));
  EXPECT_THAT(c.error(), HasSubstr("cert and key come together"));
  EXPECT_THAT(c.error(), HasSubstr("<tls> needs an https:// url"));
}

TEST_F(ConfigTest, ABadPortIsReported) {
  auto c = Load(Config(kServes, R"(<system url="http://127.0.0.1:99999/"/>)",
                       R"(<receipts listen="127.0.0.1:70000"/>)"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr(Path() + ":5: url: the URL's port is not 1-65535"));
  EXPECT_THAT(c.error(), HasSubstr(Path() + ":6: listen: the port is not 0-65535"));
}

TEST_F(ConfigTest, TheHubElementIsTheRuntimes) {
  auto c = Load(Config(
      kServes, kSystem, R"(<receipts listen="127.0.0.1:0"/>)",
      R"(<hub url="amqp://127.0.0.1:5999" container-id="muni-1"><sasl mechanism="PLAIN"/></hub>)"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("mechanism PLAIN needs user and password-file"));
}

TEST(ParseHttpUrl, FormsAndRefusals) {
  auto a = ParseHttpUrl("http://example.se");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->port, 80);
  EXPECT_EQ(a->path, "/");
  auto b = ParseHttpUrl("https://[::1]:8443/x?y=1");
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 8443);
  EXPECT_EQ(b->path, "/x?y=1");
  EXPECT_EQ(b->SchemeHostPort(), "https://[::1]:8443");
  auto c = ParseHttpUrl("https://h");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 443);
  EXPECT_FALSE(ParseHttpUrl("ftp://h/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://user:pw@h/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://h:0/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://h:x/").ok());
  EXPECT_FALSE(ParseHttpUrl("http:///path").ok());
}

TEST(ParseHostPort, FormsAndRefusals) {
  auto a = ParseHostPort("127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 0);
  auto b = ParseHostPort("[::1]:8091");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_FALSE(ParseHostPort("127.0.0.1").ok());
  EXPECT_FALSE(ParseHostPort("::1:80").ok());
  EXPECT_FALSE(ParseHostPort("h:65536").ok());
  EXPECT_FALSE(ParseHostPort(":80").ok());
}

}  // namespace
}  // namespace slussen::municipality
