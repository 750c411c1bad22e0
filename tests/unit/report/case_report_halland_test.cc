// Issue 15 items 9 and 12 in the evidence report: the planning track (Region Halland's
// samverkansrutin 2022 [S20]) and the paying kommun of 5 kap. 2 § lag (2017:612), in the JSON,
// the plain text and the PDF; and the agreement's readings of what the sources leave open.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "report/case_report.h"
#include "report/case_report_pdf.h"
#include "testing/pdf_tools.h"
#include "testing/temp_dir.h"
#include "unit/cases/case_test_support.h"

namespace slussen {
namespace {

using namespace casetest;  // NOLINT(google-build-using-namespace): Timeline, L, Evaluate, ...
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kCaseId[] = "SE2321000131-E1/vt-halland-12";

// Folkbokförd in Halmstad (1380), placed in a särskilt boende there by Kungsbacka (1384); the
// planeringsunderlag leads to the red track, then a later one names the yellow one (allowed: a
// SÄBO resident).
Timeline PlacedSaboCase() {
  Timeline t("1380");
  t.Inskrivning("insk", L("2022-05-02", 8, 0), L("2022-05-02", 9, 0),
                InskOptions().Estimate(L("2022-05-12", 10, 0)));
  t.PlanningRequest("pu", L("2022-05-03", 10, 0));
  t.PlanningAnswer("pu-svar", "pu", L("2022-05-04", 10, 0));
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  t.Utskrivning("utskr", L("2022-05-12", 10, 0));
  for (auto& e : t.mutable_events()) {
    auto& env = e.envelope;
    env.mutable_patient()->set_placing_kommunkod("1384");
    env.mutable_patient()->set_sarskilt_boende(true);
    if (env.event_id() == "pu") env.mutable_planeringsunderlag()->set_track(v1::Planeringsunderlag::RODT);
    if (env.event_id() == "pu-svar") env.mutable_planeringsunderlag()->set_track(v1::Planeringsunderlag::GULT);
  }
  return t;
}

struct Reports {
  json j;
  std::string text;
};

Reports ReportsOf(const Timeline& t) {
  static const Agreement halland = Shipped("region-halland.xml");
  const TimePoint now = L("2022-06-01", 0, 0);
  const Outcome o = Evaluate(t, halland, now, kCaseId);
  return {CaseReportJson(o.c, o.deadlines, o.liability, halland, {}, now),
          CaseReportTable(o.c, o.deadlines, o.liability, halland, {}, now)};
}

// 5 kap. 2 §: the report names both kommuner, and which pays on what basis.
TEST(CaseReportHalland, NamesTheKommunOfFolkbokforingThePlacingKommunAndWhoPays) {
  const Reports r = ReportsOf(PlacedSaboCase());
  EXPECT_EQ(r.j.at("kommunkod"), "1380");
  EXPECT_EQ(r.j.at("placing_kommunkod"), "1384");
  EXPECT_EQ(r.j.at("paying_kommunkod"), "1384");
  EXPECT_EQ(r.j.at("sarskilt_boende"), true);
  EXPECT_EQ(r.j.at("liability").at("paying_kommunkod"), "1384");
  EXPECT_THAT(r.j.at("liability").at("paying_basis").get<std::string>(), HasSubstr("5 kap. 2 §"));
  EXPECT_THAT(r.text, HasSubstr("placed by     1384"));
  EXPECT_THAT(r.text, HasSubstr("paying kommun 1384\n"));

  Timeline plain = PlacedSaboCase();
  for (auto& e : plain.mutable_events()) e.envelope.mutable_patient()->clear_placing_kommunkod();
  const Reports p = ReportsOf(plain);
  EXPECT_TRUE(p.j.at("placing_kommunkod").is_null());
  EXPECT_EQ(p.j.at("paying_kommunkod"), "1380");
}

// Samverkansrutin 2022: the track and the readings the agreement chose are on the report.
TEST(CaseReportHalland, ShowsTheTrackAndTheAgreementsReadings) {
  const Reports r = ReportsOf(PlacedSaboCase());
  EXPECT_EQ(r.j.at("track"), "gult");
  EXPECT_EQ(r.j.at("track_event_id"), "pu-svar");
  const json& readings = r.j.at("agreement").at("readings");
  EXPECT_EQ(readings.at("estimate_change_counting"), "calendar");
  EXPECT_EQ(readings.at("planeringsunderlag_answer_from"), "request");
  EXPECT_EQ(readings.at("planeringsunderlag_answered_by"), "any");
  EXPECT_EQ(readings.at("red_track_change"), "deviation");
  EXPECT_THAT(r.text, HasSubstr("track         gult spår (pu-svar)"));
  EXPECT_THAT(r.text, HasSubstr("red_track_change=deviation"));
  // A SÄBO resident's change of the red track is allowed: no deviation.
  for (const auto& d : r.j.at("deadlines")) {
    EXPECT_THAT(d.at("id").get<std::string>(), ::testing::Not(HasSubstr("rott-spar-andrat")));
  }
}

TEST(CaseReportHalland, ThePdfShowsTheTrackAndBothKommuner) {
  const Reports r = ReportsOf(PlacedSaboCase());
  slussen::testing::TempDir dir{"slussen-pdf-halland"};
  const std::string path = dir.File("report.pdf");
  const Status st = WriteCaseReportPdf(r.j, path);
  ASSERT_TRUE(st.ok()) << st.error();
  const std::string text = slussen::testing::PdfText(path);
  EXPECT_THAT(text, HasSubstr("1380 Halmstad"));
  EXPECT_THAT(text, HasSubstr("1384 Kungsbacka"));
  EXPECT_THAT(text, HasSubstr("Placerande kommun"));
  EXPECT_THAT(text, HasSubstr("Betalande kommun"));
  EXPECT_THAT(text, HasSubstr("gult spår"));
  EXPECT_THAT(text, HasSubstr("red_track_change = deviation"));
}

}  // namespace
}  // namespace slussen
