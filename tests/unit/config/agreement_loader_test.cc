#include "config/agreement_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/xmlerror.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "loader_test_support.h"

namespace slussen::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string Shipped(const char* name) {
  return (SourceDir() / "config" / "agreements" / name).string();
}

// A small valid agreement. The broken cases below each change one piece of it, so the line
// numbers in their expectations are the line numbers here.
constexpr char kValid[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<agreement xmlns="urn:slussen:agreement:1" id="test" name="Test">
  <source>Test [S1]</source>
  <deadlines inskrivning-hours="24" sip-kallelse-days="3"/>
  <liability model="individual">
    <free-days somatic="3" psychiatric="3" counting="calendar"/>
    <cutoff local-time="12:00" extra-days="1"/>
    <amounts>
      <amount year="2019" kr-per-day="7800" confirmed="true" source="[S11]"/>
      <amount year="2022" kr-per-day="9300" confirmed="false"/>
    </amounts>
  </liability>
</agreement>
)";

// The same as an average-model agreement (line numbers unchanged up to line 11).
std::string AverageBase() {
  std::string text = kValid;
  text.replace(text.find("model=\"individual\""), 18, "model=\"average\"");
  text.replace(text.find("    </amounts>\n"), 15,
               "    </amounts>\n    <average threshold-days=\"3.0\"/>\n");
  return text;
}

using AgreementLoaderTest = LoaderTest;

TEST_F(AgreementLoaderTest, LawDefaultLoads) {
  const std::string path = Shipped("lag-2017-612.xml");
  auto a = LoadAgreement(path);
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->id, "lag-2017-612");
  EXPECT_EQ(a->source_path, path);
  EXPECT_THAT(a->source_note, HasSubstr("[S1]"));
  EXPECT_THAT(a->source_note, Not(HasSubstr("\n")));

  EXPECT_EQ(a->inskrivning_deadline, hours(24));
  EXPECT_EQ(a->sip_kallelse_days, 3);
  EXPECT_EQ(a->sip_kallelse_counting, DayCounting::kCalendarDays);
  EXPECT_FALSE(a->planeringsunderlag_answer_deadline.has_value());
  EXPECT_FALSE(a->estimate_change_threshold.has_value());
  EXPECT_EQ(a->at_risk_horizon, hours(4));

  EXPECT_EQ(a->model, LiabilityModel::kIndividual);
  EXPECT_EQ(a->free_days_somatic, 3);
  EXPECT_EQ(a->free_days_psychiatric, 3);
  EXPECT_EQ(a->day_counting, DayCounting::kCalendarDays);
  EXPECT_FALSE(a->day0_counted);
  ASSERT_TRUE(a->cutoff_local_time.has_value());
  EXPECT_EQ(*a->cutoff_local_time, hours(12));
  EXPECT_EQ(a->extra_days_after_cutoff, 1);
  EXPECT_EQ(a->amount_per_day_kr,
            (std::map<int, int64_t>{{2019, 7800}, {2020, 8200}, {2022, 9300}, {2023, 10500}}));
  EXPECT_FALSE(a->individual_after_days.has_value());
  EXPECT_TRUE(a->eves_are_holidays);
}

TEST_F(AgreementLoaderTest, StockholmLoads) {
  auto a = LoadAgreement(Shipped("region-stockholm.xml"));
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->id, "region-stockholm");
  for (const char* tag : {"[S9]", "[S13]", "[S14]"}) EXPECT_THAT(a->source_note, HasSubstr(tag));
  EXPECT_THAT(a->source_note, HasSubstr("UNCONFIRMED"));

  EXPECT_EQ(a->inskrivning_deadline, hours(24));
  EXPECT_EQ(a->sip_kallelse_days, 3);
  EXPECT_FALSE(a->planeringsunderlag_answer_deadline.has_value());
  EXPECT_FALSE(a->estimate_change_threshold.has_value());

  EXPECT_EQ(a->model, LiabilityModel::kAverage);
  EXPECT_EQ(a->free_days_somatic, 3);
  EXPECT_EQ(a->free_days_psychiatric, 5);
  EXPECT_EQ(a->day_counting, DayCounting::kCalendarDays);
  EXPECT_TRUE(a->day0_counted);
  ASSERT_TRUE(a->cutoff_local_time.has_value());
  EXPECT_EQ(*a->cutoff_local_time, hours(12));
  EXPECT_EQ(a->extra_days_after_cutoff, 1);
  EXPECT_EQ(a->AmountFor(2020), 8200);
  EXPECT_EQ(a->AmountFor(2019), std::nullopt);  // the agreement starts in 2020
  EXPECT_DOUBLE_EQ(a->average_threshold_days, 3.0);
  EXPECT_FALSE(a->individual_after_days.has_value());
}

