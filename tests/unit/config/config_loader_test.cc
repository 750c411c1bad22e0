#include "config/config_loader.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "loader_test_support.h"

namespace slussen::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A small valid config. The broken cases below each change one line of it, so the line numbers
// in their expectations are the line numbers here.
constexpr char kValid[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<slussen xmlns="urn:slussen:config:1">
  <hub name="test">
    <amqp host="127.0.0.1" port="0" plain="allow"/>
    <store path="test.db"/>
  </hub>
  <kommuner>
    <kommun kod="1380" name="Halmstad"/>
    <kommun kod="1383"/>
  </kommuner>
  <vardcentraler>
    <vardcentral hsa-id="SE2321000115-VC01" name="VC Andersberg"/>
  </vardcentraler>
  <destinations>
    <destination id="ehr-halland" name="EHR"/>
  </destinations>
  <senders>
    <sender hsa-id="SE2321000115-SH01" name="Sjukhus" may-send="Inskrivningsmeddelande Receipt"/>
  </senders>
  <routes>
    <route event="Inskrivningsmeddelande" kommun="true" primary-care="true"/>
    <route event="PlaneringsunderlagSvar" to="ehr-halland"/>
  </routes>
</slussen>
)";

using ConfigLoaderTest = LoaderTest;

TEST_F(ConfigLoaderTest, DemoConfigLoads) {
  const std::string path = (SourceDir() / "config" / "demo.xml").string();
  auto cfg = LoadConfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.error();

  EXPECT_EQ(cfg->source_path, path);
  EXPECT_EQ(cfg->amqp_host, "127.0.0.1");
  EXPECT_EQ(cfg->amqp_port, 5672);
  EXPECT_EQ(cfg->store_path, (SourceDir() / "config" / "slussen-demo.db").lexically_normal());
  EXPECT_EQ(cfg->clock_skew, std::chrono::seconds(300));
  EXPECT_EQ(cfg->max_message_bytes, 1048576u);
  EXPECT_EQ(cfg->commit_batch_max, 256u);
  EXPECT_EQ(cfg->max_events_per_case, 5000u);
  EXPECT_EQ(cfg->case_cache_events, 10000u);

  ASSERT_EQ(cfg->kommuner.size(), 6u);
  const KommunConfig* halmstad = cfg->FindKommun("1380");
  ASSERT_NE(halmstad, nullptr);
  EXPECT_EQ(halmstad->name, "Halmstad");
  EXPECT_EQ(halmstad->destination, "kommun-1380");
  EXPECT_EQ(cfg->vardcentraler.size(), 3u);
  ASSERT_NE(cfg->FindVardcentral("SE2321000115-VC01"), nullptr);
  EXPECT_EQ(cfg->FindVardcentral("SE2321000115-VC01")->destination, "vc-SE2321000115-VC01");
  EXPECT_EQ(cfg->AllDestinations().size(), 6u + 3u + 2u);
  EXPECT_TRUE(cfg->IsDestination("ehr-halland"));
  EXPECT_TRUE(cfg->IsDestination("letter"));

  EXPECT_EQ(cfg->senders.size(), 2u + 6u + 3u);
  const SenderConfig* hospital = cfg->FindSender("SE2321000115-SH01");
  ASSERT_NE(hospital, nullptr);
  // The 8 kinds of lag 2017:612 messages plus ClockStopper, Utskrivning (the discharge fact) and
  // SipBedomning.
  EXPECT_EQ(hospital->may_send.size(), 11u);
  EXPECT_EQ(hospital->may_send.count(EventKind::kReceipt), 0u);
  const SenderConfig* social = cfg->FindSender("SE2120001380-SOC1");
  ASSERT_NE(social, nullptr);
  EXPECT_EQ(social->may_send,
            (std::set<EventKind>{EventKind::kPlaneringsunderlagSvar, EventKind::kReceipt}));

  // Every kind has a route.
  EXPECT_EQ(cfg->routes.size(), AllEventKinds().size());
  const RouteConfig* inskrivning = cfg->FindRoute(EventKind::kInskrivningsmeddelande);
  ASSERT_NE(inskrivning, nullptr);
  EXPECT_TRUE(inskrivning->to_kommun);
  EXPECT_TRUE(inskrivning->to_primary_care);
  EXPECT_TRUE(inskrivning->to.empty());
  const RouteConfig* svar = cfg->FindRoute(EventKind::kPlaneringsunderlagSvar);
  ASSERT_NE(svar, nullptr);
  EXPECT_FALSE(svar->to_kommun);
  EXPECT_EQ(svar->to, std::vector<std::string>{"ehr-halland"});
  const RouteConfig* receipt = cfg->FindRoute(EventKind::kReceipt);
  ASSERT_NE(receipt, nullptr);
  EXPECT_FALSE(receipt->to_kommun || receipt->to_primary_care || !receipt->to.empty());

  EXPECT_EQ(cfg->reservnummer_issuers.size(), 4u);
  EXPECT_TRUE(cfg->KnowsReservnummerOid("1.2.752.97.3.1.3"));
  EXPECT_FALSE(cfg->KnowsReservnummerOid("1.2.752.129.2.1.3.1"));  // personnummer's own OID
}

