// Issue 15 items 6, 7 and 10 in the evidence report: the day conventions that applied (5 kap.),
// where the discharge time came from (3 kap. 2 §) and the SIP assessments (4 kap. 1 §), in the
// JSON, the text table and the PDF.
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

// Notice Mon 2022-05-09 10:00, a SIP assessment on Tue, discharged Mon 05-16 10:00 (the ADT fact),
// the utskrivningsmeddelande the same day.
Timeline FactsCase() {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-07", 8, 0), L("2022-05-07", 9, 0));
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  testing::EnvelopeSpec spec;
  spec.care_unit = spec.hospital = "SE2321000131-E1";
  spec.episode = "vt-1";
  spec.kommunkod = "1380";
  spec.listed_vc.clear();
  spec.event_id = "bedomning";
  v1::Envelope sip = testing::EnvelopeHeader(spec, L("2022-05-10", 9, 0));
  sip.mutable_sip_bedomning()->set_sip_expected(false);
  sip.mutable_sip_bedomning()->set_reason("klarar sig med hemtjänst");
  t.mutable_events().push_back({sip, L("2022-05-10", 9, 1)});
  spec.event_id = "ut";
  v1::Envelope discharge = testing::EnvelopeHeader(spec, L("2022-05-16", 10, 0));
  *discharge.mutable_utskrivning()->mutable_discharged_at() = testing::Ts(L("2022-05-16", 10, 0));
  t.mutable_events().push_back({discharge, L("2022-05-16", 10, 5)});
  t.Utskrivning("meddelande", L("2022-05-16", 10, 0), L("2022-05-16", 15, 0));
  return t;
}

// 5 kap. 1 §: an agreement that bills the day of discharge says so in every form of the report;
// the discharge's source and the SIP assessment are there too.
TEST(CaseReportFacts, TheReportSaysWhichDayConventionApplied_5kap1) {
  Agreement a = Shipped("lag-2017-612.xml");
  a.bill_discharge_day = true;
  const TimePoint now = L("2022-06-01", 0, 0);
  const Outcome o = Evaluate(FactsCase(), a, now);
  const json report = CaseReportJson(o.c, o.deadlines, o.liability, a, {}, now);

  const json& conventions = report.at("liability").at("day_conventions");
  ASSERT_EQ(conventions.size(), 3u);
  EXPECT_THAT(conventions[0].get<std::string>(), HasSubstr("day of discharge: billed"));
  EXPECT_THAT(conventions[1].get<std::string>(), HasSubstr("day of a withdrawal (återtagande): not billed"));
  EXPECT_THAT(conventions[2].get<std::string>(), HasSubstr("partly paused day (5 kap. 5 §): not billed"));
  EXPECT_EQ(report.at("discharge").at("source"), "Utskrivning");
  EXPECT_EQ(report.at("discharge").at("at"), "2022-05-16T10:00:00+02:00");
  ASSERT_EQ(report.at("sip_assessments").size(), 2u);
  EXPECT_EQ(report.at("sip_assessments")[1].at("reason"), "klarar sig med hemtjänst");
  EXPECT_EQ(report.at("sip_assessments")[1].at("sip_expected"), false);
  // The discharge day 05-16 is billed under this agreement.
  EXPECT_EQ(report.at("liability").at("totals").at("days"), 5);

  const std::string table = CaseReportTable(o.c, o.deadlines, o.liability, a, {}, now);
  EXPECT_THAT(table, HasSubstr("convention: day of discharge: billed"));
  EXPECT_THAT(table, HasSubstr("discharged    2022-05-16"));
  EXPECT_THAT(table, HasSubstr("(from the Utskrivning)"));
  EXPECT_THAT(table, HasSubstr("SIP           not expected (SipBedomning"));

  testing::TempDir dir{"slussen-pdf-facts"};
  const std::string path = dir.File("report.pdf");
  ASSERT_TRUE(WriteCaseReportPdf(report, path).ok());
  const std::string text = testing::PdfText(path);
  EXPECT_THAT(text, HasSubstr("Dagkonventioner"));
  EXPECT_THAT(text, HasSubstr("day of discharge: billed"));
}

}  // namespace
}  // namespace slussen