TEST_F(AgreementLoaderTest, HallandLoads) {
  auto a = LoadAgreement(Shipped("region-halland.xml"));
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->id, "region-halland");
  for (const char* tag : {"[S19]", "[S20]", "[S21]"}) EXPECT_THAT(a->source_note, HasSubstr(tag));

  EXPECT_EQ(a->inskrivning_deadline, hours(24));
  EXPECT_EQ(a->sip_kallelse_days, 3);
  EXPECT_EQ(a->planeringsunderlag_answer_deadline, hours(48));
  EXPECT_EQ(a->estimate_change_threshold, hours(24));
  EXPECT_EQ(a->at_risk_horizon, hours(4));

  // The law's liability, as a placeholder.
  EXPECT_EQ(a->model, LiabilityModel::kIndividual);
  EXPECT_EQ(a->free_days_somatic, 3);
  EXPECT_EQ(a->free_days_psychiatric, 3);
  EXPECT_EQ(a->cutoff_local_time, minutes(12 * 60));
  EXPECT_EQ(a->AmountFor(2022), 9300);
}

TEST_F(AgreementLoaderTest, SmallAgreementLoads) {
  auto a = LoadAgreement(Write("ok.xml", kValid));
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->id, "test");
  EXPECT_EQ(a->name, "Test");
  EXPECT_EQ(a->source_note, "Test [S1]");
  EXPECT_EQ(a->amount_per_day_kr.size(), 2u);
}

// What is left out takes the law's value; a missing <cutoff> means no cut-off at all.
TEST_F(AgreementLoaderTest, OmittedValuesTakeDefaults) {
  std::string text = Edit(kValid, "<deadlines inskrivning-hours=\"24\" sip-kallelse-days=\"3\"/>",
                          "<deadlines/>");
  text = Edit(text, "<cutoff local-time=\"12:00\" extra-days=\"1\"/>", "");
  auto a = LoadAgreement(Write("defaults.xml", text));
  ASSERT_TRUE(a.ok()) << a.error();
  const Agreement law;
  EXPECT_EQ(a->inskrivning_deadline, law.inskrivning_deadline);
  EXPECT_EQ(a->sip_kallelse_days, law.sip_kallelse_days);
  EXPECT_EQ(a->sip_kallelse_counting, law.sip_kallelse_counting);
  EXPECT_EQ(a->at_risk_horizon, law.at_risk_horizon);
  EXPECT_FALSE(a->cutoff_local_time.has_value());
  EXPECT_FALSE(a->day0_counted);
  EXPECT_TRUE(a->eves_are_holidays);
}

