// Integration tests of `slussenctl simulate`: the built binary (SLUSSENCTL_BINARY) on the shipped
// example timeline and agreements, and its errors and exit codes (0 done, 1 bad input, 2 usage).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "config/config_loader.h"
#include "cases/case_state.h"
#include "ingest/validate.h"
#include "testing/hub_process.h"
#include "testing/temp_dir.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Ctl() {
#ifdef SLUSSENCTL_BINARY
  return SLUSSENCTL_BINARY;
#else
  return "slussenctl";
#endif
}

std::string Source(const std::string& relative) {
  return (SourceDir() / relative).string();
}

const std::string kHalland = "config/agreements/region-halland.xml";
const std::string kExample = "config/timelines/halland-example.jsonl";
const std::string kCase = "SE2321000115-SH01/VT-2026:004711";

std::string Show(const ProcessResult& r) {
  return "\nstatus: " + r.status.ToString() + "\n--- stdout ---\n" + r.out +
         "\n--- stderr ---\n" + r.err + "\n--- end ---";
}

ProcessResult Simulate(std::vector<std::string> extra,
                       const std::string& timeline = Source(kExample),
                       const std::string& agreement = Source(kHalland)) {
  std::vector<std::string> argv = {Ctl(), "simulate", "--agreement", agreement, "--timeline", timeline};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunProcess(argv);
}

bool ExitedWith(const ProcessResult& r, int code) { return r.status.exited && r.status.code == code; }

