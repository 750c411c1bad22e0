// The monthly deviation report (deviation_report.h) against a real SQLite store: what the core
// writes when deadlines are missed, deliveries die, fall back and receipts come late or not at
// all, read back through StoreReader::Deviations, grouped per organisation and Stockholm month,
// and rendered as JSON, CSV and PDF.
#include "report/deviation_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/swedish_calendar.h"
#include "report/deviation_report_pdf.h"
#include "store/store_factory.h"
#include "testing/store_writes.h"
#include "testing/pdf_tools.h"
#include "testing/temp_dir.h"

namespace slussen {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kUnit[] = "SE2321000115-SH01";
constexpr char kOtherUnit[] = "SE2321000115-SH02";

// Stockholm wall time on a day of 2026.
int64_t At(unsigned month, unsigned day, int hour, int minute = 0) {
  using namespace std::chrono;
  return ToMicros(calendar::FromStockholm(
      year_month_day{year{2026}, std::chrono::month{month}, std::chrono::day{day}},
      minutes{hour * 60 + minute}));
}

class DeviationReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStore({"sqlite", dir_.File("hub.db")});
    ASSERT_TRUE(opened) << opened.error();
    store_ = std::move(*opened);
  }

  void Write(const WriteBatch& batch) {
    const Status st = slussen::testing::WriteFlushed(*store_, batch);
    ASSERT_TRUE(st.ok()) << st.error();
  }

  // A case of `unit` in kommun `kommun` with these deadlines (id, due, state).
  void Case(const std::string& case_id, const std::string& kommun,
            std::vector<DeadlineRecord> deadlines) {
    WriteBatch b;
    CaseUpdate u;
    u.record.case_id = case_id;
    u.record.kommunkod = kommun;
    u.record.status = "discharged";
    u.record.updated_at_us = At(3, 1, 12);
    u.deadlines = std::move(deadlines);
    b.cases.push_back(std::move(u));
    Write(b);
  }

  // One event of `case_id` stored at `at_us` for `destination`; returns its outbox seq.
  int64_t Event(const std::string& case_id, const std::string& destination, int64_t at_us,
                int64_t receipt_due_us = 0) {
    WriteBatch b;
    EventRecord e;
    e.event_id = "event-" + std::to_string(++events_);
    e.kind = "Utskrivningsklar";
    e.case_id = case_id;
    e.sender_hsa_id = kUnit;
    e.schema_version = 1;
    e.occurred_at_us = at_us;
    e.received_at_us = at_us;
    e.body = "body";
    e.destinations = {destination};
    e.receipt_due_at_us = {receipt_due_us};
    b.events.push_back(e);
    Write(b);
    auto pending = store_->PendingAfter(destination, 0, 1000);
    EXPECT_TRUE(pending) << pending.error();
    for (const auto& item : *pending) {
      if (item.event_id == e.event_id) return item.seq;
    }
    ADD_FAILURE() << "no outbox row for " << e.event_id;
    return 0;
  }
  std::string LastEventId() const { return "event-" + std::to_string(events_); }

  void Dead(int64_t seq, const std::string& case_id, int64_t at_us,
            const std::string& fallback_to = "") {
    WriteBatch b;
    FailedAttempt f;
    f.seq = seq;
    f.attempt = 1;
    f.at_us = at_us;
    f.outcome = "rejected";
    f.dead = true;
    f.reason = "rejected by the receiver";
    f.case_id = case_id;
    f.event_id = "unused";
    f.fallback_to = fallback_to;
    f.fallback_cause = "dead";
    b.failed_attempts.push_back(f);
    Write(b);
  }

  DeviationReport Report(unsigned month) {
    auto reader = OpenStoreReader({"sqlite", dir_.File("hub.db")});
    EXPECT_TRUE(reader) << reader.error();
    auto report =
        BuildDeviationReport(**reader, ReportMonth{2026, month}, FromMicros(At(month, 28, 12)));
    EXPECT_TRUE(report) << report.error();
    return *report;
  }

  static const DeviationGroup* Find(const DeviationReport& r, const std::string& category,
                                    const std::string& org_id, const std::string& rule = "") {
    for (const auto& g : r.groups) {
      if (g.category == category && g.organisation.id == org_id && g.rule == rule) return &g;
    }
    return nullptr;
  }

  slussen::testing::TempDir dir_{"slussen-deviations"};
  std::unique_ptr<Store> store_;
  int events_ = 0;
};