TEST_F(AgreementLoaderTest, OptionalValuesAreRead) {
  std::string text = AverageBase();
  text = Edit(text, "sip-kallelse-days=\"3\"",
              "sip-kallelse-days=\"5\" sip-kallelse-counting=\"working\" "
              "planeringsunderlag-answer-hours=\"48\" estimate-change-threshold-hours=\"24\" "
              "at-risk-horizon-hours=\"2\"");
  text = Edit(text, "counting=\"calendar\"", "counting=\"working\"");
  text = Edit(text, "local-time=\"12:00\" extra-days=\"1\"",
              "local-time=\"09:30\" extra-days=\"2\"");
  text = Edit(text, "threshold-days=\"3.0\"", "threshold-days=\"2.5\" individual-after-days=\"7\"");
  text = Edit(text, "<amounts>", "<day0-counted> true </day0-counted>\n    <amounts>");
  text = Edit(text, "</agreement>", "  <calendar eves-are-holidays=\"false\"/>\n</agreement>");
  auto a = LoadAgreement(Write("optional.xml", text));
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->sip_kallelse_days, 5);
  EXPECT_EQ(a->sip_kallelse_counting, DayCounting::kWorkingDays);
  EXPECT_EQ(a->planeringsunderlag_answer_deadline, hours(48));
  EXPECT_EQ(a->estimate_change_threshold, hours(24));
  EXPECT_EQ(a->at_risk_horizon, hours(2));
  EXPECT_EQ(a->day_counting, DayCounting::kWorkingDays);
  EXPECT_EQ(a->cutoff_local_time, hours(9) + minutes(30));
  EXPECT_EQ(a->extra_days_after_cutoff, 2);
  EXPECT_TRUE(a->day0_counted);
  EXPECT_EQ(a->model, LiabilityModel::kAverage);
  EXPECT_DOUBLE_EQ(a->average_threshold_days, 2.5);
  EXPECT_EQ(a->individual_after_days, 7);
  EXPECT_FALSE(a->eves_are_holidays);
}

// Issue 15 items 4-5: <notice-times> (after <liability>, before <calendar>); absent, every
// notice counts when the hub stored it.
TEST_F(AgreementLoaderTest, NoticeTimesAreRead) {
  auto plain = LoadAgreement(Write("plain.xml", kValid));
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(plain->sent_time, Agreement::SentTime::kStored);
  EXPECT_EQ(plain->notified_when, Agreement::NotifiedWhen::kStored);
  EXPECT_EQ(plain->source_time_skew, minutes(5));
  EXPECT_TRUE(plain->NoticesCountWhenStored());

  const std::string with = Edit(std::string(kValid), "</agreement>",
                                "  <notice-times sent=\"source\" notified=\"delivered\" "
                                "source-skew-minutes=\"2\"/>\n</agreement>");
  auto a = LoadAgreement(Write("notice-times.xml", with));
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->sent_time, Agreement::SentTime::kSource);
  EXPECT_EQ(a->notified_when, Agreement::NotifiedWhen::kDelivered);
  EXPECT_EQ(a->source_time_skew, minutes(2));
  EXPECT_FALSE(a->NoticesCountWhenStored());

  auto receipted = LoadAgreement(Write(
      "receipted.xml",
      Edit(std::string(kValid), "</agreement>", "  <notice-times notified=\"receipted\"/>\n</agreement>")));
  ASSERT_TRUE(receipted.ok()) << receipted.error();
  EXPECT_EQ(receipted->notified_when, Agreement::NotifiedWhen::kReceipted);
  EXPECT_EQ(receipted->sent_time, Agreement::SentTime::kStored);

  auto bad = LoadAgreement(Write(
      "bad.xml",
      Edit(std::string(kValid), "</agreement>", "  <notice-times notified=\"read\"/>\n</agreement>")));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error(), HasSubstr("notified"));
}

TEST_F(AgreementLoaderTest, MissingFile) {
  const std::string path = (dir_ / "nope.xml").string();
  auto a = LoadAgreement(path);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error(), path + ": cannot read: No such file or directory");
}

struct BrokenCase {
  const char* name;
  bool average;      // start from AverageBase() instead of kValid
  const char* from;  // a unique piece of the base
  const char* to;    // what it becomes
  int line;          // where the (first) error must point
  const char* message;
};

// So that a failing case is named in gtest's output rather than dumped as bytes.
void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.name; }

class BrokenAgreementTest : public AgreementLoaderTest,
                            public ::testing::WithParamInterface<BrokenCase> {};

