// The admin HTTP API against the real hub (issue 12): health and readiness without a token, the
// JSON API and /metrics only with an operator's bearer token, checked against the argon2id hash
// in the config that `slussen --hash-token` made.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <chrono>
#include <string>

#include "testing/admin_token.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/hub_process.h"
#include "testing/message_collector.h"
#include "util/slussenctl_runner.h"
#include "build_paths/source_dir.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr char kViewerToken[] = "viewer-token-0123456789abcdef";
constexpr char kOperatorToken[] = "operator-token-0123456789abcdef";
constexpr char kAuditorToken[] = "auditor-token-0123456789abcdef";

// An inskrivningsmeddelande of a case of its own, sent two days after the admission: its
// 24-hour deadline (2 kap. 3 §) is missed.
v1::Envelope LateInskrivning() {
  v1::Envelope late = ValidInskrivningOwnCase();
  const auto two_days_ago = std::chrono::system_clock::now() - std::chrono::hours(48);
  late.mutable_inskrivningsmeddelande()->mutable_admitted_at()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(two_days_ago.time_since_epoch()).count());
  late.mutable_inskrivningsmeddelande()->clear_assessed_at();
  return late;
}

class AdminApi : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    static const std::string viewer_hash = AdminTokenHash(kViewerToken);
    static const std::string operator_hash = AdminTokenHash(kOperatorToken);
    static const std::string auditor_hash = AdminTokenHash(kAuditorToken);
    TestConfigOptions o;
    o.admin_element = "<admin host=\"127.0.0.1\" port=\"0\"><operator name=\"vera\" role=\"viewer\" "
                      "token-hash=\"" + viewer_hash + "\"/><operator name=\"otto\" "
                      "role=\"operator\" token-hash=\"" + operator_hash + "\"/><operator "
                      "name=\"aud\" role=\"auditor\" token-hash=\"" + auditor_hash + "\"/></admin>";
    return o;
  }
  httplib::Client Client() { return AdminClient(hub().Endpoint("admin")); }
};

TEST_F(AdminApi, TheReadyLineNamesTheAdminListener) {
  EXPECT_THAT(hub().Endpoint("admin"), ::testing::StartsWith("127.0.0.1:"));
}

TEST_F(AdminApi, HealthAndReadinessNeedNoToken) {
  auto c = Client();
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_TRUE(PollUntil([&] {
    auto ready = c.Get("/readyz");
    return ready && ready->status == 200 && json::parse(ready->body)["ready"] == true;
  })) << HubLog();
}

TEST_F(AdminApi, TheApiNeedsAnOperatorsToken) {
  auto c = Client();
  auto none = c.Get("/api/v1/destinations");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_THAT(json::parse(none->body)["error"].get<std::string>(), HasSubstr("Bearer"));

  auto wrong = c.Get("/api/v1/destinations", Bearer("not-the-token-0123456789"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 401);

  auto ok = c.Get("/api/v1/destinations", Bearer(kViewerToken));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_THAT(ok->get_header_value("Content-Type"), HasSubstr("application/json"));

  auto missing = c.Get("/api/v1/no-such-thing", Bearer(kViewerToken));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(json::parse(missing->body).contains("error"));
}

// An event with no receiver attached waits: the destination's depth and age say so, in the JSON
// and in /metrics.
TEST_F(AdminApi, DestinationsShowWhatWaits) {
  auto client = NewClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->Send("events", ToMessage(ValidInskrivning())).kind,
            client::SendOutcome::Kind::kAccepted);
  auto c = Client();
  const std::string kommun = KommunDestination(kTestKommun);
  json dest;
  std::string last;
  ASSERT_TRUE(PollUntil([&] {
    auto r = c.Get("/api/v1/destinations", Bearer(kViewerToken));
    last = r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error());
    if (!r || r->status != 200) return false;
    const json body = json::parse(r->body);
    for (const auto& d : body.at("destinations")) {
      if (d["destination"] == kommun) dest = d;
    }
    return dest.is_object() && dest["depth"] == 1;
  })) << "last answer: " << last << HubLog();
  EXPECT_EQ(dest["receivers"], 0);
  EXPECT_EQ(dest["paused"], false);

  auto m = c.Get("/metrics", Bearer(kViewerToken));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_THAT(m->get_header_value("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(m->body, HasSubstr("slussen_destination_depth{destination=\"" + kommun + "\"} 1\n"));
  EXPECT_THAT(m->body, HasSubstr("# TYPE slussen_commit_duration_seconds histogram"));
  EXPECT_THAT(m->body, HasSubstr("slussen_inbound_accepted_total 1\n"));
}

