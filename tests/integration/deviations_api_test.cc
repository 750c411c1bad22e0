// The monthly deviation report (GET /api/v1/deviations, `slussenctl deviations`) against the real
// hub: a receiver that rejects makes a dead letter, a kommun that sends no receipt a missing
// receipt and a fallback letter, a late inskrivningsmeddelande a missed deadline. Viewers see the
// counts, operators and auditors the case ids too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/time_format.h"
#include "testing/admin_token.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/hub_process.h"
#include "testing/message_collector.h"
#include "util/slussenctl_runner.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

constexpr char kViewerToken[] = "viewer-token-0123456789abcdef";
constexpr char kOperatorToken[] = "operator-token-0123456789abcdef";
constexpr char kAuditorToken[] = "auditor-token-0123456789abcdef";

// The Stockholm month ("2026-03") of a time the store holds.
std::string MonthOf(int64_t us) { return FormatStockholmTime(FromMicros(us)).substr(0, 7); }

class DeviationsApi : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    static const std::string viewer = AdminTokenHash(kViewerToken);
    static const std::string op = AdminTokenHash(kOperatorToken);
    static const std::string auditor = AdminTokenHash(kAuditorToken);
    TestConfigOptions o;
    o.admin_element =
        "<admin host=\"127.0.0.1\" port=\"0\">"
        "<operator name=\"vera\" role=\"viewer\" token-hash=\"" + viewer + "\"/>"
        "<operator name=\"otto\" role=\"operator\" token-hash=\"" + op + "\"/>"
        "<operator name=\"astrid\" role=\"auditor\" token-hash=\"" + auditor + "\"/></admin>";
    // The other kommun confirms with receipts within a second, else a letter goes too.
    o.destinations.push_back({"letter", "Brev"});
    o.policy_elements[KommunDestination(kTestOtherKommun)] =
        R"(<receipt timeout="1s" fallback="letter"/>)";
    return o;
  }
  httplib::Client Client() { return AdminClient(hub().Endpoint("admin"), 60); }
  json Report(const std::string& month, const std::string& token) {
    auto r = Client().Get("/api/v1/deviations?month=" + month, Bearer(token));
    EXPECT_TRUE(r);
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }
  // The group of `category` for organisation `id`, or null.
  static json Group(const json& report, const std::string& category, const std::string& id) {
    for (const auto& g : report["deviations"]) {
      if (g["category"] == category && g["organisation"]["id"] == id) return g;
    }
    return json();
  }

  // A kommun that rejects the event: a dead letter of kommun-1380. Returns the month it died in.
  std::string MakeDeadLetter(const v1::Envelope& env) {
    MessageCollector kommun(
        [](const client::IncomingMessage&, int) { return client::Disposition::kReject; });
    auto client = NewClient();
    EXPECT_TRUE(client);
    if (!client) return "";
    std::string error;
    EXPECT_GE(client->Receive(OutAddress(KommunDestination(kTestKommun)), kommun.Handler(), 10,
                              &error), 0) << error;
    EXPECT_EQ(client->Send("events", ToMessage(env)).kind, client::SendOutcome::Kind::kAccepted);
    EXPECT_TRUE(kommun.WaitForId(env.event_id())) << HubLog();
    const std::string sql = "SELECT dead_at_us FROM outbox WHERE dead_at_us IS NOT NULL AND "
                            "event_row = (SELECT id FROM events WHERE event_id = '" +
                            env.event_id() + "')";
    EXPECT_TRUE(PollUntil([&] { return !store().QueryStrings(sql).empty(); })) << HubLog();
    const auto dead = store().QueryStrings(sql);
    return dead.empty() ? "" : MonthOf(std::stoll(dead[0]));
  }
};