TEST_P(BrokenAgreementTest, ReportsFileLineAndMessage) {
  const BrokenCase& c = GetParam();
  const std::string base = c.average ? AverageBase() : std::string(kValid);
  const std::string path = Write(std::string(c.name) + ".xml", Edit(base, c.from, c.to));
  auto a = LoadAgreement(path);
  ASSERT_FALSE(a.ok());
  ExpectReportAt(a.error(), path, c.line, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BrokenAgreementTest,
    ::testing::Values(
        // XML and root.
        BrokenCase{"Malformed", false, "<amount year=\"2022\" kr-per-day=\"9300\" confirmed=\"false\"/>",
                   "<amount year=\"2022\" kr-per-day=\"9300\" confirmed=\"false\">", 11,
                   "Opening and ending tag mismatch: amount line 10 and amounts"},
        BrokenCase{"Empty", false, kValid, "\n", 1, "the file is empty"},
        BrokenCase{"Doctype", false, "<agreement xmlns",
                   "<!DOCTYPE agreement [<!ENTITY e \"x\">]>\n<agreement xmlns", 3,
                   "DOCTYPE and entities are not allowed in the agreement"},
        BrokenCase{"WrongRoot", false, "<agreement xmlns=\"urn:slussen:agreement:1\"",
                   "<agreement xmlns=\"urn:slussen:config:1\"", 2,
                   "the root element must be <agreement xmlns=\"urn:slussen:agreement:1\">"},
        // Schema.
        BrokenCase{"BadModel", false, "model=\"individual\"", "model=\"mean\"", 5,
                   "Element 'liability', attribute 'model': [facet 'enumeration'] The value "
                   "'mean' is not an element of the set {'individual', 'average'}"},
        BrokenCase{"BadCounting", false, "counting=\"calendar\"", "counting=\"weekdays\"", 6,
                   "The value 'weekdays' is not an element of the set {'calendar', 'working'}"},
        BrokenCase{"MissingSource", false, "  <source>Test [S1]</source>\n", "  <!-- -->\n", 4,
                   "Element 'deadlines': This element is not expected. Expected is ( source )"},
        BrokenCase{"BlankSource", false, "<source>Test [S1]</source>", "<source>  </source>", 3,
                   "Element 'source': [facet 'pattern']"},
        BrokenCase{"DuplicateYear", false, "year=\"2022\"", "year=\"2019\"", 10,
                   "Duplicate key-sequence ['2019']"},
        BrokenCase{"YearNotFourDigits", false, "year=\"2022\"", "year=\"22\"", 10,
                   "attribute 'year': [facet 'minInclusive']"},
        BrokenCase{"NegativeAmount", false, "kr-per-day=\"9300\"", "kr-per-day=\"-9300\"", 10,
                   "attribute 'kr-per-day': '-9300' is not a valid value"},
        BrokenCase{"ZeroAmount", false, "kr-per-day=\"9300\"", "kr-per-day=\"0\"", 10,
                   "attribute 'kr-per-day': [facet 'minInclusive']"},
        BrokenCase{"NoAmounts", false,
                   "      <amount year=\"2019\" kr-per-day=\"7800\" confirmed=\"true\" source=\"[S11]\"/>\n"
                   "      <amount year=\"2022\" kr-per-day=\"9300\" confirmed=\"false\"/>\n",
                   "", 8, "Element 'amounts': Missing child element(s)"},
        BrokenCase{"ElapsedKallelseInWorkingDays", false, "sip-kallelse-days=\"3\"",
                   "sip-kallelse-days=\"3\" sip-kallelse-reading=\"elapsed-hours\" "
                   "sip-kallelse-counting=\"working\"",
                   4, "sip-kallelse-reading=\"elapsed-hours\" counts hours, not working days"},
        BrokenCase{"AmountWithoutConfirmed", false, "kr-per-day=\"9300\" confirmed=\"false\"",
                   "kr-per-day=\"9300\"", 10,
                   "Element 'amount': The attribute 'confirmed' is required but missing"},
        BrokenCase{"ConfirmedAmountWithoutSource", false, "kr-per-day=\"9300\" confirmed=\"false\"",
                   "kr-per-day=\"9300\" confirmed=\"true\"", 10,
                   "amount for year 2022 is marked confirmed without a source"},
        BrokenCase{"TooManyFreeDays", false, "somatic=\"3\"", "somatic=\"61\"", 6,
                   "attribute 'somatic': [facet 'maxInclusive']"},
        BrokenCase{"CutoffNotHHMM", false, "local-time=\"12:00\"", "local-time=\"12.00\"", 7,
                   "attribute 'local-time': [facet 'pattern'] The value '12.00' is not accepted"},
        BrokenCase{"ZeroInskrivningHours", false, "inskrivning-hours=\"24\"",
                   "inskrivning-hours=\"0\"", 4,
                   "attribute 'inskrivning-hours': [facet 'minInclusive']"},
        BrokenCase{"ZeroThreshold", true, "threshold-days=\"3.0\"", "threshold-days=\"0\"", 12,
                   "attribute 'threshold-days': [facet 'minExclusive']"},
        BrokenCase{"ThresholdWithExponent", true, "threshold-days=\"3.0\"",
                   "threshold-days=\"3e0\"", 12,
                   "attribute 'threshold-days': '3e0' is not a valid value"},
        // Semantic checks.
        BrokenCase{"CutoffNotATime", false, "local-time=\"12:00\"", "local-time=\"25:00\"", 7,
                   "cut-off local-time '25:00' is not a time of day (HH:MM, from 00:00 to "
                   "23:59)"},
        BrokenCase{"CutoffMinutes", false, "local-time=\"12:00\"", "local-time=\"12:60\"", 7,
                   "cut-off local-time '12:60' is not a time of day"},
        BrokenCase{"AverageWithoutAverageBlock", false, "model=\"individual\"",
                   "model=\"average\"", 5,
                   "model=\"average\" needs an <average threshold-days=\"...\"/> element"},
        BrokenCase{"AverageBlockWithIndividualModel", true, "model=\"average\"",
                   "model=\"individual\"", 12,
                   "<average> is only allowed with <liability model=\"average\">; this "
                   "agreement's model is individual (line 5)"},
        BrokenCase{"IndividualAfterNotAboveThreshold", true, "threshold-days=\"3.0\"",
                   "threshold-days=\"3.0\" individual-after-days=\"3\"", 12,
                   "individual-after-days (3) must be greater than threshold-days (3.0)"},
        BrokenCase{"Day0WithIndividualModel", false, "<amounts>",
                   "<day0-counted>true</day0-counted><amounts>", 8,
                   "<day0-counted> true applies only to the average model"}),
    CaseName<BrokenCase>);

// Issue 15 items 8 and 9: the readings the samverkansrutin leaves open (Halland 2022 [S20]) are
// the agreement's; absent attributes take the hub's reading, and the law's file has no tracks.
TEST_F(AgreementLoaderTest, HallandReadingsAndPlanningTracksLoad) {
  auto halland = LoadAgreement(Shipped("region-halland.xml"));
  ASSERT_TRUE(halland.ok()) << halland.error();
  EXPECT_EQ(halland->estimate_change_counting, Agreement::EstimateChangeCounting::kCalendarDays);
  EXPECT_EQ(halland->planeringsunderlag_from, Agreement::PlaneringsunderlagFrom::kRequest);
  EXPECT_EQ(halland->planeringsunderlag_answered_by, Agreement::PlaneringsunderlagAnsweredBy::kAny);
  EXPECT_TRUE(halland->planning_tracks);
  EXPECT_EQ(halland->red_track_change, Agreement::RedTrackChange::kDeviation);
  auto law = LoadAgreement(Shipped("lag-2017-612.xml"));
  ASSERT_TRUE(law.ok()) << law.error();
  EXPECT_FALSE(law->planning_tracks);

  std::string text = Edit(kValid, "sip-kallelse-days=\"3\"",
                          "sip-kallelse-days=\"3\" estimate-change-threshold-hours=\"24\" "
                          "estimate-change-counting=\"elapsed\" "
                          "planeringsunderlag-answer-hours=\"48\" "
                          "planeringsunderlag-answer-from=\"inskrivningsmeddelande\" "
                          "planeringsunderlag-answered-by=\"each-addressed\"");
  text = Edit(text, "</agreement>", "  <planning-tracks red-track-change=\"refuse\"/>\n</agreement>");
  auto a = LoadAgreement(Write("readings.xml", text));
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->estimate_change_counting, Agreement::EstimateChangeCounting::kElapsedHours);
  EXPECT_EQ(a->planeringsunderlag_from,
            Agreement::PlaneringsunderlagFrom::kInskrivningsmeddelande);
  EXPECT_EQ(a->planeringsunderlag_answered_by,
            Agreement::PlaneringsunderlagAnsweredBy::kEachAddressed);
  EXPECT_TRUE(a->planning_tracks);
  EXPECT_EQ(a->red_track_change, Agreement::RedTrackChange::kRefuse);

  // Comparing dates needs a threshold of whole days.
  const std::string path = Write("dygn.xml", Edit(kValid, "sip-kallelse-days=\"3\"",
                                                   "sip-kallelse-days=\"3\" "
                                                   "estimate-change-threshold-hours=\"36\""));
  auto bad = LoadAgreement(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error(), HasSubstr(path + ":4: estimate-change-counting=\"calendar\" compares "
                                     "dates: estimate-change-threshold-hours must be whole days"));
  // An unknown reading is the schema's error.
  EXPECT_FALSE(LoadAgreement(Write("reading.xml", Edit(kValid, "sip-kallelse-days=\"3\"",
                                                       "sip-kallelse-days=\"3\" "
                                                       "estimate-change-counting=\"hours\"")))
                   .ok());
}

