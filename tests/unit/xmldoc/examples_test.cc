// The shipped examples (adapters/common/xmldoc/examples/): every one reads, there is one per kind,
// and writing what was read gives a document that reads back the same.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "testing/files.h"
#include "xmldoc/xmldoc.h"
#include "xmldoc_test_support.h"

namespace slussen::xmldoc {
namespace {

using testing::Differences;
using testing::kReceivingSystem;

std::filesystem::path ExamplesDir() {
  return slussen::testing::SourceDir() / "adapters/common/xmldoc/examples";
}

TEST(Examples, EveryExampleReadsAndThereIsOnePerKind) {
  std::set<EventKind> kinds;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ExamplesDir())) {
    if (entry.path().extension() != ".xml") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    const std::string text = slussen::testing::ReadFile(entry.path().string());
    ASSERT_FALSE(text.empty()) << name;
    ReadOptions options;
    options.receiving_system = kReceivingSystem;
    const auto env = ReadDocument(text, name, options);
    ASSERT_TRUE(env.ok()) << env.error();
    const auto kind = KindOf(*env);
    ASSERT_TRUE(kind.has_value()) << name;
    // Each file is named after its root element.
    EXPECT_EQ(name, std::string(RootElement(*kind)) + ".xml");
    kinds.insert(*kind);

    const auto written = WriteDocument(*env);
    ASSERT_TRUE(written.ok()) << name << ": " << written.error();
    const auto again = ReadDocument(*written, name + " (rewritten)", options);
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_EQ(Differences(*env, *again), "") << name;
  }
  EXPECT_EQ(files, static_cast<int>(AllEventKinds().size()));
  EXPECT_EQ(kinds.size(), AllEventKinds().size());
}

