// <minimum-dataset>: which fields each destination's role does not get, checked against the
// protobuf descriptors so that a misspelt field is a config error with its line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.h"
#include "loader_test_support.h"
#include "build_paths/source_dir.h"

namespace slussen::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// RULES is replaced by each test; the <strip> elements start on line 25.
constexpr char kBase[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<slussen xmlns="urn:slussen:config:1">
  <hub name="test">
    <amqp host="127.0.0.1" port="0" plain="allow"/>
    <store path="test.db"/>
  </hub>
  <kommuner>
    <kommun kod="1380"/>
    <kommun kod="1383"/>
  </kommuner>
  <vardcentraler>
    <vardcentral hsa-id="SE2321000115-VC01" name="VC"/>
  </vardcentraler>
  <destinations>
    <destination id="ehr-halland" name="EHR"/>
    <destination id="letter" name="Brev"/>
  </destinations>
  <senders>
    <sender hsa-id="SE2321000115-SH01" name="Sjukhus" may-send="Inskrivningsmeddelande"/>
  </senders>
  <routes>
    <route event="Inskrivningsmeddelande" kommun="true" primary-care="true"/>
  </routes>
  <minimum-dataset>
RULES
  </minimum-dataset>
</slussen>
)";
constexpr int kFirstRuleLine = 25;

class MinimumDatasetConfigTest : public LoaderTest {
 protected:
  Result<Config> Load(const std::string& rules) {
    path_ = Write("hub.xml", Edit(kBase, "RULES", rules));
    return LoadConfig(path_);
  }
  std::string path_;
};

TEST_F(MinimumDatasetConfigTest, RoleRulesReachEveryDestinationOfTheRoleAndAddUp) {
  auto cfg = Load(R"(
    <strip event="Utskrivningsmeddelande Inskrivningsmeddelande" role="vardcentral"
           fields="patient.listed_care_unit_hsa_id"/>
    <strip event="Utskrivningsmeddelande" role="vardcentral"
           fields="utskrivningsmeddelande.hemgangsklar.comment patient.listed_care_unit_hsa_id"/>
    <strip event="KallelseSip" destination="letter kommun-1383" fields="kallelse_sip.participant_hsa_ids"/>)");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  const auto& vc = cfg->PolicyFor("vc-SE2321000115-VC01").strip;
  EXPECT_THAT(vc.at("Utskrivningsmeddelande"),
              ElementsAre("patient.listed_care_unit_hsa_id",
                          "utskrivningsmeddelande.hemgangsklar.comment"));
  EXPECT_THAT(vc.at("Inskrivningsmeddelande"), ElementsAre("patient.listed_care_unit_hsa_id"));
  EXPECT_EQ(vc.count("KallelseSip"), 0u);
  EXPECT_THAT(cfg->PolicyFor("letter").strip.at("KallelseSip"),
              ElementsAre("kallelse_sip.participant_hsa_ids"));
  EXPECT_THAT(cfg->PolicyFor("kommun-1383").strip.at("KallelseSip"),
              ElementsAre("kallelse_sip.participant_hsa_ids"));
  // Without a rule a destination gets every field.
  EXPECT_THAT(cfg->PolicyFor("kommun-1380").strip, IsEmpty());
  EXPECT_THAT(cfg->PolicyFor("ehr-halland").strip, IsEmpty());
}

TEST_F(MinimumDatasetConfigTest, RoleDestinationMeansTheFixedDestinations) {
  auto cfg = Load(R"(<strip event="Cancellation" role="destination" fields="cancellation.reason"/>)");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_THAT(cfg->PolicyFor("ehr-halland").strip.at("Cancellation"),
              ElementsAre("cancellation.reason"));
  EXPECT_THAT(cfg->PolicyFor("letter").strip.at("Cancellation"), ElementsAre("cancellation.reason"));
  EXPECT_THAT(cfg->PolicyFor("kommun-1380").strip, IsEmpty());
}