// Issue 15 item 6: the discharge fact (Utskrivning) may be routed to no one, for the hub's case
// tracking alone, like a Receipt; any other kind routed to no one is still refused.
TEST_F(ConfigLoaderTest, OnlyReceiptsAndTheDischargeFactMayEndAtTheHub) {
  const std::string anchor = "<route event=\"PlaneringsunderlagSvar\" to=\"ehr-halland\"/>";
  auto ok = LoadConfig(Write("discharge.xml",
                             Edit(kValid, anchor, anchor + "\n<route event=\"Utskrivning\"/>")));
  ASSERT_TRUE(ok.ok()) << ok.error();
  const RouteConfig* route = ok->FindRoute(EventKind::kUtskrivning);
  ASSERT_NE(route, nullptr);
  EXPECT_FALSE(route->to_kommun || route->to_primary_care || !route->to.empty());

  auto refused = LoadConfig(Write("sip.xml",
                                  Edit(kValid, anchor, anchor + "\n<route event=\"SipBedomning\"/>")));
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error(), ::testing::HasSubstr("route for SipBedomning delivers to no one"));
}

TEST_F(ConfigLoaderTest, SmallConfigLoadsWithDefaults) {
  auto cfg = LoadConfig(Write("ok.xml", kValid));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->hub_name, "test");
  EXPECT_EQ(cfg->amqp_port, 0);
  // No <limits>: the defaults.
  EXPECT_EQ(cfg->max_message_bytes, 1024u * 1024u);
  EXPECT_EQ(cfg->clock_skew, std::chrono::seconds(300));
  EXPECT_EQ(cfg->commit_batch_max, 256u);
  EXPECT_EQ(cfg->store_backend, "sqlite");
  // No <transport>: the defaults.
  EXPECT_EQ(cfg->transport.max_connections, 1000u);
  EXPECT_EQ(cfg->transport.max_frame_size, 65536u);
  EXPECT_EQ(cfg->transport.idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(cfg->transport.max_unsettled_inbound, 2000);
  EXPECT_EQ(cfg->transport.max_unsettled_outbound, 2000);
  // A kommun without a name gets SCB's.
  ASSERT_NE(cfg->FindKommun("1383"), nullptr);
  EXPECT_EQ(cfg->FindKommun("1383")->name, "Varberg");
  // may-send accepts only what is listed.
  EXPECT_EQ(cfg->FindSender("SE2321000115-SH01")->may_send,
            (std::set<EventKind>{EventKind::kInskrivningsmeddelande, EventKind::kReceipt}));
}

TEST_F(ConfigLoaderTest, LimitsAreRead) {
  auto cfg = LoadConfig(Write(
      "limits.xml",
      Edit(kValid, "<store path=\"test.db\"/>",
           "<store path=\"test.db\"/><limits max-message-bytes=\"4096\" "
           "clock-skew-seconds=\"60\" commit-batch-max=\"10\" max-events-per-case=\"7\" "
           "case-cache-events=\"99\"/>")));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->max_message_bytes, 4096u);
  EXPECT_EQ(cfg->clock_skew, std::chrono::seconds(60));
  EXPECT_EQ(cfg->commit_batch_max, 10u);
  EXPECT_EQ(cfg->max_events_per_case, 7u);
  EXPECT_EQ(cfg->case_cache_events, 99u);
}

