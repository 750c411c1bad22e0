// The evidence report (case_report.h), its time format (time_format.h) and the timeline reader
// (timeline.h), on the shipped example timeline config/timelines/halland-example.jsonl under the
// shipped Region Halland agreement, and on small timelines written here.
#include "report/case_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "config/agreement_loader.h"
#include "common/time_format.h"
#include "cases/timeline.h"
#include "testing/temp_dir.h"

namespace slussen::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string ExampleTimeline() {
  return (SourceDir() / "config" / "timelines" / "halland-example.jsonl").string();
}

Agreement Halland() {
  auto a = LoadAgreement((SourceDir() / "config" / "agreements" / "region-halland.xml").string());
  if (!a) throw std::runtime_error(a.error());
  return *a;
}

TimePoint Utc(int y, unsigned m, unsigned d, int hh, int mm, int ss = 0) {
  return sys_days(std::chrono::year(y) / m / d) + hours(hh) + minutes(mm) + seconds(ss);
}

// A timeline file in its own temporary directory, removed at the end of the test (kept if it
// failed).
class TempFile {
 public:
  explicit TempFile(const std::string& content) { WriteFile(path_, content); }
  const std::string& path() const { return path_; }

 private:
  TempDir dir_{"slussen-case-report"};
  std::string path_ = dir_.File("timeline.jsonl");
};

struct Evaluated {
  CaseState c;
  std::vector<Deadline> deadlines;
  LiabilityResult liability;
  TimePoint now;
};

Evaluated Evaluate(const std::vector<CaseEvent>& events, const Agreement& a,
                   std::optional<TimePoint> now = std::nullopt) {
  Evaluated e;
  e.now = now.value_or(TimePoint{});
  if (!now) {
    for (const auto& ev : events) e.now = std::max(e.now, ev.stored_at);
  }
  e.c = BuildCase("SE2321000115-SH01/VT-2026:004711", events);
  e.deadlines = EvaluateDeadlines(e.c, a, e.now);
  e.liability = ComputeLiability(e.c, e.deadlines, a, e.now);
  return e;
}

const json& EventById(const json& report, const std::string& id) {
  for (const auto& e : report.at("events")) {
    if (e.at("event_id") == id) return e;
  }
  throw std::runtime_error("no event " + id);
}

const json& DeadlineById(const json& report, const std::string& id) {
  for (const auto& d : report.at("deadlines")) {
    if (d.at("id") == id) return d;
  }
  throw std::runtime_error("no deadline " + id);
}

constexpr char kNotice[] = "3f6c2a1e-8d4b-4c1a-9e2f-0a1b2c3d4e05";

// ---- time_format.h --------------------------------------------------------------------------

TEST(FormatStockholmTime, WinterAndSummerOffsets) {
  EXPECT_EQ(FormatStockholmTime(Utc(2026, 1, 15, 10, 59)), "2026-01-15T11:59:00+01:00");
  EXPECT_EQ(FormatStockholmTime(Utc(2026, 3, 30, 9, 59)), "2026-03-30T11:59:00+02:00");
  // Local midnight in winter is the previous UTC day.
  EXPECT_EQ(FormatStockholmTime(Utc(2025, 12, 31, 23, 0)), "2026-01-01T00:00:00+01:00");
}

TEST(FormatStockholmTime, AcrossTheSpringAndAutumnChanges) {
  // Summer time starts 2026-03-29 01:00 UTC: 01:59:59 CET is followed by 03:00:00 CEST.
  EXPECT_EQ(FormatStockholmTime(Utc(2026, 3, 29, 0, 59, 59)), "2026-03-29T01:59:59+01:00");
  EXPECT_EQ(FormatStockholmTime(Utc(2026, 3, 29, 1, 0)), "2026-03-29T03:00:00+02:00");
  // It ends 2026-10-25 01:00 UTC: 02:30 happens twice, told apart by the offset.
  EXPECT_EQ(FormatStockholmTime(Utc(2026, 10, 25, 0, 30)), "2026-10-25T02:30:00+02:00");
  EXPECT_EQ(FormatStockholmTime(Utc(2026, 10, 25, 1, 30)), "2026-10-25T02:30:00+01:00");
}