TEST_F(MinimumDatasetConfigTest, MisspeltFieldIsAnErrorWithFileAndLine) {
  auto cfg = Load(R"(    <strip event="Inskrivningsmeddelande" role="vardcentral" fields="inskrivningsmeddelande.folkbokforings_adress"/>)");
  ASSERT_FALSE(cfg.ok());
  ExpectReportAt(cfg.error(), path_, kFirstRuleLine,
                 "slussen.v1.Inskrivningsmeddelande has no field 'folkbokforings_adress'");
  // The fields it does have are listed, so the fix is on the same screen.
  EXPECT_THAT(cfg.error(), HasSubstr("folkbokforing_address"));
}

TEST_F(MinimumDatasetConfigTest, FieldOfAnotherKindsEventIsAnError) {
  auto cfg = Load(R"(    <strip event="Inskrivningsmeddelande" role="kommun" fields="kallelse_sip.meeting_at"/>)");
  ASSERT_FALSE(cfg.ok());
  ExpectReportAt(cfg.error(), path_, kFirstRuleLine,
                 "kallelse_sip is not the event of Inskrivningsmeddelande");
}

TEST_F(MinimumDatasetConfigTest, PathThroughAScalarIsAnError) {
  auto cfg = Load(R"(    <strip event="Cancellation" role="kommun" fields="cancellation.reason.text"/>)");
  ASSERT_FALSE(cfg.ok());
  ExpectReportAt(cfg.error(), path_, kFirstRuleLine, "reason is not a message");
}

TEST_F(MinimumDatasetConfigTest, IdentityProvenanceAndTheWholeEventAreNeverStripped) {
  for (const char* path : {"event_id", "case_id.episode_id", "sender_hsa_id", "occurred_at",
                           "patient", "patient.identity.protected_identity",
                           "planeringsunderlag.direction", "planeringsunderlag"}) {
    auto cfg = Load(std::string(R"(    <strip event="Planeringsunderlag" role="kommun" fields=")") +
                    path + R"("/>)");
    ASSERT_FALSE(cfg.ok()) << path;
    EXPECT_THAT(cfg.error(), ::testing::AnyOf(HasSubstr("is never stripped"),
                                              HasSubstr("is the event itself")))
        << path;
  }
  // Fields of the patient other than the identity may be stripped.
  EXPECT_TRUE(Load(R"(<strip event="Planeringsunderlag" role="kommun" fields="patient.listed_care_unit_hsa_id"/>)").ok());
}

TEST_F(MinimumDatasetConfigTest, RuleNeedsExactlyOneOfRoleAndDestination) {
  auto both = Load(R"(    <strip event="Cancellation" role="kommun" destination="letter" fields="cancellation.reason"/>)");
  ASSERT_FALSE(both.ok());
  ExpectReportAt(both.error(), path_, kFirstRuleLine, "either role");
  auto neither = Load(R"(    <strip event="Cancellation" fields="cancellation.reason"/>)");
  ASSERT_FALSE(neither.ok());
  ExpectReportAt(neither.error(), path_, kFirstRuleLine, "either role");
}

TEST_F(MinimumDatasetConfigTest, UnknownDestinationIsAnError) {
  auto cfg = Load(R"(    <strip event="Cancellation" destination="kommun-1381" fields="cancellation.reason"/>)");
  ASSERT_FALSE(cfg.ok());
  ExpectReportAt(cfg.error(), path_, kFirstRuleLine, "destination 'kommun-1381' is not configured");
}

TEST_F(MinimumDatasetConfigTest, DemoConfigStripsTheChecklistFromVardcentraler) {
  auto cfg = LoadConfig(SLUSSEN_SOURCE_DIR "/config/demo.xml");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_THAT(cfg->PolicyFor("vc-SE2321000115-VC01").strip.at("Utskrivningsmeddelande"),
              ElementsAre("utskrivningsmeddelande.hemgangsklar"));
  EXPECT_THAT(cfg->PolicyFor("kommun-1380").strip, IsEmpty());
}

}  // namespace
}  // namespace slussen::testing