TEST_F(DeviationsApi, ADeadLetterIsCountedForItsKommunWithItsCaseForOperatorsOnly) {
  const v1::Envelope env = ValidInskrivning();
  const std::string month = MakeDeadLetter(env);
  ASSERT_FALSE(month.empty());

  const json full = Report(month, kOperatorToken);
  EXPECT_EQ(full["month"], month);
  EXPECT_EQ(full["case_ids_included"], true);
  const json dead = Group(full, "dead-letter", kTestKommun);
  ASSERT_TRUE(dead.is_object()) << full.dump(2);
  EXPECT_EQ(dead["organisation"]["kind"], "kommun");
  EXPECT_EQ(dead["count"], 1);
  EXPECT_EQ(dead["case_ids"], json::array({CaseIdString(env)}));
  EXPECT_EQ(dead["counterparts"], json::array({kTestHospital}));
  EXPECT_EQ(full["totals"]["dead-letter"], 1);
  EXPECT_EQ(Group(Report(month, kAuditorToken), "dead-letter", kTestKommun)["case_ids"],
            json::array({CaseIdString(env)}));
  // Each disclosure of the case id is on the case's access log, before it was answered.
  auto reads = Client().Get("/api/v1/access-log?case_id=" + CaseIdString(env),
                            Bearer(kAuditorToken));
  ASSERT_TRUE(reads);
  ASSERT_EQ(reads->status, 200) << reads->body;
  const json recorded = json::parse(reads->body).at("reads");
  ASSERT_EQ(recorded.size(), 2u) << recorded.dump(2);
  EXPECT_EQ(recorded[0]["operator"], "otto");
  EXPECT_EQ(recorded[0]["what"], "deviation report " + month);
  EXPECT_EQ(recorded[1]["operator"], "astrid");

  const json counts = Report(month, kViewerToken);
  EXPECT_EQ(counts["case_ids_included"], false);
  const json seen = Group(counts, "dead-letter", kTestKommun);
  ASSERT_TRUE(seen.is_object()) << counts.dump(2);
  EXPECT_EQ(seen["count"], 1);
  EXPECT_FALSE(seen.contains("case_ids"));
  EXPECT_THAT(counts.dump(), Not(HasSubstr(env.case_id().episode_id())));
  EXPECT_THAT(HubLog(), Not(HasSubstr("vera read the case ids")));

  auto c = Client();
  auto csv = c.Get("/api/v1/deviations?month=" + month + "&format=csv", Bearer(kOperatorToken));
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_THAT(csv->get_header_value("Content-Type"), HasSubstr("text/csv"));
  EXPECT_THAT(csv->body, HasSubstr("month,category,"));
  EXPECT_THAT(csv->body, HasSubstr(month + ",dead-letter,,,kommun," + kTestKommun + ","));
  EXPECT_THAT(csv->body, HasSubstr(CaseIdString(env)));
  auto viewer_csv = c.Get("/api/v1/deviations?month=" + month + "&format=csv",
                          Bearer(kViewerToken));
  ASSERT_TRUE(viewer_csv);
  EXPECT_THAT(viewer_csv->body, Not(HasSubstr(CaseIdString(env))));
  auto pdf = c.Get("/api/v1/deviations?month=" + month + "&format=pdf", Bearer(kViewerToken));
  ASSERT_TRUE(pdf);
  ASSERT_EQ(pdf->status, 200) << pdf->body;
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
}

// A message the hub rejects counts for the sender it claimed, per the field its reason named.
TEST_F(DeviationsApi, RejectedMessagesAreCountedPerSenderAndReason) {
  v1::Envelope bad = ValidInskrivningOwnCase();
  bad.mutable_patient()->mutable_identity()->set_id("19000101-0000");
  auto client = NewClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->Send("events", ToMessage(bad)).kind, client::SendOutcome::Kind::kRejected);
  const std::string sql = "SELECT received_at_us FROM dead_letters";
  ASSERT_TRUE(PollUntil([&] { return !store().QueryStrings(sql).empty(); })) << HubLog();
  const auto stored = store().QueryStrings(sql);
  ASSERT_EQ(stored.size(), 1u);
  const std::string month = MonthOf(std::stoll(stored[0]));
  const json report = Report(month, kViewerToken);
  const json rejected = Group(report, "rejected", bad.sender_hsa_id());
  ASSERT_TRUE(rejected.is_object()) << report.dump(2);
  EXPECT_EQ(rejected["organisation"]["kind"], "sender");
  EXPECT_EQ(rejected["rule"], "patient.identity.id");
  EXPECT_EQ(rejected["count"], 1);
  EXPECT_EQ(report["totals"]["rejected"], 1);
}