// The example's lines that are events (not comments), for building variants of it.
std::vector<std::string> ExampleEventLines() {
  std::ifstream in(Source(kExample));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

TEST(SlussenctlSimulate, ExampleTableShowsDeadlinesAndFirstBillableDay) {
  const ProcessResult r = Simulate({});
  ASSERT_TRUE(ExitedWith(r, 0)) << Show(r);
  EXPECT_THAT(r.out, HasSubstr("Case " + kCase)) << Show(r);
  EXPECT_THAT(r.out, HasSubstr("evaluated at  2026-04-01T10:35:00+02:00")) << Show(r);
  // Notice at 12:05 on Thursday 26 March, after the 12.00 cut-off (5 kap. 4 §).
  EXPECT_THAT(r.out, HasSubstr("sent 2026-03-26T12:05:00+01:00 (after the cut-off)")) << Show(r);
  EXPECT_THAT(r.out, HasSubstr("first billable day 2026-03-30")) << Show(r);
  EXPECT_THAT(r.out, HasSubstr("total: 2 days, 21 000 kr; liable: yes\n")) << Show(r);
  for (const char* id : {"inskrivningsmeddelande", "kallelse-sip", "informationsoverforing",
                         "planeringsunderlag-svar:", "andrat-utskrivningsdatum"}) {
    EXPECT_THAT(r.out, HasSubstr(id)) << id << Show(r);
  }
  EXPECT_THAT(r.out, Not(HasSubstr("missed"))) << Show(r);
  EXPECT_THAT(r.out, Not(HasSubstr("202508242381"))) << Show(r);
  EXPECT_THAT(r.out, Not(HasSubstr("Testsson"))) << Show(r);
  EXPECT_TRUE(r.err.empty()) << Show(r);
}

TEST(SlussenctlSimulate, JsonOutputParsesWithTheExpectedFacts) {
  const ProcessResult r = Simulate({"--json"});
  ASSERT_TRUE(ExitedWith(r, 0)) << Show(r);
  json report;
  ASSERT_NO_THROW(report = json::parse(r.out)) << Show(r);
  ASSERT_TRUE(report.is_object()) << Show(r);  // one case: one object
  EXPECT_EQ(report.at("case_id"), kCase);
  EXPECT_EQ(report.at("status"), "discharged");
  EXPECT_EQ(report.at("agreement").at("id"), "region-halland");
  EXPECT_EQ(report.at("events").size(), 8u);
  std::map<std::string, std::string> states;
  for (const auto& d : report.at("deadlines")) states[d.at("id")] = d.at("state");
  EXPECT_EQ(states.at("inskrivningsmeddelande"), "met");
  EXPECT_EQ(states.at("kallelse-sip"), "met");
  EXPECT_EQ(states.at("informationsoverforing"), "met");
  EXPECT_EQ(states.at("andrat-utskrivningsdatum"), "met");
  const json& period = report.at("liability").at("periods").at(0);
  EXPECT_EQ(period.at("first_billable_day"), "2026-03-30");
  EXPECT_EQ(period.at("after_cutoff"), true);
  EXPECT_EQ(report.at("liability").at("totals").at("amount_kr"), 21000);
  EXPECT_THAT(r.out, Not(HasSubstr("202508242381")));
}

// Under an average-model agreement the kommun's monthly bill comes with the case reports.
TEST(SlussenctlSimulate, AverageModelAgreementAddsTheMonthlyBill) {
  const ProcessResult r =
      Simulate({"--json"}, Source(kExample), Source("config/agreements/region-stockholm.xml"));
  ASSERT_TRUE(ExitedWith(r, 0)) << Show(r);
  json out;
  ASSERT_NO_THROW(out = json::parse(r.out)) << Show(r);
  ASSERT_EQ(out.at("cases").size(), 1u) << Show(r);
  ASSERT_EQ(out.at("average_model").size(), 1u) << Show(r);
  const json& month = out.at("average_model").at(0);
  EXPECT_EQ(month.at("month"), "2026-04");  // the example's patient is discharged 1 April
  EXPECT_EQ(month.at("patients_in_average"), 1);
  // Notice Thursday 26 March, discharged Wednesday 1 April: 6 days as utskrivningsklar, against
  // the (placeholder) threshold of 3.0 days: 3 billable days.
  EXPECT_EQ(month.at("days_in_average"), 6);
  EXPECT_DOUBLE_EQ(month.at("billable_days_average").get<double>(), 3.0);

  const ProcessResult table =
      Simulate({}, Source(kExample), Source("config/agreements/region-stockholm.xml"));
  ASSERT_TRUE(ExitedWith(table, 0)) << Show(table);
  EXPECT_THAT(table.out, HasSubstr("Average model (per kommun and month)"));
}

TEST(SlussenctlSimulate, NowAsStockholmLocalTimeLeavesOutLaterEvents) {
  // Sunday 29 March 20:00: the kallelse is sent, the patient still in hospital.
  const ProcessResult r = Simulate({"--json", "--now", "2026-03-29 20:00"});
  ASSERT_TRUE(ExitedWith(r, 0)) << Show(r);
  const json report = json::parse(r.out);
  EXPECT_EQ(report.at("generated_at"), "2026-03-29T20:00:00+02:00");
  EXPECT_EQ(report.at("status"), "utskrivningsklar");
  EXPECT_EQ(report.at("events").size(), 7u);
  EXPECT_EQ(report.at("liability").at("provisional"), true);
  EXPECT_EQ(report.at("liability").at("totals").at("days"), 0);  // billing starts on Monday
  for (const auto& d : report.at("deadlines")) {
    if (d.at("id") == "informationsoverforing") {
      EXPECT_EQ(d.at("state"), "pending") << d.dump();
    }
  }
}

TEST(SlussenctlSimulate, NowAsRfc3339) {
  const ProcessResult r = Simulate({"--now", "2026-03-31T12:00:00+02:00"});
  ASSERT_TRUE(ExitedWith(r, 0)) << Show(r);
  EXPECT_THAT(r.out, HasSubstr("evaluated at  2026-03-31T12:00:00+02:00")) << Show(r);
  EXPECT_THAT(r.out, HasSubstr("total: 2 days, 21 000 kr; liable: yes (provisional)")) << Show(r);
}

TEST(SlussenctlSimulate, SeveralCasesGiveAnArrayAndCaseSelectsOne) {
  TempDir dir("Slussenctl.cases");
  std::string text;
  for (const auto& line : ExampleEventLines()) {
    text += line + "\n";
    // The same chain for a second episode, with other event ids.
    std::string copy = line;
    for (std::size_t at; (at = copy.find("VT-2026:004711")) != std::string::npos;) {
      copy.replace(at, 14, "VT-2026:004712");
    }
    for (std::size_t at = 0; (at = copy.find("9e2f-0a1b2c3d4e0", at)) != std::string::npos; at += 16) {
      copy.replace(at, 16, "9e2f-0a1b2c3d4f0");
    }
    text += copy + "\n";
  }
  const std::string path = dir.File("two.jsonl");
  WriteFile(path, text);

  const ProcessResult all = Simulate({"--json"}, path);
  ASSERT_TRUE(ExitedWith(all, 0)) << Show(all);
  const json reports = json::parse(all.out);
  ASSERT_TRUE(reports.is_array()) << Show(all);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].at("case_id"), kCase);
  EXPECT_EQ(reports[1].at("case_id"), "SE2321000115-SH01/VT-2026:004712");

  const ProcessResult one = Simulate({"--json", "--case", "SE2321000115-SH01/VT-2026:004712"}, path);
  ASSERT_TRUE(ExitedWith(one, 0)) << Show(one);
  const json single = json::parse(one.out);
  ASSERT_TRUE(single.is_object()) << Show(one);
  EXPECT_EQ(single.at("case_id"), "SE2321000115-SH01/VT-2026:004712");

  const ProcessResult none = Simulate({"--case", "SE2321000115-SH01/nope"}, path);
  EXPECT_TRUE(ExitedWith(none, 1)) << Show(none);
  EXPECT_THAT(none.err, HasSubstr("no case SE2321000115-SH01/nope")) << Show(none);
  EXPECT_THAT(none.err, HasSubstr(kCase)) << Show(none);
}

