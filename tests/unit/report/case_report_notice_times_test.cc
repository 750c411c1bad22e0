// Issue 15 items 4-5 in the evidence report: each notice of 5 kap. 3 § with its stored, source,
// delivered and receipted times, the rule and the time applied, and the divergence flag, in the
// JSON, the text and the PDF.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "cases/timeline.h"

#include "cases/notice_times.h"
#include "report/case_report.h"
#include "report/case_report_pdf.h"
#include "testing/pdf_tools.h"
#include "testing/temp_dir.h"
#include "unit/cases/case_test_support.h"

namespace slussen {
namespace {

using namespace casetest;  // NOLINT(google-build-using-namespace): Timeline, L, Evaluate, ...
using nlohmann::json;
using slussen::testing::PdfText;
using slussen::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kCaseId[] = "SE2321000131-E1/vt-1";

// The issue's example: the EHR sent the notice Mon 2022-05-09 11:59, the hub stored it 12:01,
// kommun-1380 accepted it 12:02 and receipted it 12:03; discharged Mon 05-16.
Timeline OutageCase() {
  Timeline t("1380");
  t.Inskrivning("insk", L("2022-05-06", 8, 0), L("2022-05-06", 9, 0));
  t.Utskrivningsklar("klar", L("2022-05-09", 12, 1));
  for (auto& e : t.mutable_events()) {
    if (e.envelope.event_id() == "klar") {
      *e.envelope.mutable_source_sent_at() = slussen::testing::Ts(L("2022-05-09", 11, 59));
      e.kommun_delivered_at = L("2022-05-09", 12, 2);
    }
  }
  t.Receipt("kv", "klar", L("2022-05-09", 12, 3), L("2022-05-09", 12, 4));
  t.Utskrivning("utskr", L("2022-05-16", 10, 0));
  return t;
}

struct Report {
  json j;
  std::string text;
};

Report ReportUnder(const Agreement& a, const Timeline& t = OutageCase()) {
  const TimePoint now = L("2022-06-01", 0, 0);
  const Outcome o = Evaluate(t, a, now, kCaseId);
  return {CaseReportJson(o.c, o.deadlines, o.liability, a, {}, now),
          CaseReportTable(o.c, o.deadlines, o.liability, a, {}, now)};
}

const json& Notice(const json& report, const std::string& id) {
  for (const auto& n : report.at("notice_times").at("notices")) {
    if (n.at("event_id") == id) return n;
  }
  throw std::runtime_error("no notice " + id);
}

// 5 kap. 4 §: both times of the notice, the one applied under each rule, and the flag under both.
TEST(CaseReportNoticeTimes, FiveKap4ShowsBothTimesTheAppliedOneAndTheDivergence) {
  const Agreement law = Shipped("lag-2017-612.xml");
  Agreement source = law;
  source.sent_time = Agreement::SentTime::kSource;

  const Report stored = ReportUnder(law);
  const json& n = Notice(stored.j, "klar");
  EXPECT_EQ(n.at("kind"), "Utskrivningsklar");
  EXPECT_EQ(n.at("stored_at"), "2022-05-09T12:01:00+02:00");
  EXPECT_EQ(n.at("source_sent_at"), "2022-05-09T11:59:00+02:00");
  EXPECT_EQ(n.at("delivered_at"), "2022-05-09T12:02:00+02:00");
  EXPECT_EQ(n.at("receipted_at"), "2022-05-09T12:03:00+02:00");
  EXPECT_EQ(n.at("kommun_destination"), "kommun-1380");
  EXPECT_EQ(n.at("applied"), "stored");
  EXPECT_EQ(n.at("applied_at"), "2022-05-09T12:01:00+02:00");
  EXPECT_THAT(n.at("divergence").get<std::string>(), HasSubstr("cut-off"));
  EXPECT_EQ(stored.j.at("notice_times").at("sent"), "stored");
  EXPECT_EQ(stored.j.at("notice_times").at("notified"), "stored");
  EXPECT_EQ(stored.j.at("notice_times").at("source_skew_minutes"), 5);
  EXPECT_EQ(Notice(stored.j, "insk").at("divergence"), nullptr) << "no source time, no flag";
  EXPECT_EQ(stored.j.at("liability").at("periods")[0].at("first_billable_day"), "2022-05-13");
  EXPECT_THAT(stored.text, HasSubstr("Notice times (5 kap. 3-4 §§)"));
  EXPECT_THAT(stored.text, HasSubstr("applied: stored 2022-05-09T12:01:00+02:00"));
  EXPECT_THAT(stored.text, HasSubstr("DIVERGES: the source time is 2 min before the stored time"));

  const Report by_source = ReportUnder(source);
  EXPECT_EQ(Notice(by_source.j, "klar").at("applied"), "source");
  EXPECT_EQ(Notice(by_source.j, "klar").at("applied_at"), "2022-05-09T11:59:00+02:00");
  EXPECT_FALSE(Notice(by_source.j, "klar").at("divergence").is_null());
  EXPECT_EQ(by_source.j.at("liability").at("periods")[0].at("first_billable_day"), "2022-05-12");
  EXPECT_THAT(by_source.j.at("liability").at("notice_rule").get<std::string>(),
              HasSubstr("sent=source"));
  EXPECT_THAT(by_source.text, HasSubstr("applied: source 2022-05-09T11:59:00+02:00"));
  // The evidence chain shows the source time on the event itself too.
  bool found = false;
  for (const auto& e : by_source.j.at("events")) {
    if (e.at("event_id") == "klar") {
      EXPECT_EQ(e.at("source_sent_at"), "2022-05-09T11:59:00+02:00");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

// 5 kap. 3 §: under notified=receipted the receipt's time applies; the PDF shows the rule, the
// times and the divergence.
TEST(CaseReportNoticeTimes, FiveKap3TheRuleAndTheThreeTimesAreInThePdf) {
  Agreement receipted = Shipped("lag-2017-612.xml");
  receipted.notified_when = Agreement::NotifiedWhen::kReceipted;
  const Report r = ReportUnder(receipted);
  EXPECT_EQ(Notice(r.j, "klar").at("applied"), "receipted");
  EXPECT_EQ(Notice(r.j, "insk").at("applied"), "not yet receipted");
  EXPECT_EQ(Notice(r.j, "insk").at("applied_at"), nullptr);

  EXPECT_EQ(Notice(r.j, "klar").at("applied_at"), "2022-05-09T12:03:00+02:00");

  TempDir dir{"slussen-notice-pdf"};
  const std::string path = dir.File("report.pdf");
  ASSERT_TRUE(WriteCaseReportPdf(r.j, path).ok());
  const std::string text = PdfText(path);
  EXPECT_THAT(text, HasSubstr("Meddelandetider"));
  EXPECT_THAT(text, HasSubstr("notified=receipted"));
  EXPECT_THAT(text, HasSubstr("2022-05-09T12:03:00+02:00"));
  EXPECT_THAT(text, HasSubstr("not yet receipted"));
  EXPECT_THAT(text, HasSubstr("Avvikelse (divergence)"));

  // Never receipted: its period is not billed, and the PDF says why.
  const Report unreceipted = ReportUnder(receipted, OutageCase().Without("kv"));
  const json& period = unreceipted.j.at("liability").at("periods")[0];
  EXPECT_EQ(period.at("notice_given").at("state"), "failed");
  EXPECT_TRUE(period.at("billed_days").empty());
  EXPECT_THAT(unreceipted.text, HasSubstr("NOT BILLED"));
  const std::string path2 = dir.File("unreceipted.pdf");
  ASSERT_TRUE(WriteCaseReportPdf(unreceipted.j, path2).ok());
  EXPECT_THAT(PdfText(path2), HasSubstr("Ej debiterad (not billed)"));
}

// The simulator's timeline carries the kommun's acceptance as an extra key, checked like
// "stored_at".
TEST(CaseReportNoticeTimes, TheTimelineCarriesTheKommunsAcceptance) {
  TempDir dir{"slussen-notice-timeline"};
  const std::string path = dir.File("t.jsonl");
  const std::string head =
      R"({"eventId": "e1", "caseId": {"careUnitHsaId": "H", "episodeId": "V1"}, )"
      R"("occurredAt": "2026-03-26T12:05:00+01:00", "utskrivningsklar": {}, )";
  std::ofstream(path) << head << R"("kommun_delivered_at": "2026-03-27T09:00:00+01:00"})" << "\n"
                      << R"({"eventId": "e2", "caseId": {"careUnitHsaId": "H", "episodeId": "V1"}, )"
                      << R"("occurredAt": "2026-03-26T12:05:00+01:00", "kommun_delivered_at": 5})"
                      << "\n";
  auto bad = ReadTimeline(path);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error(), HasSubstr(":2: kommun_delivered_at: expected an RFC 3339 string"));

  std::ofstream(path) << head << R"("kommun_delivered_at": "2026-03-27T09:00:00+01:00"})" << "\n";
  auto events = ReadTimeline(path);
  ASSERT_TRUE(events) << events.error();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->at(0).kommun_delivered_at, L("2026-03-27", 9, 0));
  EXPECT_EQ(events->at(0).stored_at, L("2026-03-26", 12, 5));
}

}  // namespace
}  // namespace slussen