TEST(FormatStockholmTime, KeepsSecondsAndFractions) {
  const TimePoint t = Utc(2026, 3, 26, 11, 5, 42);
  EXPECT_EQ(FormatStockholmTime(t + milliseconds(250)), "2026-03-26T12:05:42.250+01:00");
  EXPECT_EQ(FormatStockholmTime(t + std::chrono::microseconds(123456)),
            "2026-03-26T12:05:42.123456+01:00");
}

TEST(TimeArguments, Rfc3339AndStockholmLocal) {
  EXPECT_EQ(ParseRfc3339("2026-03-30T11:59:00+02:00"), Utc(2026, 3, 30, 9, 59));
  EXPECT_EQ(ParseRfc3339("2026-03-30T09:59:00Z"), Utc(2026, 3, 30, 9, 59));
  EXPECT_EQ(ParseRfc3339("2026-03-30 11:59"), std::nullopt);
  EXPECT_EQ(ParseStockholmLocal("2026-03-26 12:05"), Utc(2026, 3, 26, 11, 5));
  EXPECT_EQ(ParseStockholmLocal("2026-03-30T11:59"), Utc(2026, 3, 30, 9, 59));
  // The skipped spring hour moves forward (calendar::FromStockholm).
  EXPECT_EQ(ParseStockholmLocal("2026-03-29 02:30"), Utc(2026, 3, 29, 1, 30));
  EXPECT_EQ(ParseStockholmLocal("2026-02-30 10:00"), std::nullopt);
  EXPECT_EQ(ParseStockholmLocal("2026-03-26 24:00"), std::nullopt);
  EXPECT_EQ(ParseStockholmLocal("2026-03-26 1:05"), std::nullopt);
  EXPECT_EQ(ParseTimeArgument("2026-03-26 12:05"), Utc(2026, 3, 26, 11, 5));
  EXPECT_EQ(ParseTimeArgument("2026-03-26T12:05:00+01:00"), Utc(2026, 3, 26, 11, 5));
  EXPECT_EQ(ParseTimeArgument("tomorrow"), std::nullopt);
}

// ---- timeline.h -----------------------------------------------------------------------------

TEST(ReadTimeline, ReadsTheExampleWithStoredAtDefaultingToOccurredAt) {
  auto events = ReadTimeline(ExampleTimeline());
  ASSERT_TRUE(events) << events.error();
  ASSERT_EQ(events->size(), 8u);
  for (const auto& e : *events) {
    if (e.envelope.has_receipt()) {
      // The receipt line carries "stored_at": one second after it was received.
      EXPECT_EQ(e.stored_at, Utc(2026, 3, 26, 11, 7, 6));
    } else {
      EXPECT_EQ(e.stored_at, ToTimePoint(e.envelope.occurred_at())) << e.envelope.event_id();
    }
  }
  EXPECT_EQ((*events)[0].envelope.patient().kommunkod(), "1380");
  EXPECT_TRUE((*events)[0].envelope.inskrivningsmeddelande().sip_expected());
}