TEST(SlussenctlSimulate, BrokenTimelineLineNamesFileAndLine) {
  TempDir dir("Slussenctl.broken");
  const auto lines = ExampleEventLines();
  std::string broken = lines[4];
  broken.replace(broken.find("\"SOMATIC\""), 9, "\"SOMATISK\"");
  const std::string path = dir.File("broken.jsonl");
  // Line 1 a comment, line 2 blank, lines 3-6 events, line 7 the broken one.
  WriteFile(path, "# broken\n\n" + lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n" + lines[3] +
                      "\n" + broken + "\n");
  const ProcessResult r = Simulate({}, path);
  EXPECT_TRUE(ExitedWith(r, 1)) << Show(r);
  EXPECT_THAT(r.err, HasSubstr(path + ":7: ")) << Show(r);
  EXPECT_THAT(r.err, HasSubstr("SOMATISK")) << Show(r);  // the protobuf parser's message
  EXPECT_TRUE(r.out.empty()) << Show(r);

  const std::string garbage = dir.File("garbage.jsonl");
  WriteFile(garbage, lines[0] + "\n{\"eventId\": \n");
  const ProcessResult g = Simulate({}, garbage);
  EXPECT_TRUE(ExitedWith(g, 1)) << Show(g);
  EXPECT_THAT(g.err, HasSubstr(garbage + ":2: not valid JSON")) << Show(g);
}

TEST(SlussenctlSimulate, BadAgreementOrMissingFilesExitOne) {
  const ProcessResult no_timeline = Simulate({}, "/nonexistent/t.jsonl");
  EXPECT_TRUE(ExitedWith(no_timeline, 1)) << Show(no_timeline);
  EXPECT_THAT(no_timeline.err, HasSubstr("/nonexistent/t.jsonl: cannot read")) << Show(no_timeline);

  TempDir dir("Slussenctl.agreement");
  const std::string bad = dir.File("bad.xml");
  WriteFile(bad, "<agreement>\n<oops\n");
  const ProcessResult r = Simulate({}, Source(kExample), bad);
  EXPECT_TRUE(ExitedWith(r, 1)) << Show(r);
  EXPECT_THAT(r.err, HasSubstr(bad + ":")) << Show(r);
}