TEST_F(AgreementLoaderTest, AllSemanticErrorsAreReportedInFileOrder) {
  std::string text = Edit(kValid, "local-time=\"12:00\"", "local-time=\"24:00\"");
  text = Edit(text, "<amounts>", "<day0-counted>1</day0-counted><amounts>");
  text = Edit(text, "</amounts>", "</amounts><average threshold-days=\"3\"/>");
  const std::string path = Write("many.xml", text);
  auto a = LoadAgreement(path);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error(),
            path + ":7: cut-off local-time '24:00' is not a time of day (HH:MM, from 00:00 to "
                   "23:59)\n" +
                path + ":8: <day0-counted> true applies only to the average model; this "
                       "agreement's model is individual\n" +
                path + ":11: <average> is only allowed with <liability model=\"average\">; this "
                       "agreement's model is individual (line 5)");
}

TEST_F(AgreementLoaderTest, AllSchemaErrorsAreReported) {
  std::string text = Edit(kValid, "somatic=\"3\"", "somatic=\"x\"");
  text = Edit(text, "year=\"2022\"", "year=\"2019\"");
  const std::string path = Write("many-schema.xml", text);
  auto a = LoadAgreement(path);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.error(), HasSubstr(path + ":6: "));
  EXPECT_THAT(a.error(), HasSubstr(path + ":10: "));
}