TEST(ReadTimeline, ErrorsNameFileAndLineAndAllAreReported) {
  const std::string ok =
      R"({"eventId": "e1", "caseId": {"careUnitHsaId": "H", "episodeId": "V1"}, )"
      R"("occurredAt": "2026-03-26T12:05:00+01:00", "schemaVersion": 1, "utskrivningsklar": {}})";
  TempFile f("# comment\n\n" + ok +                                                   // 1-3
             "\n{not json\n"                                                           // 4
             R"({"eventId": "e2", "caseId": {"careUnitHsaId": "H", "episodeId": "V1"}, )"
             R"("occurredAt": "2026-03-26T12:05:00+01:00", "utskrivningsklar": {"careType": "NOPE"}})"
             "\n"                                                                      // 5
             R"({"eventId": "e3", "noSuchField": 1})" "\n"                            // 6
             R"({"eventId": "e4"})" "\n"                                              // 7
             + ok + "\n"                                                               // 8
             + R"({"eventId": "e5", "caseId": {"careUnitHsaId": "H", "episodeId": "V1"}, )"
               R"("occurredAt": "2026-03-26T12:05:00+01:00", "stored_at": "soon"})" "\n"  // 9
             + "[1, 2]\n");                                                            // 10
  auto events = ReadTimeline(f.path());
  ASSERT_FALSE(events);
  const std::string& err = events.error();
  const std::string p = f.path() + ":";
  EXPECT_THAT(err, HasSubstr(p + "4: not valid JSON: ")) << err;
  EXPECT_THAT(err, HasSubstr(p + "5: not a slussen.v1.Envelope: ")) << err;
  EXPECT_THAT(err, HasSubstr("NOPE")) << err;
  EXPECT_THAT(err, HasSubstr(p + "6: not a slussen.v1.Envelope: ")) << err;
  EXPECT_THAT(err, HasSubstr("noSuchField")) << err;
  EXPECT_THAT(err, HasSubstr(p + "7: missing case_id.care_unit_hsa_id, case_id.episode_id, occurred_at"))
      << err;
  EXPECT_THAT(err, HasSubstr(p + "8: event_id e1 already used on line 3")) << err;
  EXPECT_THAT(err, HasSubstr(p + "9: stored_at: not an RFC 3339 time")) << err;
  EXPECT_THAT(err, HasSubstr(p + "10: expected one JSON object")) << err;
  EXPECT_THAT(err, Not(HasSubstr(p + "1:"))) << err;
  EXPECT_THAT(err, Not(HasSubstr(p + "2:"))) << err;
  EXPECT_THAT(err, Not(HasSubstr(p + "3:"))) << err;
}

TEST(ReadTimeline, UnreadableFile) {
  auto events = ReadTimeline("/nonexistent/timeline.jsonl");
  ASSERT_FALSE(events);
  EXPECT_THAT(events.error(), StartsWith("/nonexistent/timeline.jsonl: cannot read: "));
}

// ---- case_report.h on the example -----------------------------------------------------------

class ExampleReport : public ::testing::Test {
 protected:
  void SetUp() override {
    auto events = ReadTimeline(ExampleTimeline());
    ASSERT_TRUE(events) << events.error();
    events_ = *events;
    agreement_ = Halland();
  }
  std::vector<CaseEvent> events_;
  Agreement agreement_;
};

TEST_F(ExampleReport, HeaderAndEventChain) {
  const auto e = Evaluate(events_, agreement_);
  const json r = CaseReportJson(e.c, e.deadlines, e.liability, agreement_, {}, e.now);
  EXPECT_EQ(r.at("case_id"), "SE2321000115-SH01/VT-2026:004711");
  EXPECT_EQ(r.at("status"), "discharged");
  EXPECT_EQ(r.at("kommunkod"), "1380");
  EXPECT_EQ(r.at("agreement").at("id"), "region-halland");
  EXPECT_EQ(r.at("agreement").at("name"), agreement_.name);
  EXPECT_THAT(r.at("agreement").at("source").get<std::string>(), HasSubstr("region-halland.xml"));
  EXPECT_EQ(r.at("generated_at"), "2026-04-01T10:35:00+02:00");

  ASSERT_EQ(r.at("events").size(), 8u);
  std::vector<std::string> kinds;
  for (const auto& ev : r.at("events")) kinds.push_back(ev.at("kind"));
  EXPECT_THAT(kinds, ::testing::ElementsAre("Inskrivningsmeddelande", "Planeringsunderlag",
                                            "PlaneringsunderlagSvar", "EstimatedDischargeChanged",
                                            "Utskrivningsklar", "Receipt", "KallelseSip",
                                            "Utskrivningsmeddelande"));
  const json& notice = EventById(r, kNotice);
  EXPECT_EQ(notice.at("occurred_at"), "2026-03-26T12:05:00+01:00");
  EXPECT_EQ(notice.at("stored_at"), "2026-03-26T12:05:00+01:00");
  EXPECT_TRUE(notice.at("replaces").is_null());
  EXPECT_TRUE(notice.at("superseded_by").is_null());
  EXPECT_TRUE(notice.at("cancelled_by").is_null());
  // No deliveries known (the simulator), but the receipt names its destination.
  ASSERT_EQ(notice.at("destinations").size(), 1u);
  const json& dest = notice.at("destinations")[0];
  EXPECT_EQ(dest.at("destination"), "kommun-1380");
  EXPECT_TRUE(dest.at("delivered_at").is_null());
  EXPECT_EQ(dest.at("receipt").at("receiving_system"), "kommun-1380");
  EXPECT_EQ(dest.at("receipt").at("external_ack_id"), "HLM-2026-88812");
  EXPECT_EQ(dest.at("receipt").at("received_at"), "2026-03-26T12:07:05+01:00");
  EXPECT_EQ(dest.at("receipt").at("stored_at"), "2026-03-26T12:07:06+01:00");
  // The discharge is after the spring change: +02:00.
  EXPECT_EQ(EventById(r, "3f6c2a1e-8d4b-4c1a-9e2f-0a1b2c3d4e08").at("occurred_at"),
            "2026-04-01T10:35:00+02:00");
}