TEST_F(DeviationsApi, ABadMonthOrFormatIsA400AndNoTokenA401) {
  auto c = Client();
  for (const std::string query : {"", "?month=2026-13", "?month=march", "?month=2026-03-01",
                                  "?month=2026-03&format=xml"}) {
    auto r = c.Get("/api/v1/deviations" + query, Bearer(kViewerToken));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << query << ": " << r->body;
    const json body = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error")) << r->body;
  }
  auto none = c.Get("/api/v1/deviations?month=2026-03");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  const json empty = Report("2026-03", kViewerToken);
  EXPECT_EQ(empty["deviations"], json::array());
  EXPECT_EQ(empty["totals"]["deadline-missed"], 0);
}

// The kommun takes the event but sends no receipt: after its timeout the letter goes too.
TEST_F(DeviationsApi, AMissingReceiptAndItsFallbackAreCountedForTheKommun) {
  const v1::Envelope env = ValidInskrivning(NewEventId(), kTestOtherKommun);
  auto client = NewClient();
  ASSERT_TRUE(client);
  MessageCollector kommun;
  MessageCollector letter;
  std::string error;
  ASSERT_GE(client->Receive(OutAddress(KommunDestination(kTestOtherKommun)), kommun.Handler(), 10,
                            &error), 0) << error;
  ASSERT_GE(client->Receive(OutAddress("letter"), letter.Handler(), 10, &error), 0) << error;
  ASSERT_EQ(client->Send("events", ToMessage(env)).kind, client::SendOutcome::Kind::kAccepted);
  ASSERT_TRUE(letter.WaitForId(env.event_id(), 1, std::chrono::seconds(60))) << HubLog();
  const std::string sql =
      "SELECT receipt_overdue_at_us FROM outbox WHERE receipt_overdue_at_us IS NOT NULL";
  ASSERT_TRUE(PollUntil([&] { return !store().QueryStrings(sql).empty(); })) << HubLog();
  const auto overdue = store().QueryStrings(sql);
  ASSERT_EQ(overdue.size(), 1u) << HubLog();
  const std::string month = MonthOf(std::stoll(overdue[0]));

  const json report = Report(month, kOperatorToken);
  const json missing = Group(report, "receipt-missing", kTestOtherKommun);
  ASSERT_TRUE(missing.is_object()) << report.dump(2);
  EXPECT_EQ(missing["case_ids"], json::array({CaseIdString(env)}));
  const json fallback = Group(report, "fallback", kTestOtherKommun);
  ASSERT_TRUE(fallback.is_object()) << report.dump(2);
  EXPECT_EQ(fallback["fallback_to"], "letter");
  EXPECT_EQ(report["totals"]["receipt-late"], 0);
}

// An inskrivningsmeddelande sent two days after the admission: the region's care unit missed
// 2 kap. 3 §, in the month the deadline fell due.
TEST_F(DeviationsApi, AMissedDeadlineIsTheCareUnitsInTheMonthItFellDue) {
  v1::Envelope late = ValidInskrivningOwnCase();
  const auto two_days_ago = std::chrono::system_clock::now() - std::chrono::hours(48);
  late.mutable_inskrivningsmeddelande()->mutable_admitted_at()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(two_days_ago.time_since_epoch()).count());
  late.mutable_inskrivningsmeddelande()->clear_assessed_at();
  auto client = NewClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->Send("events", ToMessage(late)).kind, client::SendOutcome::Kind::kAccepted);
  const std::string sql = "SELECT due_at_us FROM deadlines WHERE state = 'missed' AND "
                          "deadline_id = 'inskrivningsmeddelande'";
  ASSERT_TRUE(PollUntil([&] { return !store().QueryStrings(sql).empty(); })) << HubLog();
  const std::string month = MonthOf(std::stoll(store().QueryStrings(sql)[0]));

  const json report = Report(month, kOperatorToken);
  json missed;
  for (const auto& g : report["deviations"]) {
    if (g["category"] == "deadline-missed" && g["rule"] == "inskrivningsmeddelande") missed = g;
  }
  ASSERT_TRUE(missed.is_object()) << report.dump(2);
  EXPECT_EQ(missed["organisation"]["kind"], "region");
  EXPECT_EQ(missed["organisation"]["id"], late.case_id().care_unit_hsa_id());
  EXPECT_EQ(missed["case_ids"], json::array({CaseIdString(late)}));
  EXPECT_THAT(missed["rule_text"].get<std::string>(), HasSubstr("2 kap. 3 §"));
}

