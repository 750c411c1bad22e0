// The evidence report as PDF (case_report_pdf.h): a case built with the pure case logic, its
// CaseReportJson, rendered to a file, and read back with poppler-utils (pdfinfo, pdftotext,
// pdffonts) to prove that it is a real PDF with real fonts and real, searchable Swedish text.
#include "report/case_report_pdf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "report/case_report.h"
#include "unit/cases/case_test_support.h"
#include "testing/temp_dir.h"
#include "testing/pdf_tools.h"

namespace slussen {
namespace {

namespace fs = std::filesystem;
using slussen::testing::PdfPages;
using slussen::testing::PdfText;
using slussen::testing::RunTool;
using slussen::testing::ShellQuote;
using slussen::testing::TempDir;
using namespace casetest;  // NOLINT(google-build-using-namespace): Timeline, L, Evaluate, ...
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCaseId[] = "SE2321000131-E1/vt-pdf-4711";

// "21 000 kr" as the report prints amounts.
std::string Kr(int64_t amount) {
  const std::string digits = std::to_string(amount);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return out + " kr";
}

// Admitted Monday 2 May 2022, SIP expected and called, the utskrivningsklar notice sent Thursday
// 5 May at 12:30:00.123456 (after the 12.00 cut-off), a receipt from the kommun, discharged 12 May.
Timeline ExampleCase() {
  Timeline t("1380");
  t.Inskrivning("insk-1", L("2022-05-02", 8, 0), L("2022-05-02", 9, 0), InskOptions().Sip());
  t.Utskrivningsklar("klar-1", L("2022-05-05", 12, 30));
  // The hub stores with microseconds: the report prints the fraction.
  t.StoredAt("klar-1", L("2022-05-05", 12, 30) + std::chrono::microseconds{123456});
  t.Receipt("kvitto-1", "klar-1", L("2022-05-05", 12, 31), L("2022-05-05", 12, 32));
  t.Kallelse("kallelse-1", L("2022-05-06", 10, 0));
  t.Utskrivning("utskr-1", L("2022-05-12", 10, 0));
  return t;
}

// SLUSSEN_PDF_EXAMPLE=/tmp/report-example keeps copies to look at (/tmp/report-example.pdf, ...).
void KeepCopy(const std::string& path, const std::string& suffix) {
  const char* keep = std::getenv("SLUSSEN_PDF_EXAMPLE");
  if (keep == nullptr || *keep == '\0') return;
  std::error_code ec;
  fs::copy_file(path, std::string(keep) + suffix, fs::copy_options::overwrite_existing, ec);
  EXPECT_FALSE(ec) << ec.message();
}

json ReportOf(const Timeline& t, TimePoint now, const std::vector<DeliveryRecord>& deliveries = {}) {
  const Agreement& a = [] () -> const Agreement& {
    static const Agreement law = Shipped("lag-2017-612.xml");
    return law;
  }();
  const Outcome o = Evaluate(t, a, now, kCaseId);
  return CaseReportJson(o.c, o.deadlines, o.liability, a, deliveries, now);
}

TEST(CaseReportPdf, RealPdfWithSearchableSwedishText) {
  const json report = ReportOf(ExampleCase(), L("2022-05-20", 9, 0),
                               {DeliveryRecord::Delivered("klar-1", "kommun-1380",
                                                          L("2022-05-05", 12, 30, 2))});
  // The facts the PDF must show, taken from the JSON it renders.
  const json& liability = report.at("liability");
  ASSERT_EQ(liability.at("liable"), true) << liability.dump(2);
  ASSERT_EQ(liability.at("periods").size(), 1u);
  const std::string first_billable = liability.at("periods")[0].at("first_billable_day");
  const int64_t total = liability.at("totals").at("amount_kr");
  ASSERT_GT(total, 0);

  TempDir dir{"slussen-pdf"};
  const std::string path = dir.File("report.pdf");
  const Status st = WriteCaseReportPdf(report, path);
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_EQ(slussen::testing::FileHead(path, 5), "%PDF-");
  const int pages = PdfPages(path);
  EXPECT_GE(pages, 1);
  KeepCopy(path, ".pdf");

  const std::string text = PdfText(path);
  EXPECT_THAT(text, HasSubstr(kCaseId));
  EXPECT_THAT(text, HasSubstr("Utskrivningsklar"));
  // Headings with åäö: real glyphs with a Unicode mapping, not boxes or missing text.
  EXPECT_THAT(text, HasSubstr("underlag för betalningsansvar"));
  EXPECT_THAT(text, HasSubstr("Betalningsansvar (payment liability)"));
  EXPECT_THAT(text, HasSubstr("Händelsekedja"));
  EXPECT_THAT(text, HasSubstr("Överenskommelse"));
  EXPECT_THAT(text, HasSubstr("Första betalningsdag"));
  EXPECT_THAT(text, HasSubstr(first_billable));
  EXPECT_THAT(text, HasSubstr(Kr(total)));
  EXPECT_THAT(text, HasSubstr("1380 Halmstad"));
  EXPECT_THAT(text, HasSubstr("Sida 1 av " + std::to_string(pages)));
  // Times as the JSON has them, and the delivery and receipt of the notice.
  EXPECT_THAT(text, HasSubstr(report.at("generated_at").get<std::string>()));
  EXPECT_THAT(text, HasSubstr("2022-05-05T12:30:02+02:00"));  // delivered to kommun-1380
  EXPECT_THAT(text, HasSubstr("ack-kvitto-1"));
  // A stored time with microseconds stays one string in its column (smaller type, no break).
  EXPECT_THAT(text, HasSubstr("2022-05-05T12:30:00.123456+02:00"));
  EXPECT_THAT(text, HasSubstr("2 kap. 3 §"));
  // Nothing personal: the timeline carries a personnummer and a name, the report does not.
  for (const char* personal : {testing::kValidPersonnummer, testing::kTestFamilyName}) {
    EXPECT_THAT(text, Not(HasSubstr(personal))) << personal;
  }

  // An embedded TrueType font (DejaVu Sans from fonts-dejavu-core), not a substitute.
  EXPECT_THAT(RunTool("pdffonts " + ShellQuote(path)), HasSubstr("DejaVuSans"));
}

// Issue 15: a day billed at an amount the agreement does not confirm is marked, and the report
// says so at the top; the example's 2022 days are confirmed and carry no such mark.
TEST(CaseReportPdf, UnconfirmedAmountsAreMarkedByDayAndAtTheTop) {
  json report = ReportOf(ExampleCase(), L("2022-05-20", 9, 0));
  TempDir dir{"slussen-pdf"};
  const std::string confirmed = dir.File("confirmed.pdf");
  ASSERT_TRUE(WriteCaseReportPdf(report, confirmed).ok());
  EXPECT_THAT(PdfText(confirmed), Not(HasSubstr("fastställ")));

  json& liability = report.at("liability");
  ASSERT_FALSE(liability.at("periods")[0].at("billed_days").empty());
  liability["unconfirmed_amounts"] = true;
  liability.at("periods")[0].at("billed_days")[0]["amount_confirmed"] = false;
  const std::string path = dir.File("unconfirmed.pdf");
  ASSERT_TRUE(WriteCaseReportPdf(report, path).ok());
  const std::string text = PdfText(path);
  EXPECT_THAT(text, HasSubstr("Obs: belopp som inte är fastställda"));
  EXPECT_THAT(text, HasSubstr("ej fastställt belopp (unconfirmed amount, 2022)"));
  EXPECT_LT(text.find("Obs: belopp"), text.find("Händelsekedja")) << "at the top";
}

TEST(CaseReportPdf, LongCaseRunsOverSeveralPagesWithPageNumbers) {
  Timeline t = ExampleCase();
  for (int i = 0; i < 90; ++i) {
    t.EstimateChanged("estimate-" + std::to_string(i), L("2022-05-20", 8, 0),
                      L("2022-05-03", 8, 0) + std::chrono::minutes{10 * i});
  }
  const json report = ReportOf(t, L("2022-05-20", 9, 0));
  ASSERT_GE(report.at("events").size(), 95u);
  TempDir dir{"slussen-pdf"};
  const std::string path = dir.File("long.pdf");
  const Status st = WriteCaseReportPdf(report, path);
  ASSERT_TRUE(st.ok()) << st.error();
  KeepCopy(path, "-long.pdf");
  const int pages = PdfPages(path);
  EXPECT_GT(pages, 1);
  const std::string text = PdfText(path);
  const std::string of = " av " + std::to_string(pages);
  EXPECT_THAT(text, HasSubstr("Sida 1" + of));
  EXPECT_THAT(text, HasSubstr("Sida " + std::to_string(pages) + of));
  // Nothing is lost at the page breaks: every event and the liability section are there.
  for (const auto& e : report.at("events")) {
    EXPECT_THAT(text, HasSubstr(e.at("event_id").get<std::string>()));
  }
  EXPECT_THAT(text, HasSubstr("Summa betalningsansvar"));
  EXPECT_THAT(text, HasSubstr("Anteckningar (notes)"));
}

TEST(CaseReportPdf, LateInskrivningShowsTheFailedPreconditionAndTheMissedDeadline) {
  // The inskrivningsmeddelande two days after admission (2 kap. 3 §: 24 h): no liability
  // (5 kap. 3 §), and the report says which precondition failed. An återtagande of an unknown
  // notice leaves a note on the case.
  Timeline t("1380");
  t.Inskrivning("insk-1", L("2022-05-02", 8, 0), L("2022-05-04", 9, 0));
  t.Utskrivningsklar("klar-1", L("2022-05-05", 10, 0));
  t.Withdrawn("ater-1", "no-such-notice", L("2022-05-05", 11, 0));
  t.Utskrivning("utskr-1", L("2022-05-12", 10, 0));
  const json report = ReportOf(t, L("2022-05-20", 9, 0));
  ASSERT_EQ(report.at("liability").at("liable"), false);
  ASSERT_FALSE(report.at("notes").empty());
  TempDir dir{"slussen-pdf"};
  const std::string path = dir.File("late.pdf");
  const Status st = WriteCaseReportPdf(report, path);
  ASSERT_TRUE(st.ok()) << st.error();
  KeepCopy(path, "-late.pdf");
  const std::string text = PdfText(path);
  EXPECT_THAT(text, HasSubstr("missad (missed)"));
  EXPECT_THAT(text, HasSubstr("ej uppfylld (failed)"));
  EXPECT_THAT(text, HasSubstr("nej (no)"));
  EXPECT_THAT(text, HasSubstr("Utskrivningsklar återtagen"));
  EXPECT_THAT(text, HasSubstr("no-such-notice"));  // the note
}

TEST(CaseReportPdf, NullsAndAnEmptyCaseStillRender) {
  // A report with little in it (a hand-made one: every optional field absent or null).
  const json report = json::parse(R"({"case_id": "X/1", "status": "admitted", "kommunkod": null,
      "agreement": {"id": "a", "name": "Å & <b>", "source": null, "source_note": null},
      "generated_at": "2022-05-20T09:00:00+02:00", "events": [], "deadlines": [],
      "liability": {"model": "individual", "rule": "r", "liable": false, "provisional": true,
                    "preconditions": [], "periods": [], "totals": {"days": 0, "amount_kr": 0},
                    "notes": []},
      "notes": []})");
  TempDir dir{"slussen-pdf"};
  const std::string path = dir.File("empty.pdf");
  const Status st = WriteCaseReportPdf(report, path);
  ASSERT_TRUE(st.ok()) << st.error();
  const std::string text = PdfText(path);
  EXPECT_THAT(text, HasSubstr("X/1"));
  EXPECT_THAT(text, HasSubstr("Å & <b>"));  // escaped for pango, printed as written
  EXPECT_THAT(text, HasSubstr("Inga händelser"));
}

TEST(CaseReportPdf, UnwritablePathIsAnErrorNotACrash) {
  const json report = ReportOf(ExampleCase(), L("2022-05-20", 9, 0));
  TempDir dir{"slussen-pdf"};
  const std::string missing_dir = dir.File("no-such-dir/report.pdf");
  const Status st = WriteCaseReportPdf(report, missing_dir);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr(missing_dir));
  EXPECT_THAT(st.error(), HasSubstr("No such file or directory"));

  // A directory is not a file either.
  EXPECT_FALSE(WriteCaseReportPdf(report, dir.File("")).ok());

  // A write error after opening (a full disk) is reported, and the device is left alone.
  if (fs::exists("/dev/full")) {
    const Status full = WriteCaseReportPdf(report, "/dev/full");
    ASSERT_FALSE(full.ok());
    EXPECT_THAT(full.error(), HasSubstr("/dev/full"));
    EXPECT_TRUE(fs::exists("/dev/full"));
  }

  EXPECT_FALSE(WriteCaseReportPdf(json::array(), dir.File("array.pdf")).ok());
}

}  // namespace
}  // namespace slussen