// Actions go to the core and answer once done: who is the authenticated operator, why is required;
// a viewer may not act.
TEST_F(AdminApi, PauseAndResumeAreOperatorsActions) {
  auto c = Client();
  const std::string kommun = KommunDestination(kTestKommun);
  const std::string pause = "/api/v1/destinations/" + kommun + "/pause";
  const std::string why = R"({"reason": "Lifecare upgrade, announced by Halmstad"})";

  auto viewer = c.Post(pause, Bearer(kViewerToken), why, "application/json");
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->status, 403);
  EXPECT_THAT(json::parse(viewer->body)["error"].get<std::string>(), HasSubstr("operator"));

  auto no_reason = c.Post(pause, Bearer(kOperatorToken), "{}", "application/json");
  ASSERT_TRUE(no_reason);
  EXPECT_EQ(no_reason->status, 400);

  auto paused = c.Post(pause, Bearer(kOperatorToken), why, "application/json");
  ASSERT_TRUE(paused);
  ASSERT_EQ(paused->status, 200) << paused->body;
  EXPECT_EQ(json::parse(paused->body)["operator"], "otto");
  EXPECT_EQ(store().QueryStrings("SELECT operator || ': ' || reason FROM delivery_actions"),
            std::vector<std::string>{"otto: Lifecare upgrade, announced by Halmstad"});

  auto seen = [&](bool want) {
    return PollUntil([&] {
      auto r = c.Get("/api/v1/destinations", Bearer(kViewerToken));
      if (!r || r->status != 200) return false;
      const json body = json::parse(r->body);
      for (const auto& d : body.at("destinations")) {
        if (d["destination"] == kommun) return d["paused"] == want;
      }
      return false;
    });
  };
  EXPECT_TRUE(seen(true)) << HubLog();
  auto resumed = c.Post("/api/v1/destinations/" + kommun + "/resume", Bearer(kOperatorToken),
                        R"({"reason": "upgrade done"})", "application/json");
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, 200) << resumed->body;
  EXPECT_TRUE(seen(false)) << HubLog();
}

TEST_F(AdminApi, ActionsOnWhatDoesNotExistAre404) {
  auto c = Client();
  const std::string why = R"({"reason": "checking", "destination": ")" +
                          KommunDestination(kTestOtherKommun) + "\"}";
  auto retry = c.Post("/api/v1/deliveries/987654/retry", Bearer(kOperatorToken), why,
                      "application/json");
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 404) << retry->body;
  auto reroute = c.Post("/api/v1/events/0b6f5c1e-3d2a-4f7e-9a1b-00000000dead/reroute",
                        Bearer(kOperatorToken), why, "application/json");
  ASSERT_TRUE(reroute);
  EXPECT_EQ(reroute->status, 404) << reroute->body;
  auto garbage = c.Post("/api/v1/deliveries/1/retry", Bearer(kOperatorToken), "not json",
                        "application/json");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
}