// A receipt that claimed a time before the event was stored (cases/case_state.cc clamps it):
// the report shows the recorded time and, beside it, what the receipt claimed.
TEST(CaseReportReceipt, ClaimedTimeBeforeTheEventWasStoredIsShownBesideTheRecordedOne) {
  const TimePoint stored = Utc(2026, 3, 26, 11, 5);
  CaseState c;
  c.case_id = "SE2321000115-SH01/VT-1";
  CaseEventSummary event;
  event.event_id = "e1";
  event.kind = "Utskrivningsklar";
  event.occurred_at = stored;
  event.stored_at = stored;
  c.events.push_back(event);
  c.receipts.push_back({"r1", "e1", "kommun-1380", "ack-1", stored, stored + minutes(30), true,
                        stored - hours(1)});
  const json r = CaseReportJson(c, {}, {}, Halland(), {}, stored + hours(2));
  const json& receipt = EventById(r, "e1").at("destinations")[0].at("receipt");
  EXPECT_EQ(receipt.at("received_at"), "2026-03-26T12:05:00+01:00");
  EXPECT_EQ(receipt.at("claimed_received_at"), "2026-03-26T11:05:00+01:00");
  EXPECT_THAT(CaseReportTable(c, {}, {}, Halland(), {}, stored + hours(2)),
              HasSubstr("(claimed 2026-03-26T11:05:00+01:00, before it was stored)"));

  c.receipts[0].claimed_received_at.reset();
  const json plain = CaseReportJson(c, {}, {}, Halland(), {}, stored + hours(2));
  EXPECT_TRUE(EventById(plain, "e1").at("destinations")[0].at("receipt").at("claimed_received_at").is_null());
}

TEST_F(ExampleReport, DeadlinesAllMet) {
  const auto e = Evaluate(events_, agreement_);
  const json r = CaseReportJson(e.c, e.deadlines, e.liability, agreement_, {}, e.now);
  const json& ins = DeadlineById(r, "inskrivningsmeddelande");
  EXPECT_EQ(ins.at("rule"), "2 kap. 3 § lag (2017:612)");
  EXPECT_EQ(ins.at("due"), "2026-03-24T08:40:00+01:00");
  EXPECT_EQ(ins.at("met_at"), "2026-03-23T14:10:00+01:00");
  EXPECT_EQ(ins.at("state"), "met");
  EXPECT_TRUE(ins.at("note").is_null());
  // 4 kap. 3 §: three days after Thursday's notice, to the end of Sunday 29 March (CEST by then).
  const json& sip = DeadlineById(r, "kallelse-sip");
  EXPECT_EQ(sip.at("due"), "2026-03-30T00:00:00+02:00");
  EXPECT_EQ(sip.at("state"), "met");
  EXPECT_EQ(DeadlineById(r, "informationsoverforing").at("state"), "met");
  EXPECT_EQ(DeadlineById(r, "planeringsunderlag-svar:3f6c2a1e-8d4b-4c1a-9e2f-0a1b2c3d4e02").at("due"),
            "2026-03-26T09:15:00+01:00");
  EXPECT_EQ(DeadlineById(r, "andrat-utskrivningsdatum").at("state"), "met");
  for (const auto& d : r.at("deadlines")) {
    EXPECT_EQ(d.at("state"), "met") << d.dump();
    EXPECT_FALSE(d.at("what").get<std::string>().empty());
  }
}