TEST_F(ConfigLoaderTest, TransportBoundsAreRead) {
  auto cfg = LoadConfig(Write(
      "transport.xml",
      Edit(kValid, "<store path=\"test.db\"/>",
           "<store path=\"test.db\"/><transport max-connections=\"7\" max-frame-size=\"4096\" "
           "idle-timeout-seconds=\"9\" max-unsettled-inbound=\"11\" "
           "max-unsettled-outbound=\"13\"/>")));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->transport.max_connections, 7u);
  EXPECT_EQ(cfg->transport.max_frame_size, 4096u);
  EXPECT_EQ(cfg->transport.idle_timeout, std::chrono::seconds(9));
  EXPECT_EQ(cfg->transport.max_unsettled_inbound, 11);
  EXPECT_EQ(cfg->transport.max_unsettled_outbound, 13);
}

// The log-pseudonym key: read from its file (relative to the config), which must be private and
// long enough; each problem names the config's file and line.
TEST_F(ConfigLoaderTest, ThePseudonymKeyIsReadFromAPrivateFile) {
  const std::string logging = "<store path=\"test.db\"/>\n    <logging pseudonym-key-file=\"key\"/>";
  const std::string key(48, 'k');
  Write("key", key + "\n");
  ::chmod((dir_ / "key").c_str(), 0600);
  auto cfg = LoadConfig(Write("logging.xml", Edit(kValid, "<store path=\"test.db\"/>", logging)));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->log_pseudonym_key, key);

  ::chmod((dir_ / "key").c_str(), 0644);
  auto open = LoadConfig(Write("open.xml", Edit(kValid, "<store path=\"test.db\"/>", logging)));
  ASSERT_FALSE(open.ok());
  ExpectReportAt(open.error(), (dir_ / "open.xml").string(), 6, "readable by group or others");

  Write("key", "short\n");
  ::chmod((dir_ / "key").c_str(), 0600);
  auto short_key = LoadConfig(Write("short.xml", Edit(kValid, "<store path=\"test.db\"/>", logging)));
  ASSERT_FALSE(short_key.ok());
  ExpectReportAt(short_key.error(), (dir_ / "short.xml").string(), 6, "needs at least 32");

  auto none = LoadConfig(Write("none.xml", kValid));
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_TRUE(none->log_pseudonym_key.empty());
}

TEST_F(ConfigLoaderTest, RelativeStorePathIsRelativeToTheConfigFile) {
  Write("rel.xml", Edit(kValid, "test.db", "data/../state/hub.db"));
  // Load through a relative path too, so that the config's own directory must be made absolute.
  const fs::path old_cwd = fs::current_path();
  fs::current_path(dir_.parent_path());
  auto cfg = LoadConfig((dir_.filename() / "rel.xml").string());
  fs::current_path(old_cwd);
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->source_path, (dir_.filename() / "rel.xml").string());
  EXPECT_EQ(fs::path(cfg->store_path), (dir_ / "state" / "hub.db").lexically_normal());
  EXPECT_TRUE(fs::path(cfg->store_path).is_absolute());
}

TEST_F(ConfigLoaderTest, AbsoluteStorePathIsKept) {
  auto cfg = LoadConfig(Write("abs.xml", Edit(kValid, "test.db", "/var/lib/slussen/hub.db")));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->store_path, "/var/lib/slussen/hub.db");
}

TEST_F(ConfigLoaderTest, StoreBackendIsRead) {
  auto cfg = LoadConfig(Write(
      "backend.xml",
      Edit(kValid, "<store path=\"test.db\"/>", "<store path=\"test.db\" backend=\"sqlite\"/>")));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->store_backend, "sqlite");
}

TEST_F(ConfigLoaderTest, RoutesMayNameKommunAndVardcentralDestinations) {
  auto cfg = LoadConfig(Write(
      "to.xml", Edit(kValid, "to=\"ehr-halland\"",
                     "to=\"ehr-halland kommun-1383 vc-SE2321000115-VC01\"")));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->FindRoute(EventKind::kPlaneringsunderlagSvar)->to,
            (std::vector<std::string>{"ehr-halland", "kommun-1383", "vc-SE2321000115-VC01"}));
}

TEST_F(ConfigLoaderTest, LoopbackHostsAreAccepted) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
    auto cfg = LoadConfig(
        Write("host.xml", Edit(kValid, "host=\"127.0.0.1\"", std::string("host=\"") + host + "\"")));
    EXPECT_TRUE(cfg.ok()) << host << ": " << cfg.error();
  }
}