// A receiver rejects an event: the dead letter is listed with its attempt (operators only), and a
// retry from the API takes it off the list.
TEST_F(AdminApi, DeadLettersAreListedAndRetried) {
  const v1::Envelope env = ValidInskrivning();
  std::atomic<bool> reject{true};
  MessageCollector kommun([&](const client::IncomingMessage&, int) {
    return reject ? client::Disposition::kReject : client::Disposition::kAccept;
  });
  auto client = NewClient();
  ASSERT_TRUE(client);
  std::string error;
  ASSERT_GE(client->Receive(OutAddress(KommunDestination(kTestKommun)), kommun.Handler(), 10,
                            &error), 0) << error;
  ASSERT_EQ(client->Send("events", ToMessage(env)).kind, client::SendOutcome::Kind::kAccepted);
  ASSERT_TRUE(kommun.WaitForId(env.event_id()));

  auto c = Client();
  json dead;
  ASSERT_TRUE(PollUntil([&] {
    auto r = c.Get("/api/v1/deadletters", Bearer(kOperatorToken));
    if (!r || r->status != 200) return false;
    const json body = json::parse(r->body);
    if (body.at("deadletters").empty()) return false;
    dead = body.at("deadletters")[0];
    return true;
  })) << HubLog();
  EXPECT_EQ(dead["event_id"], env.event_id());
  EXPECT_EQ(dead["destination"], KommunDestination(kTestKommun));
  EXPECT_EQ(dead["kind"], "Inskrivningsmeddelande");
  ASSERT_EQ(dead["history"].size(), 1u);
  EXPECT_EQ(dead["history"][0]["outcome"], "rejected");
  EXPECT_THAT(dead["reason"].get<std::string>(), HasSubstr("rejected by the receiver"));

  auto viewer = c.Get("/api/v1/deadletters", Bearer(kViewerToken));
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->status, 403);
  auto bad = c.Get("/api/v1/deadletters?limit=lots", Bearer(kOperatorToken));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  reject = false;
  auto retry = c.Post("/api/v1/deliveries/" + std::to_string(dead["seq"].get<int64_t>()) + "/retry",
                      Bearer(kOperatorToken), R"({"reason": "the kommun fixed its mapping"})",
                      "application/json");
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 200) << retry->body;
  ASSERT_TRUE(kommun.WaitForId(env.event_id(), 2)) << HubLog();
  EXPECT_TRUE(PollUntil([&] {
    auto r = c.Get("/api/v1/deadletters", Bearer(kOperatorToken));
    return r && r->status == 200 && json::parse(r->body).at("deadletters").empty();
  })) << HubLog();
}

// A case's evidence report, as JSON and as the PDF, for operators only.
TEST_F(AdminApi, ACasesEvidenceReportAsJsonAndPdf) {
  const v1::Envelope env = ValidInskrivning();
  auto client = NewClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->Send("events", ToMessage(env)).kind, client::SendOutcome::Kind::kAccepted);
  auto c = Client();
  const std::string path = "/api/v1/cases/" + CaseIdString(env);
  auto viewer = c.Get(path, Bearer(kViewerToken));
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->status, 403);
  auto report = c.Get(path, Bearer(kOperatorToken));
  ASSERT_TRUE(report);
  ASSERT_EQ(report->status, 200) << report->body;
  EXPECT_THAT(report->body, HasSubstr(env.event_id()));
  EXPECT_THAT(report->body, ::testing::Not(HasSubstr(env.patient().identity().id())))
      << "the report carries no personnummer";
  auto pdf = c.Get(path + "/report.pdf", Bearer(kOperatorToken));
  ASSERT_TRUE(pdf);
  ASSERT_EQ(pdf->status, 200) << pdf->body;
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
  auto events = c.Get("/api/v1/events?case_id=" + CaseIdString(env), Bearer(kOperatorToken));
  ASSERT_TRUE(events);
  ASSERT_EQ(events->status, 200) << events->body;
  const json listed = json::parse(events->body);
  ASSERT_EQ(listed.at("events").size(), 1u);
  EXPECT_EQ(listed["events"][0]["event_id"], env.event_id());
  EXPECT_EQ(listed["events"][0]["kind"], "Inskrivningsmeddelande");
  EXPECT_EQ(listed["events"][0]["deliveries"].size(), 2u) << "kommun and vårdcentral";
  auto no_case = c.Get("/api/v1/events", Bearer(kOperatorToken));
  ASSERT_TRUE(no_case);
  EXPECT_EQ(no_case->status, 400);
  auto none = c.Get("/api/v1/cases/SE2321000115-SH01/no-such-episode", Bearer(kOperatorToken));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);

  // Every read of the case's data is on record, for the patient's access-log extract: who, what,
  // when; only auditors may read that record.
  const std::string extract = "/api/v1/access-log?case_id=" + CaseIdString(env);
  auto as_operator = c.Get(extract, Bearer(kOperatorToken));
  ASSERT_TRUE(as_operator);
  EXPECT_EQ(as_operator->status, 403);
  auto reads = c.Get(extract, Bearer(kAuditorToken));
  ASSERT_TRUE(reads);
  ASSERT_EQ(reads->status, 200) << reads->body;
  const json recorded = json::parse(reads->body).at("reads");
  ASSERT_EQ(recorded.size(), 3u) << recorded.dump(2);
  EXPECT_EQ(recorded[0]["operator"], "otto");
  EXPECT_EQ(recorded[0]["what"], "evidence report");
  EXPECT_EQ(recorded[1]["what"], "evidence report (PDF)");
  EXPECT_EQ(recorded[2]["what"], "events and deliveries");
  EXPECT_FALSE(recorded[0]["at"].get<std::string>().empty());
  // The viewer's refused read and the read of a case that does not exist disclosed nothing.
  auto other = c.Get("/api/v1/access-log?case_id=SE2321000115-SH01/no-such-episode",
                     Bearer(kAuditorToken));
  ASSERT_TRUE(other);
  EXPECT_EQ(json::parse(other->body).at("reads").size(), 0u);
  EXPECT_THAT(HubLog(), HasSubstr("operator otto read evidence report of case"));
}