TEST(ReportMonthTest, ParsesOnlyYearDashMonth) {
  EXPECT_EQ(ParseReportMonth("2026-03"), (ReportMonth{2026, 3}));
  EXPECT_EQ(ParseReportMonth("2026-12")->Text(), "2026-12");
  for (const char* bad : {"", "2026-3", "2026-13", "2026-00", "26-03", "2026/03", "2026-03-01",
                          "1999-12", "abcd-ef", "2026-0x"}) {
    EXPECT_FALSE(ParseReportMonth(bad)) << bad;
  }
  EXPECT_EQ((ReportMonth{2026, 1}.Previous()), (ReportMonth{2025, 12}));
}

TEST(ReportMonthTest, AMonthIsStockholmWallTime) {
  const MonthSpan march = SpanOf({2026, 3});
  EXPECT_EQ(ToMicros(march.from), At(3, 1, 0));
  // Summer time starts on 29 March: April begins at 22:00 UTC, not 23:00.
  EXPECT_EQ(ToMicros(march.to), At(4, 1, 0));
  EXPECT_EQ((ToMicros(march.to) / 1'000'000) % 86400, 22 * 3600);
}

TEST_F(DeviationReportTest, MissedDeadlinesArePerRuleAndTheirPartyInTheirStockholmMonth) {
  const std::string a = std::string(kUnit) + "/ep-a";
  const std::string b = std::string(kUnit) + "/ep-b";
  const std::string c = std::string(kOtherUnit) + "/ep-c";
  Case(a, "1380",
       {{"inskrivningsmeddelande", "2 kap. 3 § lag (2017:612)", At(3, 10, 9), "missed", 0},
        {"kallelse-sip", "4 kap. 3 § lag (2017:612)", At(3, 11, 0), "met", At(3, 10, 0)},
        {"planeringsunderlag-svar:req-1", "regional routine (\"Halland, 2024\")", At(3, 12, 0),
         "missed", 0}});
  // Due 00:30 on 1 March in Stockholm (23:30 UTC on 28 February): March's. Due 00:30 on 1 April
  // (22:30 UTC on 31 March): April's.
  Case(b, "1383",
       {{"inskrivningsmeddelande", "2 kap. 3 § lag (2017:612)", At(3, 1, 0, 30), "missed", 0},
        {"informationsoverforing", "3 kap. 2 § lag (2017:612)", At(4, 1, 0, 30), "missed", 0},
        {"andrat-utskrivningsdatum", "regional routine", At(3, 20, 10), "missed", 0}});
  Case(c, "1380",
       {{"inskrivningsmeddelande", "2 kap. 3 § lag (2017:612)", At(3, 15, 9), "at-risk", 0}});

  const DeviationReport march = Report(3);
  const DeviationGroup* insk = Find(march, "deadline-missed", kUnit, "inskrivningsmeddelande");
  ASSERT_NE(insk, nullptr);
  EXPECT_EQ(insk->organisation.kind, "region");
  EXPECT_EQ(insk->count, 2);
  EXPECT_THAT(insk->case_ids, ElementsAre(a, b));
  EXPECT_THAT(insk->counterparts, ElementsAre("1380", "1383"));
  EXPECT_EQ(insk->rule_text, "2 kap. 3 § lag (2017:612)");
  EXPECT_FALSE(insk->recurring);

  // The planeringsunderlag answer is the kommun's duty.
  const DeviationGroup* answer = Find(march, "deadline-missed", "1380", "planeringsunderlag-svar");
  ASSERT_NE(answer, nullptr);
  EXPECT_EQ(answer->organisation.kind, "kommun");
  EXPECT_THAT(answer->counterparts, ElementsAre(kUnit));

  const DeviationGroup* estimate =
      Find(march, "estimate-change-not-notified", kUnit, "andrat-utskrivningsdatum");
  ASSERT_NE(estimate, nullptr);
  EXPECT_THAT(estimate->case_ids, ElementsAre(b));

  EXPECT_EQ(Find(march, "deadline-missed", kUnit, "informationsoverforing"), nullptr)
      << "due in April (Stockholm)";
  EXPECT_EQ(Find(march, "deadline-missed", kUnit, "kallelse-sip"), nullptr) << "met";
  EXPECT_EQ(Find(march, "deadline-missed", kOtherUnit, "inskrivningsmeddelande"), nullptr)
      << "at risk is not missed";
  EXPECT_EQ(march.groups.size(), 3u);
  const DeviationReport april = Report(4);
  EXPECT_NE(Find(april, "deadline-missed", kUnit, "informationsoverforing"), nullptr);
}