TEST_F(ConfigLoaderTest, MissingFile) {
  const std::string path = (dir_ / "nope.xml").string();
  auto cfg = LoadConfig(path);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error(), path + ": cannot read: No such file or directory");
}

TEST_F(ConfigLoaderTest, DirectoryIsNotAFile) {
  auto cfg = LoadConfig(dir_.string());
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error(), dir_.string() + ": cannot read: Is a directory");
}

struct BrokenCase {
  const char* name;
  const char* from;  // a unique piece of kValid
  const char* to;    // what it becomes
  int line;          // where the (first) error must point
  const char* message;
};

// So that a failing case is named in gtest's output rather than dumped as bytes.
void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.name; }

class BrokenConfigTest : public ConfigLoaderTest,
                         public ::testing::WithParamInterface<BrokenCase> {};

TEST_F(ConfigLoaderTest, OffHoursDestinationIsLoaded) {
  const std::string path = Write(
      "off-hours.xml",
      Edit(Edit(kValid, "<kommun kod=\"1383\"/>",
                "<kommun kod=\"1383\" off-hours-destination=\"kommun-helg\"/>"),
           "<destination id=\"ehr-halland\" name=\"EHR\"/>",
           "<destination id=\"ehr-halland\" name=\"EHR\"/><destination id=\"kommun-helg\" name=\"Helgteam\"/>"));
  auto cfg = LoadConfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->FindKommun("1383")->off_hours_destination, "kommun-helg");
  EXPECT_EQ(cfg->FindKommun("1380")->off_hours_destination, "");
}