// Late cases first: an inskrivningsmeddelande sent two days after the admission is listed with
// its missed deadline; one sent in time is not.
TEST_F(AdminApi, LateCasesAreListedFirst) {
  const v1::Envelope late = LateInskrivning();
  const v1::Envelope on_time = ValidInskrivningOwnCase();
  auto client = NewClient();
  ASSERT_TRUE(client);
  for (const v1::Envelope* env : std::initializer_list<const v1::Envelope*>{&late, &on_time}) {
    const auto out = client->Send("events", ToMessage(*env));
    ASSERT_EQ(out.kind, client::SendOutcome::Kind::kAccepted) << out.description;
  }
  auto c = Client();
  json cases;
  ASSERT_TRUE(PollUntil([&] {
    auto r = c.Get("/api/v1/cases", Bearer(kViewerToken));
    if (!r || r->status != 200) return false;
    cases = json::parse(r->body).at("cases");
    return !cases.empty();
  })) << HubLog();
  ASSERT_EQ(cases.size(), 1u) << cases.dump(2);
  EXPECT_EQ(cases[0]["case_id"], CaseIdString(late));
  auto page = c.Get("/api/v1/cases", Bearer(kViewerToken));
  ASSERT_TRUE(page);
  const json totals = json::parse(page->body).at("totals");
  EXPECT_EQ(totals["missed_open"], 0) << "sent late, so met late: not open";
  EXPECT_EQ(totals["at_risk"], 0);
  EXPECT_EQ(cases[0]["deadline"]["id"], "inskrivningsmeddelande");
  EXPECT_EQ(cases[0]["deadline"]["state"], "missed");
}

// The kommun confirms with receipts within three seconds, else the event also goes as a letter.
class AdminApiReceipts : public AdminApi {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o = AdminApi::ConfigOptions();
    o.destinations.push_back({"letter", "Brev"});
    o.policy_elements[KommunDestination(kTestKommun)] =
        R"(<receipt timeout="3s" fallback="letter"/>)";
    return o;
  }
};