const std::string kDemoConfig = "config/demo.xml";

// Line 5 of the example's events is the utskrivningsklar notice, stored when it occurred.
std::string BrokenNotice() {
  std::string notice = ExampleEventLines()[4];
  notice.replace(notice.find("202508242381"), 12, "202508242382");            // check digit
  notice.replace(notice.find("SE2321000115-L123"), 17, "SE2321000115");      // not an HSA-id
  return notice;
}

std::string TimelineWith(const std::string& dir_file, const std::string& replaced_line5) {
  auto lines = ExampleEventLines();
  lines[4] = replaced_line5;
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  WriteFile(dir_file, text);
  return dir_file;
}

// issue 15 item 13: what the hub would refuse, simulate refuses, with the hub's own texts:
// the expected reasons are computed here by the hub's validator over the same envelope.
TEST(SlussenctlSimulate, RefusesWhatTheHubWouldWithTheHubsOwnReasons) {
  TempDir dir("Slussenctl.refused");
  const std::string path = TimelineWith(dir.File("t.jsonl"), BrokenNotice());
  const ProcessResult r = Simulate({"--config", Source(kDemoConfig)}, path);
  EXPECT_TRUE(ExitedWith(r, 1)) << Show(r);
  EXPECT_TRUE(r.out.empty()) << Show(r);
  EXPECT_THAT(r.err, HasSubstr(path + ":5: the hub would refuse this event: ")) << Show(r);
  EXPECT_THAT(r.err, HasSubstr("1 event(s) the hub would refuse")) << Show(r);

  v1::Envelope env;
  nlohmann::json object = json::parse(BrokenNotice());
  const std::string stored_at = object.at("occurredAt").get<std::string>();
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(object.dump(), &env).ok());
  auto config = LoadConfig(Source(kDemoConfig));
  ASSERT_TRUE(config) << config.error();
  const auto expected = ValidateEnvelope(env, *config, ToTimePoint(env.occurred_at()));
  ASSERT_EQ(expected.size(), 2u) << stored_at;
  for (const auto& reason : expected) EXPECT_THAT(r.err, HasSubstr(reason)) << Show(r);
  // The texts carry no patient data.
  EXPECT_THAT(r.err, Not(HasSubstr("20250824"))) << Show(r);

  // Without the hub config: the same wire-contract reasons, and a word that the rest is unchecked.
  const ProcessResult wire = Simulate({}, path);
  EXPECT_TRUE(ExitedWith(wire, 1)) << Show(wire);
  for (const auto& reason : expected) EXPECT_THAT(wire.err, HasSubstr(reason)) << Show(wire);
  EXPECT_THAT(wire.err, HasSubstr("Checked against the wire contract only")) << Show(wire);
  const ProcessResult table = Simulate({});  // the valid example: said in the table's head
  EXPECT_THAT(table.out, HasSubstr("Checked against the wire contract only")) << Show(table);
}

TEST(SlussenctlSimulate, DropRejectedLeavesTheEventOutAsTheHubWould) {
  TempDir dir("Slussenctl.dropped");
  const std::string path = TimelineWith(dir.File("t.jsonl"), BrokenNotice());
  const ProcessResult r = Simulate({"--config", Source(kDemoConfig), "--drop-rejected", "--json"}, path);
  ASSERT_TRUE(ExitedWith(r, 0)) << Show(r);
  EXPECT_THAT(r.err, HasSubstr(path + ":5: the hub would refuse this event (left out): ")) << Show(r);
  // The hub never stored the notice: its receipt acknowledges an event the case does not have.
  const std::string orphan = "which the hub has not received";
  EXPECT_THAT(r.out, HasSubstr(orphan)) << Show(r);
  const ProcessResult with = Simulate({"--config", Source(kDemoConfig), "--json"});
  ASSERT_TRUE(ExitedWith(with, 0)) << Show(with);
  EXPECT_THAT(with.out, Not(HasSubstr(orphan))) << Show(with);
}