TEST_F(ExampleReport, LiabilityFromTheDayAfterTheCutoffRule) {
  const auto e = Evaluate(events_, agreement_);
  const json r = CaseReportJson(e.c, e.deadlines, e.liability, agreement_, {}, e.now);
  const json& l = r.at("liability");
  EXPECT_EQ(l.at("model"), "individual");
  EXPECT_THAT(l.at("rule").get<std::string>(), HasSubstr("5 kap. 4 §"));
  EXPECT_EQ(l.at("liable"), true);
  EXPECT_EQ(l.at("provisional"), false);
  ASSERT_EQ(l.at("preconditions").size(), 3u);  // SIP expected: its kallelse is the third
  for (const auto& p : l.at("preconditions")) {
    EXPECT_EQ(p.at("state"), "met") << p.dump();
    EXPECT_THAT(p.at("rule").get<std::string>(), HasSubstr("5 kap. 3 §"));
  }
  ASSERT_EQ(l.at("periods").size(), 1u);
  const json& p = l.at("periods")[0];
  EXPECT_EQ(p.at("notice_event_id"), kNotice);
  EXPECT_EQ(p.at("sent_at"), "2026-03-26T12:05:00+01:00");
  EXPECT_EQ(p.at("after_cutoff"), true);  // 12:05 > 12.00: counted from Friday
  EXPECT_EQ(p.at("care_type"), "somatic");
  EXPECT_EQ(p.at("free_days"), 3);
  EXPECT_EQ(p.at("first_billable_day"), "2026-03-30");
  EXPECT_EQ(p.at("ended_by"), "discharged");
  EXPECT_EQ(p.at("ended_at"), "2026-04-01T10:30:00+02:00");
  // 2026 has no amount of its own: the latest earlier one (2023, 10 500 kr) applies, and is not
  // confirmed (issue 15: no silent placeholder), so the report says so by day and at the top.
  EXPECT_EQ(p.at("billed_days"), json::parse(R"([
      {"date": "2026-03-30", "amount_kr": 10500, "amount_year": 2023, "amount_confirmed": false},
      {"date": "2026-03-31", "amount_kr": 10500, "amount_year": 2023, "amount_confirmed": false}])"));
  EXPECT_EQ(l.at("unconfirmed_amounts"), true);
  EXPECT_THAT(l.at("notes").dump(),
              HasSubstr("2026 has no amount of its own in the agreement: its days are billed at "
                        "2023's, unconfirmed"));
  EXPECT_EQ(p.at("paused_days"), json::array());
  EXPECT_EQ(p.at("amount_kr"), 21000);
  // SIP expected: the period shows its own kallelse precondition, counted from its notice.
  EXPECT_EQ(p.at("kallelse").at("state"), "met") << p.dump();
  EXPECT_THAT(p.at("kallelse").at("rule").get<std::string>(),
              HasSubstr("5 kap. 3 § andra stycket"));
  EXPECT_EQ(l.at("totals"), json::parse(R"({"days": 2, "amount_kr": 21000})"));
}

TEST_F(ExampleReport, NoticeStoredAt1159CountsFromThursday) {
  // The same case, but the hub stored the notice at 11:59: first billable day Sunday 29 March.
  for (auto& ev : events_) {
    if (ev.envelope.event_id() == kNotice) ev.stored_at = Utc(2026, 3, 26, 10, 59);
  }
  const auto e = Evaluate(events_, agreement_);
  const json r = CaseReportJson(e.c, e.deadlines, e.liability, agreement_, {}, e.now);
  const json& p = r.at("liability").at("periods")[0];
  EXPECT_EQ(p.at("sent_at"), "2026-03-26T11:59:00+01:00");
  EXPECT_EQ(p.at("after_cutoff"), false);
  EXPECT_EQ(p.at("first_billable_day"), "2026-03-29");
  EXPECT_EQ(p.at("billed_days").size(), 3u);
  EXPECT_EQ(r.at("liability").at("totals").at("amount_kr"), 31500);
}