TEST_F(DeviationReportTest, DeliveriesThatDiedFellBackOrWaitedForReceiptsArePerReceiver) {
  const std::string a = std::string(kUnit) + "/ep-a";
  Case(a, "1383", {});
  const int64_t dead = Event(a, "kommun-1383", At(3, 5, 8));
  Dead(dead, a, At(3, 5, 9), "letter");

  // Receipts: one never came, one came after it was found overdue, one in time.
  const int64_t missing = Event(a, "kommun-1380", At(3, 6, 8), At(3, 6, 9));
  const int64_t late = Event(a, "kommun-1380", At(3, 7, 8), At(3, 7, 9));
  const std::string late_event = LastEventId();
  Event(a, "kommun-1380", At(3, 8, 8), At(3, 8, 9));
  const std::string in_time_event = LastEventId();
  WriteBatch b;
  b.receipt_timeouts.push_back({missing, "kommun-1380", At(3, 6, 9), 0, "event-2", a, "", ""});
  b.receipt_timeouts.push_back({late, "kommun-1380", At(3, 7, 9), 0, late_event, a, "fax", "no receipt"});
  Write(b);
  b = WriteBatch{};
  b.receipts.push_back({late_event, "kommun-1380", At(3, 7, 15), "receipt-1"});
  b.receipts.push_back({in_time_event, "kommun-1380", At(3, 8, 8, 30), "receipt-2"});
  Write(b);

  const DeviationReport march = Report(3);
  const DeviationGroup* d = Find(march, "dead-letter", "1383");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->organisation.kind, "kommun");
  EXPECT_THAT(d->case_ids, ElementsAre(a));
  EXPECT_THAT(d->counterparts, ElementsAre(kUnit));
  const DeviationGroup* letter = Find(march, "fallback", "1383");
  ASSERT_NE(letter, nullptr);
  EXPECT_EQ(letter->fallback_to, "letter");
  const DeviationGroup* fax = Find(march, "fallback", "1380");
  ASSERT_NE(fax, nullptr);
  EXPECT_EQ(fax->fallback_to, "fax");
  const DeviationGroup* m = Find(march, "receipt-missing", "1380");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->count, 1);
  const DeviationGroup* l = Find(march, "receipt-late", "1380");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->count, 1);
  EXPECT_EQ(march.groups.size(), 5u);
  EXPECT_THAT(Report(2).groups, IsEmpty());
}

// No inskrivningsmeddelande at all: the deadline has no due time, and is dated by the case's
// first event.
TEST_F(DeviationReportTest, AMissedDeadlineWithNoDueTimeIsDatedByTheCasesFirstEvent) {
  const std::string a = std::string(kUnit) + "/ep-a";
  Event(a, "kommun-1380", At(3, 31, 23));
  Event(a, "kommun-1380", At(4, 2, 8));
  Case(a, "1380", {{"inskrivningsmeddelande", "2 kap. 3 § lag (2017:612)", 0, "missed", 0}});
  const DeviationReport march = Report(3);
  const DeviationGroup* d = Find(march, "deadline-missed", kUnit, "inskrivningsmeddelande");
  ASSERT_NE(d, nullptr);
  EXPECT_THAT(d->case_ids, ElementsAre(a));
  EXPECT_THAT(Report(4).groups, IsEmpty());
}

// An operator's retry clears the row's dead time; the death stays in the month it happened.
TEST_F(DeviationReportTest, ADeadLetterAnOperatorRetriedStaysInItsMonth) {
  const std::string a = std::string(kUnit) + "/ep-a";
  Case(a, "1380", {});
  const int64_t seq = Event(a, "vc-SE2321000115-VC01", At(3, 30, 8));
  Dead(seq, a, At(3, 30, 9));
  WriteBatch b;
  b.actions.push_back(
      {"retry-dead", At(4, 2, 10), "vc-SE2321000115-VC01", seq, LastEventId(), a, "otto", "fixed"});
  Write(b);
  const DeviationReport march = Report(3);
  const DeviationGroup* d = Find(march, "dead-letter", "SE2321000115-VC01");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->organisation.kind, "region");
  EXPECT_EQ(d->count, 1);
  EXPECT_THAT(Report(4).groups, IsEmpty());
}