// The hub's own config decides who may send: a sender it does not know is refused with it, and
// passes the wire contract without it.
TEST(SlussenctlSimulate, HubConfigChecksSendersTheWireContractCannot) {
  TempDir dir("Slussenctl.sender");
  std::string notice = ExampleEventLines()[4];
  const std::string sender = "\"senderHsaId\": \"SE2321000115-SH01\"";
  ASSERT_NE(notice.find(sender), std::string::npos);
  notice.replace(notice.find(sender), sender.size(), "\"senderHsaId\": \"SE2321000115-XX99\"");
  const std::string path = TimelineWith(dir.File("t.jsonl"), notice);
  const ProcessResult hub = Simulate({"--config", Source(kDemoConfig)}, path);
  EXPECT_TRUE(ExitedWith(hub, 1)) << Show(hub);
  EXPECT_THAT(hub.err, HasSubstr("sender_hsa_id: SE2321000115-XX99 is not a configured sender"))
      << Show(hub);
  const ProcessResult wire = Simulate({}, path);
  EXPECT_TRUE(ExitedWith(wire, 0)) << Show(wire);

  const ProcessResult no_adapter =
      Simulate({"--config", Source(kDemoConfig), "--adapter", "no-such-adapter"});
  EXPECT_TRUE(ExitedWith(no_adapter, 1)) << Show(no_adapter);
  EXPECT_THAT(no_adapter.err, HasSubstr("no <adapter name=\"no-such-adapter\">")) << Show(no_adapter);
  const ProcessResult bound = Simulate({"--config", Source(kDemoConfig), "--adapter", "demo-local"});
  EXPECT_TRUE(ExitedWith(bound, 0)) << Show(bound);
}

// Without --agreement the hub config's own agreement applies.
TEST(SlussenctlSimulate, ConfigAloneBringsItsAgreement) {
  const ProcessResult r = RunProcess({Ctl(), "simulate", "--config", Source(kDemoConfig),
                                      "--timeline", Source(kExample), "--json"});
  ASSERT_TRUE(ExitedWith(r, 0)) << Show(r);
  EXPECT_THAT(r.out, HasSubstr("region-halland")) << Show(r);
}

TEST(SlussenctlCli, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {Ctl()},
           {Ctl(), "frobnicate"},
           {Ctl(), "--no-such-flag"},
           {Ctl(), "simulate", "--no-such-flag"},
           {Ctl(), "simulate", "--agreement", Source(kHalland)},
           {Ctl(), "simulate", "--agreement", Source(kHalland), "--timeline", Source(kExample),
            "--now", "sometime"},
           {Ctl(), "simulate", "--agreement", Source(kHalland), "--timeline"},
           {Ctl(), "simulate", "--agreement", Source(kHalland), "--timeline", Source(kExample),
            "--adapter", "demo-local"},
       }) {
    const ProcessResult r = RunProcess(argv);
    std::string shown;
    for (const auto& a : argv) shown += a + " ";
    EXPECT_TRUE(ExitedWith(r, 2)) << shown << Show(r);
    EXPECT_THAT(r.err, HasSubstr("usage: slussenctl")) << shown << Show(r);
    EXPECT_TRUE(r.out.empty()) << shown << Show(r);
  }
}

TEST(SlussenctlCli, HelpExitsZero) {
  for (const char* flag : {"--help", "-h"}) {
    const ProcessResult r = RunProcess({Ctl(), flag});
    EXPECT_TRUE(ExitedWith(r, 0)) << Show(r);
    EXPECT_THAT(r.out, HasSubstr("usage: slussenctl simulate --agreement FILE --timeline"));
    EXPECT_THAT(r.out, HasSubstr("--now"));
  }
  const ProcessResult sub = RunProcess({Ctl(), "simulate", "--help"});
  EXPECT_TRUE(ExitedWith(sub, 0)) << Show(sub);
  EXPECT_THAT(sub.out, HasSubstr("--timeline"));
}

}  // namespace
}  // namespace slussen::testing