TEST_F(ExampleReport, DeliveriesAndReceiptsPerDestination) {
  const auto e = Evaluate(events_, agreement_);
  const std::vector<DeliveryRecord> deliveries = {
      DeliveryRecord::Delivered(kNotice, "kommun-1380", Utc(2026, 3, 26, 11, 5, 1)),
      DeliveryRecord::Delivered(kNotice, "vc-SE2321000115-VC01", std::nullopt),
      // A later redelivery: the first counts.
      DeliveryRecord::Delivered(kNotice, "kommun-1380", Utc(2026, 3, 26, 11, 6)),
      DeliveryRecord::Delivered("3f6c2a1e-8d4b-4c1a-9e2f-0a1b2c3d4e07", "kommun-1380",
                                Utc(2026, 3, 27, 9, 20, 2)),
  };
  const json r = CaseReportJson(e.c, e.deadlines, e.liability, agreement_, deliveries, e.now);
  const json& dests = EventById(r, kNotice).at("destinations");
  ASSERT_EQ(dests.size(), 2u);
  EXPECT_EQ(dests[0].at("destination"), "kommun-1380");
  EXPECT_EQ(dests[0].at("delivered_at"), "2026-03-26T12:05:01+01:00");
  EXPECT_EQ(dests[0].at("receipt").at("external_ack_id"), "HLM-2026-88812");
  EXPECT_EQ(dests[1].at("destination"), "vc-SE2321000115-VC01");
  EXPECT_TRUE(dests[1].at("delivered_at").is_null());
  EXPECT_TRUE(dests[1].at("receipt").is_null());
  const json& sip = EventById(r, "3f6c2a1e-8d4b-4c1a-9e2f-0a1b2c3d4e07").at("destinations");
  ASSERT_EQ(sip.size(), 1u);
  EXPECT_EQ(sip[0].at("delivered_at"), "2026-03-27T10:20:02+01:00");
  EXPECT_TRUE(sip[0].at("receipt").is_null());

  const std::string table =
      CaseReportTable(e.c, e.deadlines, e.liability, agreement_, deliveries, e.now);
  EXPECT_THAT(table, HasSubstr("vc-SE2321000115-VC01"));
  EXPECT_THAT(table, HasSubstr("2026-03-26T12:05:01+01:00"));
  EXPECT_THAT(table, HasSubstr("ack HLM-2026-88812"));
}

TEST_F(ExampleReport, NoPersonalDataInJsonOrTable) {
  const auto e = Evaluate(events_, agreement_);
  const std::string text =
      CaseReportJson(e.c, e.deadlines, e.liability, agreement_, {}, e.now).dump() +
      CaseReportTable(e.c, e.deadlines, e.liability, agreement_, {}, e.now);
  // The timeline carries all of these (the inskrivningsmeddelande must).
  const std::string timeline = ReadFile(ExampleTimeline());
  for (const char* personal : {"202508242381", "Alva", "Testsson", "Storgatan", "302 50"}) {
    ASSERT_THAT(timeline, HasSubstr(personal));
    EXPECT_THAT(text, Not(HasSubstr(personal))) << personal;
  }
}

TEST_F(ExampleReport, TableShowsTheSameFacts) {
  const auto e = Evaluate(events_, agreement_);
  const std::string t = CaseReportTable(e.c, e.deadlines, e.liability, agreement_, {}, e.now);
  EXPECT_THAT(t, StartsWith("Case SE2321000115-SH01/VT-2026:004711\n"));
  EXPECT_THAT(t, HasSubstr("discharged"));
  EXPECT_THAT(t, HasSubstr("region-halland"));
  EXPECT_THAT(t, HasSubstr("evaluated at  2026-04-01T10:35:00+02:00"));
  EXPECT_THAT(t, HasSubstr("2026-03-26T12:05:00+01:00"));
  EXPECT_THAT(t, HasSubstr("first billable day 2026-03-30"));
  EXPECT_THAT(t, HasSubstr("2026-03-31  10 500 kr"));
  EXPECT_THAT(t, HasSubstr("total: 2 days, 21 000 kr; liable: yes\n"));
  EXPECT_THAT(t, HasSubstr("kallelse-sip"));
  EXPECT_THAT(t, HasSubstr("4 kap. 3 § lag (2017:612)"));
  EXPECT_THAT(t, HasSubstr("receipt 2026-03-26T12:07:05+01:00 (ack HLM-2026-88812)"));
  // Every event line is there.
  for (const auto& ev : e.c.events) EXPECT_THAT(t, HasSubstr(ev.event_id));
}