// Rejected inbound messages count for the sender they claimed, per the field the reason named;
// one that did not decode far enough for a sender counts for "unknown". They name no case.
TEST_F(DeviationReportTest, RejectedMessagesArePerSenderAndReason) {
  WriteBatch b;
  auto rejected = [&](const std::string& sender, const std::string& key, int64_t at_us) {
    DeadLetterRecord d;
    d.received_at_us = at_us;
    d.address = "events";
    d.reasons = key + ": wrong";
    d.body = "x";
    d.sender = sender;
    d.reason_key = key;
    b.dead_letters.push_back(d);
  };
  rejected(kUnit, "patient.identity.id", At(3, 3, 8));
  rejected(kUnit, "patient.identity.id", At(3, 4, 8));
  rejected(kUnit, "patient.kommunkod", At(3, 5, 8));
  rejected("", "body", At(3, 6, 8));
  rejected(kUnit, "patient.identity.id", At(4, 1, 8));
  Write(b);
  const DeviationReport march = Report(3);
  const DeviationGroup* id = Find(march, "rejected", kUnit, "patient.identity.id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->organisation.kind, "sender");
  EXPECT_EQ(id->count, 2);
  EXPECT_THAT(id->case_ids, IsEmpty());
  const DeviationGroup* kommun = Find(march, "rejected", kUnit, "patient.kommunkod");
  ASSERT_NE(kommun, nullptr);
  EXPECT_EQ(kommun->count, 1);
  const DeviationGroup* unknown = Find(march, "rejected", "unknown", "body");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->count, 1);
  // April: once, but it also happened in March.
  const DeviationReport april_report = Report(4);
  const DeviationGroup* april = Find(april_report, "rejected", kUnit, "patient.identity.id");
  ASSERT_NE(april, nullptr);
  EXPECT_TRUE(april->recurring);
  EXPECT_THAT(april->also_in, ElementsAre("2026-03"));
}

TEST_F(DeviationReportTest, RecurringIsTheSameInOneOfTheTwoMonthsBeforeOrThreeInTheMonth) {
  // kallelse-sip missed by kUnit in January and March; inskrivning by kOtherUnit three times in
  // March; informationsoverforing by kUnit once in March only, and in December (too long ago).
  Case(std::string(kUnit) + "/jan", "1380",
       {{"kallelse-sip", "4 kap. 3 §", At(1, 20, 0), "missed", 0}});
  Case(std::string(kUnit) + "/mar", "1380",
       {{"kallelse-sip", "4 kap. 3 §", At(3, 20, 0), "missed", 0},
        {"informationsoverforing", "3 kap. 2 §", At(3, 21, 0), "missed", 0}});
  for (int i = 0; i < 3; ++i) {
    Case(std::string(kOtherUnit) + "/m" + std::to_string(i), "1380",
         {{"inskrivningsmeddelande", "2 kap. 3 §", At(3, 3 + static_cast<unsigned>(i), 0), "missed",
           0}});
  }
  // A different rule the month before does not make informationsoverforing recurring.
  Case(std::string(kUnit) + "/feb", "1380",
       {{"inskrivningsmeddelande", "2 kap. 3 §", At(2, 10, 0), "missed", 0}});

  const DeviationReport march = Report(3);
  const DeviationGroup* sip = Find(march, "deadline-missed", kUnit, "kallelse-sip");
  ASSERT_NE(sip, nullptr);
  EXPECT_TRUE(sip->recurring);
  EXPECT_THAT(sip->also_in, ElementsAre("2026-01"));
  const DeviationGroup* three =
      Find(march, "deadline-missed", kOtherUnit, "inskrivningsmeddelande");
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(three->count, 3);
  EXPECT_TRUE(three->recurring);
  EXPECT_THAT(three->also_in, IsEmpty());
  const DeviationGroup* once = Find(march, "deadline-missed", kUnit, "informationsoverforing");
  ASSERT_NE(once, nullptr);
  EXPECT_FALSE(once->recurring);
  // Two months on, January is out of reach: March alone is "also in".
  Case(std::string(kUnit) + "/may", "1380",
       {{"kallelse-sip", "4 kap. 3 §", At(5, 2, 0), "missed", 0}});
  const DeviationReport may_report = Report(5);
  const DeviationGroup* may = Find(may_report, "deadline-missed", kUnit, "kallelse-sip");
  ASSERT_NE(may, nullptr);
  EXPECT_THAT(may->also_in, ElementsAre("2026-03"));
}