TEST_F(AgreementLoaderTest, LeavesLibxml2ErrorHandlerAsItFoundIt) {
  ExpectLeavesLibxml2ErrorHandler([&] {
    EXPECT_FALSE(LoadAgreement(Write("broken.xml", "<agreement")).ok());
    EXPECT_FALSE(LoadAgreement(Write("schema.xml", Edit(kValid, "model=\"individual\"",
                                                        "model=\"mean\""))).ok());
    EXPECT_TRUE(LoadAgreement(Write("ok.xml", kValid)).ok());
  });
}

TEST(AgreementAmountTest, PicksTheLatestYearNotAfterTheDay) {
  Agreement a;
  a.amount_per_day_kr = {{2019, 7800}, {2020, 8200}, {2022, 9300}};
  EXPECT_EQ(a.AmountFor(2018), std::nullopt);
  EXPECT_EQ(a.AmountFor(2019), 7800);
  EXPECT_EQ(a.AmountFor(2020), 8200);
  EXPECT_EQ(a.AmountFor(2021), 8200);  // 2021 not listed: 2020's amount
  EXPECT_EQ(a.AmountFor(2022), 9300);
  EXPECT_EQ(a.AmountFor(2030), 9300);
  EXPECT_EQ(Agreement{}.AmountFor(2022), std::nullopt);
}

TEST(EmbeddedAgreementXsdTest, IsTheSchemaInTheSourceTree) {
  ExpectEmbeddedSchemaIs(EmbeddedAgreementXsd(), "schemas/agreement.xsd");
}

}  // namespace
}  // namespace slussen::testing