TEST_F(ExampleReport, EarlierNowIsProvisionalAndPending) {
  // Evaluated on Monday 30 March at 09:00 with what the hub had by then.
  const TimePoint now = Utc(2026, 3, 30, 7, 0);
  std::vector<CaseEvent> by_then;
  for (const auto& ev : events_) {
    if (ev.stored_at <= now) by_then.push_back(ev);
  }
  const auto e = Evaluate(by_then, agreement_, now);
  const json r = CaseReportJson(e.c, e.deadlines, e.liability, agreement_, {}, e.now);
  EXPECT_EQ(r.at("status"), "utskrivningsklar");
  EXPECT_EQ(r.at("generated_at"), "2026-03-30T09:00:00+02:00");
  const json& info = DeadlineById(r, "informationsoverforing");
  EXPECT_EQ(info.at("state"), "pending");
  EXPECT_TRUE(info.at("met_at").is_null());
  EXPECT_FALSE(info.at("note").is_null());
  const json& p = r.at("liability").at("periods")[0];
  EXPECT_TRUE(p.at("ended_at").is_null());
  EXPECT_TRUE(p.at("ended_by").is_null());
  EXPECT_EQ(p.at("billed_days").size(), 1u);  // Monday so far
  EXPECT_EQ(r.at("liability").at("provisional"), true);
}

TEST(CaseReport, CorrectionsAndCancellationsAreLinked) {
  const std::string head =
      R"("caseId": {"careUnitHsaId": "SE2321000115-SH01", "episodeId": "VT-2026:004711"}, )"
      R"("patient": {"kommunkod": "1380"}, "schemaVersion": 1, )";
  TempFile f(
      "{\"eventId\": \"a1\", " + head +
      R"("occurredAt": "2026-03-23T14:10:00+01:00", "inskrivningsmeddelande": )"
      R"({"admittedAt": "2026-03-23T08:40:00+01:00"}})" "\n"
      "{\"eventId\": \"a2\", " + head +
      R"("occurredAt": "2026-03-23T15:00:00+01:00", "replaces": "a1", "inskrivningsmeddelande": )"
      R"({"admittedAt": "2026-03-23T07:40:00+01:00"}})" "\n"
      "{\"eventId\": \"b1\", " + head +
      R"("occurredAt": "2026-03-24T09:00:00+01:00", "planeringsunderlag": {"direction": "REQUEST"}})" "\n"
      "{\"eventId\": \"c1\", " + head +
      R"("occurredAt": "2026-03-24T09:05:00+01:00", "cancellation": {"cancelledEventId": "b1"}})" "\n");
  auto events = ReadTimeline(f.path());
  ASSERT_TRUE(events) << events.error();
  const Agreement a = Halland();
  const auto e = Evaluate(*events, a);
  const json r = CaseReportJson(e.c, e.deadlines, e.liability, a, {}, e.now);
  EXPECT_EQ(EventById(r, "a1").at("superseded_by"), "a2");
  EXPECT_EQ(EventById(r, "a2").at("replaces"), "a1");
  EXPECT_TRUE(EventById(r, "a2").at("superseded_by").is_null());
  EXPECT_EQ(EventById(r, "b1").at("cancelled_by"), "c1");
  EXPECT_EQ(EventById(r, "c1").at("kind"), "Cancellation");
  // The corrected admission time counts: 07:40 + 24 h.
  EXPECT_EQ(DeadlineById(r, "inskrivningsmeddelande").at("due"), "2026-03-24T07:40:00+01:00");
  // The cancelled request sets no planning deadline.
  for (const auto& d : r.at("deadlines")) {
    EXPECT_THAT(d.at("id").get<std::string>(), Not(HasSubstr("planeringsunderlag")));
  }
  const std::string t = CaseReportTable(e.c, e.deadlines, e.liability, a, {}, e.now);
  EXPECT_THAT(t, HasSubstr("superseded by a2"));
  EXPECT_THAT(t, HasSubstr("corrects a1"));
  EXPECT_THAT(t, HasSubstr("cancelled by c1"));
}

}  // namespace
}  // namespace slussen::testing