// slussenctl deviations: a table, --json, CSV and PDF to a file, and the usual exit codes.
TEST_F(DeviationsApi, SlussenctlPrintsAndSavesTheReport) {
  const v1::Envelope env = ValidInskrivning();
  const std::string month = MakeDeadLetter(env);
  ASSERT_FALSE(month.empty());
  const std::string viewer_file = TokenFile(dir().File("viewer.token"), kViewerToken);
  const std::string operator_file = TokenFile(dir().File("operator.token"), kOperatorToken);
  const std::string wrong_file = TokenFile(dir().File("wrong.token"), "not-the-token-at-all-0123");
  const SlussenctlRunner slussenctl(hub().Endpoint("admin"));
  auto ctl = [&](const std::string& token_file, const std::vector<std::string>& args) {
    return slussenctl.Run(token_file, args);
  };
  auto code = SlussenctlRunner::Code;

  const ProcessResult table = ctl(operator_file, {"deviations", "--month", month});
  EXPECT_EQ(code(table), 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("dead-letter"));
  EXPECT_THAT(table.out, HasSubstr("kommun  " + std::string(kTestKommun)));
  EXPECT_THAT(table.out, HasSubstr(CaseIdString(env))) << table.out;
  const ProcessResult viewer_table = ctl(viewer_file, {"deviations", "--month", month});
  EXPECT_EQ(code(viewer_table), 0) << viewer_table.err;
  EXPECT_THAT(viewer_table.out, HasSubstr("dead-letter"));
  EXPECT_THAT(viewer_table.out, Not(HasSubstr(CaseIdString(env))));

  const ProcessResult as_json = ctl(viewer_file, {"deviations", "--month", month, "--json"});
  EXPECT_EQ(code(as_json), 0) << as_json.err;
  EXPECT_EQ(json::parse(as_json.out)["totals"]["dead-letter"], 1);

  const std::string csv = dir().File("avvikelser.csv");
  EXPECT_EQ(code(ctl(operator_file, {"deviations", "--month", month, "--format", "csv",
                                     "--output", csv})), 0);
  EXPECT_THAT(ReadFile(csv), HasSubstr(month + ",dead-letter,"));
  const std::string pdf = dir().File("avvikelser.pdf");
  EXPECT_EQ(code(ctl(operator_file, {"deviations", "--month", month, "--format", "pdf",
                                     "--output", pdf})), 0);
  EXPECT_EQ(ReadFile(pdf).substr(0, 5), "%PDF-");
  EXPECT_EQ(code(ctl(operator_file, {"deviations", "--month", month, "--format", "pdf"})), 2)
      << "a PDF needs --output";
  EXPECT_EQ(code(ctl(operator_file, {"deviations"})), 2) << "--month is required";
  const ProcessResult bad = ctl(operator_file, {"deviations", "--month", "2026-13"});
  EXPECT_EQ(code(bad), 1);
  EXPECT_THAT(bad.err, HasSubstr("YYYY-MM"));
  EXPECT_EQ(code(ctl(operator_file, {"deviations", "--month", month + "&format=csv"})), 1)
      << "the month is sent as one query value";
  EXPECT_EQ(code(ctl(wrong_file, {"deviations", "--month", month})), 4);
}

}  // namespace
}  // namespace slussen::testing