TEST_P(BrokenConfigTest, ReportsFileLineAndMessage) {
  const BrokenCase& c = GetParam();
  const std::string path = Write(std::string(c.name) + ".xml", Edit(kValid, c.from, c.to));
  auto cfg = LoadConfig(path);
  ASSERT_FALSE(cfg.ok());
  ExpectReportAt(cfg.error(), path, c.line, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BrokenConfigTest,
    ::testing::Values(
        BrokenCase{"UnclosedTag", "<kommun kod=\"1383\"/>", "<kommun kod=\"1383\">", 10,
                   "Opening and ending tag mismatch: kommun line 9 and kommuner"},
        BrokenCase{"NotXmlAtAll", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<slussen",
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n&<slussen", 2,
                   "Start tag expected, '<' not found"},
        BrokenCase{"Empty", kValid, "\n \n", 1, "the file is empty"},
        BrokenCase{"Doctype", "<slussen xmlns",
                   "<!DOCTYPE slussen [<!ENTITY e \"x\">]>\n<slussen xmlns", 3,
                   "DOCTYPE and entities are not allowed"},
        BrokenCase{"WrongNamespace", "xmlns=\"urn:slussen:config:1\"",
                   "xmlns=\"urn:slussen:config:2\"", 2,
                   "the root element must be <slussen xmlns=\"urn:slussen:config:1\">"},
        BrokenCase{"UnknownElement", "<store path=\"test.db\"/>",
                   "<store path=\"test.db\"/><colour/>", 5,
                   "Element 'colour': This element is not expected"},
        BrokenCase{"MissingRequiredAttribute", "<store path=\"test.db\"/>", "<store/>", 5,
                   "The attribute 'path' is required but missing"},
        BrokenCase{"UnknownStoreBackend", "<store path=\"test.db\"/>",
                   "<store path=\"test.db\" backend=\"postgresql\"/>", 5,
                   "attribute 'backend': [facet 'enumeration'] The value 'postgresql' is not an "
                   "element of the set {'sqlite'}"},
        BrokenCase{"BadKodPattern", "kod=\"1380\"", "kod=\"138\"", 8,
                   "Element 'kommun', attribute 'kod': [facet 'pattern'] The value '138' is not "
                   "accepted by the pattern '[0-9]{4}'"},
        BrokenCase{"UnknownKommunkod", "kod=\"1383\"", "kod=\"9999\"", 9,
                   "no Swedish municipality has kommunkod 9999"},
        BrokenCase{"KommunNameMismatch", "name=\"Halmstad\"", "name=\"Halmstads\"", 8,
                   "kommunkod 1380 is Halmstad, not 'Halmstads'"},
        BrokenCase{"OffHoursDestinationUndeclared", "<kommun kod=\"1383\"/>",
                   "<kommun kod=\"1383\" off-hours-destination=\"kommun-1383-helg\"/>", 9,
                   "kommun 1383: off-hours-destination 'kommun-1383-helg' is not declared"},
        BrokenCase{"DuplicateKommun", "kod=\"1383\"", "kod=\"1380\"", 9,
                   "Duplicate key-sequence ['1380']"},
        BrokenCase{"BadHsaId", "hsa-id=\"SE2321000115-VC01\"", "hsa-id=\"SE232100-VC01\"", 12,
                   "'SE232100-VC01' is not accepted by the pattern"},
        BrokenCase{"DestinationClash", "id=\"ehr-halland\"", "id=\"kommun-1380\"", 15,
                   "destination id 'kommun-1380' is already used by kommun 1380 on line 8"},
        BrokenCase{"BadMaySend", "may-send=\"Inskrivningsmeddelande Receipt\"",
                   "may-send=\"Inskrivningsmeddelande Kvittens\"", 18,
                   "The value 'Kvittens' is not an element of the set"},
        BrokenCase{"DuplicateRoute", "event=\"PlaneringsunderlagSvar\"",
                   "event=\"Inskrivningsmeddelande\"", 22,
                   "Duplicate key-sequence ['Inskrivningsmeddelande']"},
        BrokenCase{"RouteToUndeclaredDestination", "to=\"ehr-halland\"", "to=\"ehr-skane\"", 22,
                   "route for PlaneringsunderlagSvar: destination 'ehr-skane' is not declared"},
        BrokenCase{"RouteToUnconfiguredKommun", "to=\"ehr-halland\"", "to=\"kommun-0180\"", 22,
                   "destination 'kommun-0180' is not declared"},
        BrokenCase{"RouteToNoOne", "kommun=\"true\" primary-care=\"true\"", "", 21,
                   "route for Inskrivningsmeddelande delivers to no one"},
        BrokenCase{"NonLoopbackHost", "host=\"127.0.0.1\"", "host=\"0.0.0.0\"", 4,
                   "amqp host 0.0.0.0 is not loopback: plain=\"allow\" is only allowed on a "
                   "loopback listener"},
        BrokenCase{"PortOutOfRange", "port=\"0\"", "port=\"65536\"", 4,
                   "attribute 'port': '65536' is not a valid value"},
        BrokenCase{"ZeroLimit", "<store path=\"test.db\"/>",
                   "<store path=\"test.db\"/>\n<limits commit-batch-max=\"0\"/>", 6,
                   "attribute 'commit-batch-max': [facet 'minInclusive']"},
        BrokenCase{"TinyFrameSize", "<store path=\"test.db\"/>",
                   "<store path=\"test.db\"/>\n<transport max-frame-size=\"100\"/>", 6,
                   "attribute 'max-frame-size': [facet 'minInclusive']"}),
    CaseName<BrokenCase>);

TEST_F(ConfigLoaderTest, AllSchemaErrorsAreReported) {
  std::string text = Edit(kValid, "kod=\"1380\"", "kod=\"13800\"");
  text = Edit(text, "port=\"0\"", "port=\"-1\"");
  const std::string path = Write("many-schema.xml", text);
  auto cfg = LoadConfig(path);
  ASSERT_FALSE(cfg.ok());
  EXPECT_THAT(cfg.error(), HasSubstr(path + ":4: "));
  EXPECT_THAT(cfg.error(), HasSubstr(path + ":8: "));
}

TEST_F(ConfigLoaderTest, AllSemanticErrorsAreReportedInFileOrder) {
  std::string text = Edit(kValid, "host=\"127.0.0.1\"", "host=\"10.0.0.1\"");
  text = Edit(text, "kod=\"1383\"", "kod=\"9999\"");
  text = Edit(text, "to=\"ehr-halland\"", "to=\"ehr-skane\"");
  const std::string path = Write("many.xml", text);
  auto cfg = LoadConfig(path);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error(),
            path + ":4: amqp host 10.0.0.1 is not loopback: plain=\"allow\" is only allowed "
                   "on a loopback listener (patient data would cross the network unencrypted)\n" +
                path + ":9: no Swedish municipality has kommunkod 9999\n" + path +
                ":22: route for PlaneringsunderlagSvar: destination 'ehr-skane' is not declared "
                "(declare it in <destinations>, or configure the kommun or vårdcentral it "
                "belongs to)");
}