TEST_F(DeviationReportTest, JsonAndCsvShowCaseIdsOnlyWhenAllowed) {
  const std::string a = std::string(kUnit) + "/ep-a";
  Case(a, "1380",
       {{"planeringsunderlag-svar:r1", "regional routine (\"Halland, 2024\")", At(3, 12, 0),
         "missed", 0}});
  const DeviationReport march = Report(3);

  const json full = DeviationReportJson(march, true);
  EXPECT_EQ(full["month"], "2026-03");
  EXPECT_EQ(full["from"], "2026-03-01T00:00:00+01:00");
  EXPECT_EQ(full["totals"]["deadline-missed"], 1);
  EXPECT_EQ(full["totals"]["dead-letter"], 0);
  ASSERT_EQ(full["deviations"].size(), 1u);
  EXPECT_EQ(full["deviations"][0]["organisation"]["name"], "Halmstad");
  EXPECT_EQ(full["deviations"][0]["case_ids"], json::array({a}));
  const json counts = DeviationReportJson(march, false);
  EXPECT_FALSE(counts["deviations"][0].contains("case_ids"));
  EXPECT_EQ(counts["deviations"][0]["count"], 1);
  EXPECT_THAT(counts.dump(), Not(HasSubstr("ep-a")));

  const std::string csv = DeviationReportCsv(march, true);
  EXPECT_THAT(csv, HasSubstr("month,category,rule,rule_text,"));
  EXPECT_THAT(csv, HasSubstr(",case_ids\r\n"));
  // RFC 4180: a field with a comma or a quote is quoted, its quotes doubled.
  EXPECT_THAT(csv,
              HasSubstr("2026-03,deadline-missed,planeringsunderlag-svar,"
                        "\"regional routine (\"\"Halland, 2024\"\")\",kommun,1380,Halmstad,,1,1,"
                        "no,," +
                        std::string(kUnit) + "," + a + "\r\n"));
  EXPECT_THAT(DeviationReportCsv(march, false), Not(HasSubstr("ep-a")));
}

TEST_F(DeviationReportTest, ThePdfShowsWhatTheJsonSays) {
  const std::string a = std::string(kUnit) + "/ep-a";
  Case(a, "1380",
       {{"inskrivningsmeddelande", "2 kap. 3 § lag (2017:612)", At(3, 10, 0), "missed", 0},
        {"kallelse-sip", "4 kap. 3 § lag (2017:612)", At(2, 10, 0), "missed", 0}});
  const std::string b = std::string(kOtherUnit) + "/ep-b";
  Case(b, "1383", {{"kallelse-sip", "4 kap. 3 § lag (2017:612)", At(3, 12, 0), "missed", 0}});
  Dead(Event(b, "kommun-1383", At(3, 5, 8)), b, At(3, 5, 9), "letter");
  const DeviationReport march = Report(3);
  const std::string with = dir_.File("with.pdf");
  const std::string without = dir_.File("without.pdf");
  ASSERT_TRUE(WriteDeviationReportPdf(DeviationReportJson(march, true), with).ok());
  ASSERT_TRUE(WriteDeviationReportPdf(DeviationReportJson(march, false), without).ok());
  const std::string text = slussen::testing::PdfText(with);
  EXPECT_THAT(text, HasSubstr("avvikelserapport 2026-03"));
  EXPECT_THAT(text, HasSubstr("Missade tidsfrister"));
  EXPECT_THAT(text, HasSubstr("inskrivningsmeddelande"));
  EXPECT_THAT(text, HasSubstr(a));
  EXPECT_THAT(text, HasSubstr("Reservväg"));
  EXPECT_THAT(slussen::testing::PdfText(without), Not(HasSubstr(a)));
  // SLUSSEN_PDF_EXAMPLE=/tmp/x keeps a copy to look at (/tmp/x-deviations.pdf).
  if (const char* keep = std::getenv("SLUSSEN_PDF_EXAMPLE"); keep != nullptr && *keep != '\0') {
    std::error_code ec;
    std::filesystem::copy_file(with, std::string(keep) + "-deviations.pdf",
                               std::filesystem::copy_options::overwrite_existing, ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  EXPECT_FALSE(WriteDeviationReportPdf(json::array(), dir_.File("bad.pdf")).ok());
  EXPECT_FALSE(
      WriteDeviationReportPdf(DeviationReportJson(march, true), "/nonexistent/x.pdf").ok());
}

}  // namespace
}  // namespace slussen