// Receipt coverage per destination: one delivery receipted, one not (its letter went instead).
TEST_F(AdminApiReceipts, DestinationsShowReceiptCoverageAndFallbacks) {
  const std::string kommun = KommunDestination(kTestKommun);
  const v1::Envelope receipted = ValidInskrivningOwnCase();
  const v1::Envelope unanswered = ValidInskrivningOwnCase();
  auto client = NewClient();
  ASSERT_TRUE(client);
  MessageCollector kommun_rx;
  MessageCollector letter_rx;
  std::string error;
  ASSERT_GE(client->Receive(OutAddress(kommun), kommun_rx.Handler(), 10, &error), 0) << error;
  ASSERT_GE(client->Receive(OutAddress("letter"), letter_rx.Handler(), 10, &error), 0) << error;
  for (const v1::Envelope* env :
       std::initializer_list<const v1::Envelope*>{&receipted, &unanswered}) {
    ASSERT_EQ(client->Send("events", ToMessage(*env)).kind, client::SendOutcome::Kind::kAccepted);
    ASSERT_TRUE(kommun_rx.WaitForId(env->event_id())) << HubLog();
  }
  EnvelopeSpec spec;
  spec.referenced_event_id = receipted.event_id();
  ASSERT_EQ(client->Send("receipts", ToMessage(ValidEnvelope(EventKind::kReceipt, spec))).kind,
            client::SendOutcome::Kind::kAccepted);
  ASSERT_TRUE(letter_rx.WaitForId(unanswered.event_id(), 1, std::chrono::seconds(60))) << HubLog();

  auto c = Client();
  json dest;
  ASSERT_TRUE(PollUntil([&] {
    auto r = c.Get("/api/v1/destinations", Bearer(kViewerToken));
    if (!r || r->status != 200) return false;
    const json body = json::parse(r->body);
    for (const auto& d : body.at("destinations")) {
      if (d["destination"] == kommun) dest = d;
    }
    return dest.is_object() && dest["receipts"].is_object() &&
           dest["receipts"]["received_since_start"] == 1 &&
           dest["receipts"]["overdue_since_start"] == 1;
  })) << dest.dump(2) << HubLog();
  EXPECT_DOUBLE_EQ(dest["receipts"]["coverage"].get<double>(), 0.5);
  EXPECT_EQ(dest["fallbacks_since_start"], 1);

  auto m = c.Get("/metrics", Bearer(kViewerToken));
  ASSERT_TRUE(m);
  EXPECT_THAT(m->body, HasSubstr("slussen_destination_receipts_total{destination=\"" + kommun +
                                 "\"} 1\n"));
  EXPECT_THAT(m->body, HasSubstr("slussen_destination_receipts_overdue_total{destination=\"" +
                                 kommun + "\"} 1\n"));
  EXPECT_THAT(m->body, HasSubstr("slussen_destination_fallbacks_total{destination=\"" + kommun +
                                 "\"} 1\n"));
  // The letter itself sends no receipts: no coverage to speak of.
  auto r = c.Get("/api/v1/destinations", Bearer(kViewerToken));
  ASSERT_TRUE(r);
  const json listed = json::parse(r->body);
  for (const auto& d : listed.at("destinations")) {
    if (d["destination"] == "letter") {
      EXPECT_TRUE(d["receipts"].is_null()) << d.dump();
    }
  }
}