// libxml2 records an element at the line where its start tag ends, which for an attribute error
// on the last line of a long tag is the line the reader needs.
TEST_F(ConfigLoaderTest, MultiLineElementGetsALineOfItsOwn) {
  const std::string path = Write(
      "multi.xml", Edit(kValid, "name=\"Sjukhus\" may-send=\"Inskrivningsmeddelande Receipt\"",
                        "name=\"Sjukhus\"\n            may-send=\"Inskrivningsmeddelande Kvitto\""));
  auto cfg = LoadConfig(path);
  ASSERT_FALSE(cfg.ok());
  EXPECT_THAT(cfg.error(), StartsWith(path + ":19: "));
}

TEST_F(ConfigLoaderTest, LeavesLibxml2ErrorHandlerAsItFoundIt) {
  ExpectLeavesLibxml2ErrorHandler([&] {
    EXPECT_FALSE(LoadConfig(Write("broken.xml", "<slussen")).ok());
    EXPECT_TRUE(LoadConfig(Write("ok.xml", kValid)).ok());
  });
}

TEST(EmbeddedConfigXsdTest, IsTheSchemaInTheSourceTree) {
  ExpectEmbeddedSchemaIs(EmbeddedConfigXsd(), "schemas/config.xsd");
}

}  // namespace
}  // namespace slussen::testing

namespace slussen::testing {
namespace {

// <audit> and <retention> (hub/DESIGN.md "Audit log and retention"): the patient-key secret from
// a private file of its own, the letter destination, the periods in the duration syntax, and an
// audit period shorter than the cases' refused.
TEST_F(ConfigLoaderTest, AuditAndRetention) {
  const std::string key(48, 'a');
  Write("audit.key", key + "\n");
  ::chmod((dir_ / "audit.key").c_str(), 0600);
  const std::string store = "<store path=\"test.db\"/>";
  auto with = [&](const std::string& name, const std::string& elements) {
    return LoadConfig(Write(name, Edit(kValid, store, store + "\n    " + elements)));
  };
  auto cfg = with("ok.xml",
                  "<audit key-file=\"audit.key\" letter-destination=\"ehr-halland\"/>"
                  "<retention cases=\"1825d\" audit=\"3650d\"/>");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->audit.patient_key_secret, key);
  EXPECT_EQ(cfg->audit.letter_destination, "ehr-halland");
  EXPECT_EQ(cfg->audit.retain_cases, std::chrono::hours(24 * 1825));
  EXPECT_EQ(cfg->audit.retain_audit, std::chrono::hours(24 * 3650));

  auto none = LoadConfig(Write("none.xml", kValid));
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_TRUE(none->audit.patient_key_secret.empty());
  EXPECT_EQ(none->audit.letter_destination, "letter");
  EXPECT_EQ(none->audit.retain_cases.count(), 0) << "kept for ever";

  auto shorter = with("shorter.xml", "<retention cases=\"30d\" audit=\"10d\"/>");
  ASSERT_FALSE(shorter.ok());
  ExpectReportAt(shorter.error(), (dir_ / "shorter.xml").string(), 6,
                 "audit=\"10d\" must be at least as long as cases=\"30d\"");
  EXPECT_FALSE(with("only-audit.xml", "<retention audit=\"10d\"/>").ok())
      << "audit rows would go while the cases they are about stay";
  EXPECT_FALSE(with("hour.xml", "<retention cases=\"1h\" audit=\"1h\"/>").ok());
  EXPECT_FALSE(with("bad.xml", "<retention cases=\"P10Y\"/>").ok()) << "the schema's durations";

  Write("short.key", "short\n");
  ::chmod((dir_ / "short.key").c_str(), 0600);
  auto short_key = with("short-key.xml", "<audit key-file=\"short.key\"/>");
  ASSERT_FALSE(short_key.ok());
  EXPECT_THAT(short_key.error(), HasSubstr("needs at least 32"));
  Write("log.key", key + "\n");
  ::chmod((dir_ / "log.key").c_str(), 0600);
  auto same = with("same.xml", "<logging pseudonym-key-file=\"log.key\"/>"
                               "<audit key-file=\"audit.key\"/>");
  ASSERT_FALSE(same.ok());
  EXPECT_THAT(same.error(), HasSubstr("use a key of its own"));
}

}  // namespace
}  // namespace slussen::testing