TEST(Examples, InskrivningsmeddelandeMapsToTheEventFields) {
  const std::string text =
      slussen::testing::ReadFile((ExamplesDir() / "inskrivningsmeddelande.xml").string());
  const auto env = ReadDocument(text, "inskrivningsmeddelande.xml");
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_EQ(env->event_id(), "3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c");
  EXPECT_EQ(env->case_id().care_unit_hsa_id(), "SE2321000115-SH01AVD21");
  EXPECT_EQ(env->case_id().episode_id(), "VT-2026:004711");
  EXPECT_EQ(env->sender_hsa_id(), "SE2321000115-SH01");
  EXPECT_EQ(env->schema_version(), 1u);
  EXPECT_EQ(env->replaces(), "");
  EXPECT_EQ(env->occurred_at().seconds(), 1'795'421'100);  // 2026-11-23T09:05:00+01:00
  EXPECT_EQ(env->patient().identity().kind(), v1::PatientIdentity::PERSONNUMMER);
  EXPECT_EQ(env->patient().identity().id(), "202510022383");
  EXPECT_FALSE(env->patient().identity().protected_identity());
  EXPECT_EQ(env->patient().kommunkod(), "1380");
  EXPECT_EQ(env->patient().listed_care_unit_hsa_id(), "SE2321000115-VC01");
  const auto& m = env->inskrivningsmeddelande();
  EXPECT_EQ(m.name().given_name(), "Alva");
  EXPECT_EQ(m.name().family_name(), "Bergström");
  EXPECT_EQ(m.folkbokforing_address().street(), "Tallvägen 4");
  EXPECT_EQ(m.folkbokforing_address().postal_code(), "302 40");
  EXPECT_EQ(m.care_type(), v1::SOMATIC);
  EXPECT_TRUE(m.sip_expected());
  EXPECT_FALSE(m.has_assessed_at());
  ASSERT_EQ(m.receiving_unit_hsa_ids_size(), 2);
  EXPECT_EQ(m.receiving_unit_hsa_ids(1), "SE2321000115-VC01");
}

// Issue 15 item 4: the sending system's own send time (<skickad-tidpunkt>) is the event's
// source_sent_at, and is written back; a document without it has none.
TEST(Examples, SkickadTidpunktIsTheSourceSendTime) {
  const std::string text =
      slussen::testing::ReadFile((ExamplesDir() / "utskrivningsklar.xml").string());
  const auto env = ReadDocument(text, "utskrivningsklar.xml");
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_TRUE(env->has_source_sent_at());
  EXPECT_EQ(env->source_sent_at().seconds(), 1'795'686'012);  // 2026-11-26T10:40:12+01:00
  const auto written = WriteDocument(*env);
  ASSERT_TRUE(written.ok()) << written.error();
  EXPECT_NE(written->find("<skickad-tidpunkt>2026-11-26T10:40:12+01:00</skickad-tidpunkt>"),
            std::string::npos)
      << *written;

  const std::string without =
      slussen::testing::ReadFile((ExamplesDir() / "inskrivningsmeddelande.xml").string());
  const auto env2 = ReadDocument(without, "inskrivningsmeddelande.xml");
  ASSERT_TRUE(env2.ok()) << env2.error();
  EXPECT_FALSE(env2->has_source_sent_at());
  const auto written2 = WriteDocument(*env2);
  ASSERT_TRUE(written2.ok()) << written2.error();
  EXPECT_EQ(written2->find("skickad-tidpunkt"), std::string::npos);
}

TEST(Examples, KvittensBecomesAReceiptForTheConfiguredDestination) {
  const std::string text = slussen::testing::ReadFile((ExamplesDir() / "kvittens.xml").string());
  ReadOptions options;
  options.receiving_system = "kommun-1380";
  const auto env = ReadDocument(text, "kvittens.xml", options);
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_TRUE(env->has_receipt());
  EXPECT_FALSE(env->has_patient());
  EXPECT_EQ(env->event_id(), "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e");
  EXPECT_EQ(env->receipt().acknowledged_event_id(), "3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c");
  EXPECT_EQ(env->receipt().receiving_system(), "kommun-1380");
  EXPECT_EQ(env->receipt().external_ack_id(), "LC-2026-118842");
  EXPECT_EQ(env->receipt().received_at().seconds(), 1'795'421'140);
  EXPECT_EQ(env->receipt().received_at().nanos(), 250'000'000);
}

TEST(Examples, PlaneringsunderlagSvarBecomesAnAnswer) {
  const std::string text =
      slussen::testing::ReadFile((ExamplesDir() / "planeringsunderlag-svar.xml").string());
  const auto env = ReadDocument(text, "planeringsunderlag-svar.xml");
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_EQ(KindOf(*env), EventKind::kPlaneringsunderlagSvar);
  EXPECT_EQ(env->planeringsunderlag().direction(), v1::Planeringsunderlag::ANSWER);
  EXPECT_EQ(env->planeringsunderlag().in_reply_to(), "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
  EXPECT_EQ(env->sender_hsa_id(), "SE2120001380-SOC1");
  ASSERT_EQ(env->planeringsunderlag().items_size(), 2);
  EXPECT_EQ(env->planeringsunderlag().items(1).code(), "TRYGGHETSLARM");
}

// Region Halland's track, the units asked to answer (samverkansrutin 2022), and the patient's
// placing kommun and SÄBO (5 kap. 2 §): read into the fields the case logic uses, and written back.
TEST(Examples, PlaneringsunderlagCarriesTrackAddressedUnitsAndPlacement) {
  std::string text = slussen::testing::ReadFile((ExamplesDir() / "planeringsunderlag.xml").string());
  const auto env = ReadDocument(text, "planeringsunderlag.xml");
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_EQ(env->planeringsunderlag().track(), v1::Planeringsunderlag::RODT);
  ASSERT_EQ(env->planeringsunderlag().addressed_unit_hsa_ids_size(), 1);
  EXPECT_EQ(env->planeringsunderlag().addressed_unit_hsa_ids(0), "SE2321000115-VC01");
  EXPECT_EQ(env->patient().placing_kommunkod(), "");
  EXPECT_FALSE(env->patient().sarskilt_boende());

  const std::string listed = "</listad-vardenhet-hsa-id>";
  text.replace(text.find(listed), listed.size(),
               listed + "<placerande-kommunkod>1383</placerande-kommunkod>"
                        "<sarskilt-boende>true</sarskilt-boende>");
  const auto placed = ReadDocument(text, "placed.xml");
  ASSERT_TRUE(placed.ok()) << placed.error();
  EXPECT_EQ(placed->patient().placing_kommunkod(), "1383");
  EXPECT_TRUE(placed->patient().sarskilt_boende());
  auto written = WriteDocument(*placed);
  ASSERT_TRUE(written.ok()) << written.error();
  const auto again = ReadDocument(*written, "written.xml");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->patient().placing_kommunkod(), "1383");
  EXPECT_TRUE(again->patient().sarskilt_boende());
  EXPECT_EQ(again->planeringsunderlag().track(), v1::Planeringsunderlag::RODT);
  EXPECT_EQ(again->planeringsunderlag().addressed_unit_hsa_ids_size(), 1);
}

}  // namespace
}  // namespace slussen::xmldoc