// /metrics after traffic (an accepted event, a rejected one, a dead letter) parses with
// Prometheus's own parser and passes its lint: `promtool check metrics` from Debian's prometheus.
TEST_F(AdminApi, MetricsPassPromtool) {
  auto client = NewClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->Send("events", ToMessage(ValidInskrivning())).kind,
            client::SendOutcome::Kind::kAccepted);
  v1::Envelope bad = ValidInskrivningOwnCase();
  bad.mutable_patient()->mutable_identity()->set_id("19000101-0000");
  ASSERT_EQ(client->Send("events", ToMessage(bad)).kind, client::SendOutcome::Kind::kRejected);
  auto c = Client();
  std::string body;
  ASSERT_TRUE(PollUntil([&] {
    auto m = c.Get("/metrics", Bearer(kViewerToken));
    if (!m || m->status != 200) return false;
    body = m->body;
    return body.find("slussen_inbound_rejected_total{reason=") != std::string::npos &&
           body.find("slussen_destination_depth{") != std::string::npos;
  })) << body << HubLog();
  EXPECT_THAT(body, HasSubstr("slussen_connections_open 1\n"));
  EXPECT_THAT(body, HasSubstr("slussen_connections_unauthorized_total 0\n"));
  EXPECT_THAT(body, HasSubstr("slussen_links_unauthorized_total 0\n"));
  EXPECT_THAT(body, HasSubstr("# TYPE slussen_deadlines_unmet gauge"));
  EXPECT_THAT(body, HasSubstr("# TYPE slussen_deadline_outcomes_24h gauge"));
  EXPECT_THAT(body, HasSubstr("slussen_destination_dead_letters{destination=\"" +
                              KommunDestination(kTestKommun) + "\"} 0\n"));
  const std::string file = dir().File("metrics.txt");
  WriteFile(file, body);
  const ProcessResult check =
      RunProcess({"/bin/sh", "-c", "command -v promtool >/dev/null || { echo 'promtool is not "
                                   "installed (Debian: apt-get install prometheus)' >&2; exit 127; }"
                                   "; promtool check metrics < \"$0\"", file},
                 std::chrono::seconds(60), Stderr::kMerged);
  EXPECT_TRUE(check.status.Ok()) << check.out << check.err;
}

// The example alert rules in deploy/prometheus/ load, and their unit tests (each condition is
// one alert per destination or rule, however many events are behind it) pass.
TEST(PrometheusAlertRules, LoadAndPassTheirTests) {
  const std::string dir = std::string(SLUSSEN_SOURCE_DIR) + "/deploy/prometheus/";
  const ProcessResult check = RunProcess({"/usr/bin/env", "promtool", "check", "rules", dir + "slussen-alerts.yml"},
                                         std::chrono::seconds(60), Stderr::kMerged);
  EXPECT_TRUE(check.status.Ok()) << "promtool (Debian: apt-get install prometheus): " << check.out;
  const ProcessResult test =
      RunProcess({"/usr/bin/env", "promtool", "test", "rules", dir + "slussen-alerts.test.yml"},
                 std::chrono::seconds(60), Stderr::kMerged);
  EXPECT_TRUE(test.status.Ok()) << test.out;
}

// slussenctl against the running hub: tables for people, exit codes for scripts.
TEST_F(AdminApi, SlussenctlTalksToTheAdminApi) {
  const std::string viewer_file = TokenFile(dir().File("viewer.token"), kViewerToken);
  const std::string operator_file = TokenFile(dir().File("operator.token"), kOperatorToken);
  const std::string wrong_file = TokenFile(dir().File("wrong.token"), "not-the-token-at-all-0123");
  const SlussenctlRunner slussenctl(hub().Endpoint("admin"));
  auto ctl = [&](const std::string& token_file, const std::vector<std::string>& args) {
    return slussenctl.Run(token_file, args);
  };
  auto code = SlussenctlRunner::Code;

  const ProcessResult queues = ctl(viewer_file, {"queues"});
  EXPECT_EQ(code(queues), 0) << queues.err;
  EXPECT_THAT(queues.out, HasSubstr(KommunDestination(kTestKommun)));
  EXPECT_THAT(queues.out, HasSubstr("depth"));
  const ProcessResult as_json = ctl(viewer_file, {"queues", "--json"});
  EXPECT_EQ(code(as_json), 0) << as_json.err;
  EXPECT_TRUE(json::parse(as_json.out).contains("destinations"));

  EXPECT_EQ(code(ctl(wrong_file, {"queues"})), 4);
  const ProcessResult viewer_pause =
      ctl(viewer_file, {"pause", KommunDestination(kTestKommun), "--reason", "test"});
  EXPECT_EQ(code(viewer_pause), 5);
  EXPECT_THAT(viewer_pause.err, HasSubstr("operator"));
  EXPECT_EQ(code(ctl(operator_file, {"pause", KommunDestination(kTestKommun)})), 2)
      << "--reason is required";
  EXPECT_EQ(code(ctl(operator_file, {"pause", KommunDestination(kTestKommun), "--reason",
                                     "Lifecare upgrade"})), 0);
  EXPECT_EQ(code(ctl(operator_file, {"retry", "424242", "--reason", "test"})), 1);
  const ProcessResult dead = ctl(operator_file, {"deadletters"});
  EXPECT_EQ(code(dead), 0) << dead.err;
  EXPECT_THAT(dead.out, HasSubstr("no dead letters"));

  ASSERT_TRUE(hub().Stop().Ok());
  EXPECT_EQ(code(ctl(viewer_file, {"queues"})), 3);
}

