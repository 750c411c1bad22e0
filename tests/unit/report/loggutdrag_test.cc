// The patient's access-log extract (loggutdrag): the JSON from audit rows, and the PDF for the
// patient with Swedish headings (hub/DESIGN.md "Audit log and retention").
#include "report/loggutdrag.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "report/loggutdrag_pdf.h"
#include "testing/pdf_tools.h"
#include "testing/temp_dir.h"

namespace slussen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<AuditRecord> Rows() {
  AuditRecord delivered;
  delivered.at_us = 1'774'000'000'000'000;  // 2026-03-20
  delivered.actor_kind = "receiver";
  delivered.actor = "kommun-1380";
  delivered.organisation = "Halmstad (kommun 1380)";
  delivered.action = "delivered";
  delivered.case_id = "SE2321000115-SH01/VT-1";
  delivered.patient_key = std::string(64, 'a');
  delivered.what = "Inskrivningsmeddelande";
  delivered.ref = "0b6f5c1e-3d2a-4f7e-9a1b-000000000001";
  AuditRecord read = delivered;
  read.actor_kind = "operator";
  read.actor = "otto";
  read.organisation = "Slussen Region Halland";
  read.action = "read";
  read.what = "evidence report";
  read.ref.clear();
  return {delivered, read};
}

TEST(Loggutdrag, JsonNamesWhenWhoWhatAndWhichOrganisation) {
  const auto j = LoggutdragJson(Rows(), FromMicros(1'775'000'000'000'000));
  ASSERT_EQ(j.at("count"), 2);
  const auto& e = j.at("entries");
  EXPECT_EQ(e[0].at("action"), "delivered");
  EXPECT_EQ(e[0].at("organisation"), "Halmstad (kommun 1380)");
  EXPECT_EQ(e[0].at("event_id"), "0b6f5c1e-3d2a-4f7e-9a1b-000000000001");
  EXPECT_THAT(e[0].at("action_text").get<std::string>(), HasSubstr("Överlämnad"));
  EXPECT_EQ(e[0].at("at"), "2026-03-20T10:46:40+01:00");
  EXPECT_EQ(e[1].at("actor"), "otto");
  EXPECT_FALSE(e[1].contains("event_id"));
  EXPECT_THAT(j.dump(), Not(HasSubstr(std::string(64, 'a')))) << "no patient key in the answer";
}

TEST(Loggutdrag, PdfForThePatientInSwedish) {
  testing::TempDir dir{"slussen-loggutdrag"};
  const std::string path = dir.File("loggutdrag.pdf");
  const auto j = LoggutdragJson(Rows(), FromMicros(1'775'000'000'000'000));
  const Status written = WriteLoggutdragPdf(j, "202508242381", path);
  ASSERT_TRUE(written) << written.error();
  const std::string text = testing::PdfText(path);
  for (const char* s : {"Loggutdrag", "20250824-2381", "Organisation och enhet", "När",
                        "Halmstad (kommun 1380)", "otto", "Läst av handläggare",
                        "Inskrivningsmeddelande"}) {
    EXPECT_THAT(text, HasSubstr(s)) << s;
  }
  const std::string empty = dir.File("empty.pdf");
  ASSERT_TRUE(WriteLoggutdragPdf(LoggutdragJson({}, FromMicros(0)), "202508242381", empty));
  EXPECT_THAT(testing::PdfText(empty), HasSubstr("Inga utlämnanden"));
  EXPECT_FALSE(WriteLoggutdragPdf(nlohmann::json::array(), "202508242381", empty));
  EXPECT_FALSE(WriteLoggutdragPdf(j, "202508242381", dir.File("no/such/dir.pdf")));
}

}  // namespace
}  // namespace slussen