// status, cases --late and case --pdf: what an operator on call runs first.
TEST_F(AdminApi, SlussenctlShowsStatusLateCasesAndACasesReport) {
  const v1::Envelope late = LateInskrivning();
  auto client = NewClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->Send("events", ToMessage(late)).kind, client::SendOutcome::Kind::kAccepted);
  const std::string case_id = CaseIdString(late);

  const std::string viewer_file = TokenFile(dir().File("viewer.token"), kViewerToken);
  const std::string operator_file = TokenFile(dir().File("operator.token"), kOperatorToken);
  const SlussenctlRunner slussenctl(hub().Endpoint("admin"));
  auto ctl = [&](const std::string& token_file, const std::vector<std::string>& args) {
    return slussenctl.Run(token_file, args);
  };
  auto code = SlussenctlRunner::Code;

  ProcessResult status;
  ASSERT_TRUE(PollUntil([&] {
    status = ctl(viewer_file, {"status"});
    return code(status) == 0 && status.out.find("queued: 2") != std::string::npos &&
           status.out.find("0 with a deadline missed and still open, 1 done late") !=
               std::string::npos;
  })) << status.out << status.err << ctl(viewer_file, {"cases", "--json"}).out << HubLog();
  EXPECT_THAT(status.out, HasSubstr(": ready\n"));
  EXPECT_THAT(status.out, HasSubstr("dead letters: 0\n"));

  const ProcessResult cases = ctl(viewer_file, {"cases", "--late"});
  EXPECT_EQ(code(cases), 0) << cases.err;
  EXPECT_THAT(cases.out, HasSubstr(case_id));
  EXPECT_THAT(cases.out, HasSubstr("inskrivningsmeddelande"));
  const ProcessResult cases_json = ctl(viewer_file, {"cases", "--late", "--json"});
  ASSERT_EQ(code(cases_json), 0) << cases_json.err;
  EXPECT_EQ(json::parse(cases_json.out).at("cases").size(), 1u);

  const ProcessResult as_viewer = ctl(viewer_file, {"case", case_id});
  EXPECT_EQ(code(as_viewer), 5) << "a viewer may not read a case";
  const ProcessResult one = ctl(operator_file, {"case", case_id});
  EXPECT_EQ(code(one), 0) << one.err;
  EXPECT_THAT(one.out, HasSubstr("Inskrivningsmeddelande"));
  EXPECT_THAT(one.out, HasSubstr("inskrivningsmeddelande     missed"));
  const std::string pdf = dir().File("case.pdf");
  const ProcessResult as_pdf = ctl(operator_file, {"case", case_id, "--pdf", pdf});
  ASSERT_EQ(code(as_pdf), 0) << as_pdf.err;
  EXPECT_EQ(ReadFile(pdf).substr(0, 5), "%PDF-");
  EXPECT_EQ(code(ctl(operator_file, {"case", "SE2321000115-SH01/no-such-episode"})), 1);

  auto c = Client();
  auto reads = c.Get("/api/v1/access-log?case_id=" + case_id, Bearer(kAuditorToken));
  ASSERT_TRUE(reads);
  EXPECT_EQ(json::parse(reads->body).at("reads").size(), 2u) << reads->body;
}

}  // namespace
}  // namespace slussen::testing
