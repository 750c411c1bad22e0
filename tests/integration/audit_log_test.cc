// The audit log against the real hub (issue 13 items 4 and 5; hub/DESIGN.md "Audit log and
// retention"): a scenario's deliveries and reads are on the chain, `slussenctl audit verify`
// finds it intact and names the row after each kind of tampering with the file (sqlite3: an
// UPDATE, a DELETE, two rows swapped, the tail cut); the patient's access-log extract lists that
// patient's deliveries and reads and nothing of another patient, for auditors only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "hub_client.h"
#include "testing/admin_token.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/hub_process.h"
#include "testing/message_collector.h"
#include "testing/pdf_tools.h"
#include "testing/test_envelopes.h"
#include "util/slussenctl_runner.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kViewerToken[] = "viewer-token-0123456789abcdef";
constexpr char kOperatorToken[] = "operator-token-0123456789abcdef";
constexpr char kAuditorToken[] = "auditor-token-0123456789abcdef";

v1::Envelope OfPatient(const std::string& personnummer, const std::string& episode) {
  EnvelopeSpec spec;
  spec.personnummer = personnummer;
  spec.episode = episode;
  return ValidEnvelope(EventKind::kInskrivningsmeddelande, spec);
}

std::string Show(const ProcessResult& r) {
  return "\nstatus: " + r.status.ToString() + "\n--- stdout ---\n" + r.out + "\n--- stderr ---\n" +
         r.err;
}

class AuditLog : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    static const std::string viewer_hash = AdminTokenHash(kViewerToken);
    static const std::string operator_hash = AdminTokenHash(kOperatorToken);
    static const std::string auditor_hash = AdminTokenHash(kAuditorToken);
    TestConfigOptions o;
    o.admin_element = "<admin host=\"127.0.0.1\" port=\"0\"><operator name=\"vera\" role=\"viewer\" "
                      "token-hash=\"" + viewer_hash + "\"/><operator name=\"otto\" "
                      "role=\"operator\" token-hash=\"" + operator_hash + "\"/><operator "
                      "name=\"astrid\" role=\"auditor\" token-hash=\"" + auditor_hash + "\"/></admin>";
    return o;
  }
  httplib::Client Client() { return AdminClient(hub().Endpoint("admin")); }
  std::string Db() { return dir().File("hub.db"); }
  ProcessResult Ctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {SLUSSENCTL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }
  ProcessResult Verify(const std::string& db, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"audit", "verify", "--store", db};
    args.insert(args.end(), extra.begin(), extra.end());
    return Ctl(args);
  }
  static int Code(const ProcessResult& r) { return SlussenctlRunner::Code(r); }

  // Patient A's two cases and patient B's one, each delivered to the kommun and the vårdcentral
  // (6 deliveries), and an operator's read of A's first case: 7 audit rows.
  void Scenario() {
    auto sender = NewClient();
    ASSERT_TRUE(sender);
    for (const auto& env : {a1_, a2_, b_}) {
      ASSERT_EQ(sender->Send("events", client::ToMessage(env)).kind,
                client::SendOutcome::Kind::kAccepted)
          << HubLog();
    }
    MessageCollector kommun, vc;
    receiver_ = NewClient();
    ASSERT_TRUE(receiver_);
    std::string error;
    ASSERT_GE(receiver_->Receive(OutAddress(KommunDestination(kTestKommun)), kommun.Handler(), 10,
                                 &error), 0) << error;
    ASSERT_GE(receiver_->Receive(OutAddress(VardcentralDestination(kTestVardcentral)),
                                 vc.Handler(), 10, &error), 0) << error;
    ASSERT_TRUE(kommun.WaitForCount(3) && vc.WaitForCount(3)) << HubLog();
    ASSERT_TRUE(PollUntil([&] {
      return store().QueryInt("SELECT count(*) FROM audit_log WHERE action = 'delivered'") == 6;
    })) << HubLog();
    auto read = Client().Get("/api/v1/cases/" + CaseIdString(a1_), Bearer(kOperatorToken));
    ASSERT_TRUE(read);
    ASSERT_EQ(read->status, 200) << read->body;
  }

  const std::string pnr_a_ = kValidPersonnummer;
  const std::string pnr_b_ = TestPersonnummer().at(1);
  const v1::Envelope a1_ = OfPatient(pnr_a_, "VT-2025:100001");
  const v1::Envelope a2_ = OfPatient(pnr_a_, "VT-2025:100002");
  const v1::Envelope b_ = OfPatient(pnr_b_, "VT-2025:200001");
  std::unique_ptr<client::HubClient> receiver_;
};

// A copy of the stopped hub's store (its log checkpointed into it by the close), changed with
// the sqlite3 shell as anyone with write access to the file could.
std::string Tampered(const std::string& db, const std::string& copy, const std::string& sql) {
  std::filesystem::copy_file(db, copy, std::filesystem::copy_options::overwrite_existing);
  // The sqlite3 shell (scripts/install-deps.sh installs it), run as a person would.
  const ProcessResult r = RunProcess({"/bin/sh", "-c", "sqlite3 \"$0\" \"$1\"", copy, sql});
  EXPECT_TRUE(r.status.Ok()) << r.err;
  return copy;
}

TEST_F(AuditLog, TheChainVerifiesAndEachTamperingIsNamed) {
  Scenario();
  const ProcessResult ok = Verify(Db());
  ASSERT_EQ(Code(ok), 0) << Show(ok);
  EXPECT_THAT(ok.out, HasSubstr("audit log intact: 7 rows")) << Show(ok);
  EXPECT_THAT(HubLog(), HasSubstr("audit log head: seq 0 hash 0000")) << "logged at start";
  // The head as the hub shows it outside the store: to auditors with its hash, in /metrics.
  auto c = Client();
  json head_answer;
  ASSERT_TRUE(PollUntil([&] {
    auto r = c.Get("/api/v1/audit/head", Bearer(kAuditorToken));
    if (!r || r->status != 200) return false;
    head_answer = json::parse(r->body);
    return head_answer["seq"] == 7;
  })) << head_answer.dump();
  const std::string recorded = head_answer.at("head").get<std::string>();
  EXPECT_THAT(ok.out, HasSubstr("head " + recorded)) << "the hub's head is the file's";
  auto as_operator = c.Get("/api/v1/audit/head", Bearer(kOperatorToken));
  ASSERT_TRUE(as_operator);
  EXPECT_EQ(as_operator->status, 403);
  auto metrics = c.Get("/metrics", Bearer(kViewerToken));
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("slussen_audit_head_seq 7\n"));
  receiver_.reset();
  ASSERT_TRUE(hub().Stop().Ok());

  const ProcessResult changed = Verify(Tampered(Db(), dir().File("changed.db"),
      "UPDATE audit_log SET organisation = 'Någon annan' WHERE seq = 2"));
  EXPECT_EQ(Code(changed), 1) << Show(changed);
  EXPECT_THAT(changed.out, HasSubstr("BROKEN at row 2: row 2 was changed")) << Show(changed);

  const ProcessResult removed = Verify(Tampered(Db(), dir().File("removed.db"),
      "DELETE FROM audit_log WHERE seq = 4"));
  EXPECT_EQ(Code(removed), 1) << Show(removed);
  EXPECT_THAT(removed.out, HasSubstr("BROKEN at row 4: row 4 was removed")) << Show(removed);

  const ProcessResult swapped = Verify(Tampered(Db(), dir().File("swapped.db"),
      "UPDATE audit_log SET seq = -1 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 6; "
      "UPDATE audit_log SET seq = 6 WHERE seq = -1;"));
  EXPECT_EQ(Code(swapped), 1) << Show(swapped);
  EXPECT_THAT(swapped.out, HasSubstr("BROKEN at row 5: row 5 is out of order")) << Show(swapped);

  // A cut tail leaves a chain that holds; the head logged or scraped before shows the cut.
  const std::string cut = Tampered(Db(), dir().File("cut.db"), "DELETE FROM audit_log WHERE seq = 7");
  EXPECT_EQ(Code(Verify(cut)), 0);
  const ProcessResult against_head = Verify(cut, {"--head", recorded});
  EXPECT_EQ(Code(against_head), 1) << Show(against_head);
  EXPECT_THAT(against_head.out, HasSubstr("BROKEN at row 7: the log ends at 6 but its head was 7: row 7 was cut off")) << Show(against_head);
  EXPECT_EQ(Code(Verify(Db(), {"--head", recorded})), 0) << "the untouched store reaches it";

  EXPECT_EQ(Code(Verify(dir().File("no-such.db"))), 3);
  EXPECT_EQ(Code(Verify(Db(), {"--head", "7:nothex"})), 2);
}

TEST_F(AuditLog, TheLoggutdragListsThePatientsDisclosuresAndNothingElse) {
  Scenario();
  auto c = Client();
  const std::string body = json{{"personnummer", pnr_a_.substr(0, 8) + "-" + pnr_a_.substr(8)}}.dump();
  for (const char* token : {kViewerToken, kOperatorToken}) {
    auto refused = c.Post("/api/v1/loggutdrag", Bearer(token), body, "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403) << token;
  }
  auto bad = c.Post("/api/v1/loggutdrag", Bearer(kAuditorToken),
                    json{{"personnummer", "191212121213"}}.dump(), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, Not(HasSubstr("191212121213"))) << "the answer does not echo it";

  auto got = c.Post("/api/v1/loggutdrag", Bearer(kAuditorToken), body, "application/json");
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body;
  const json extract = json::parse(got->body);
  const std::set<std::string> a_cases = {CaseIdString(a1_), CaseIdString(a2_)};
  std::multiset<std::string> actions;
  std::set<std::string> organisations;
  for (const auto& e : extract.at("entries")) {
    actions.insert(e.at("action").get<std::string>());
    if (e["action"] == "delivered") {
      EXPECT_TRUE(a_cases.count(e.at("case_id").get<std::string>())) << e.dump();
      organisations.insert(e.at("organisation").get<std::string>());
      EXPECT_TRUE(e.at("event_id") == a1_.event_id() || e.at("event_id") == a2_.event_id());
      EXPECT_EQ(e.at("what"), "Inskrivningsmeddelande");
    }
  }
  EXPECT_EQ(actions, (std::multiset<std::string>{"delivered", "delivered", "delivered",
                                                 "delivered", "read", "loggutdrag"}))
      << extract.dump(2);
  EXPECT_EQ(organisations.size(), 2u) << "the kommun and the vårdcentral, by name";
  EXPECT_THAT(got->body, Not(HasSubstr(CaseIdString(b_))));
  EXPECT_THAT(got->body, Not(HasSubstr(pnr_a_)));

  // From the CLI, as the PDF for the patient; taking it is recorded like the API's.
  const std::string token_file = TokenFile(dir().File("auditor.token"), kAuditorToken);
  SlussenctlRunner ctl(hub().Endpoint("admin"));
  const std::string pdf = dir().File("loggutdrag.pdf");
  const ProcessResult as_pdf = ctl.Run(token_file, {"loggutdrag", "--personnummer", pnr_a_, "--pdf", pdf});
  ASSERT_EQ(Code(as_pdf), 0) << Show(as_pdf);
  EXPECT_EQ(ReadFile(pdf).substr(0, 5), "%PDF-");
  const std::string text = PdfText(pdf);
  EXPECT_THAT(text, HasSubstr("Loggutdrag"));
  EXPECT_THAT(text, HasSubstr(pnr_a_.substr(0, 8) + "-" + pnr_a_.substr(8)));
  EXPECT_THAT(text, HasSubstr("Överlämnad till mottagarens system"));
  EXPECT_THAT(text, Not(HasSubstr(CaseIdString(b_))));
  const ProcessResult as_table = ctl.Run(token_file, {"loggutdrag", "--personnummer", pnr_b_});
  ASSERT_EQ(Code(as_table), 0) << Show(as_table);
  EXPECT_THAT(as_table.out, HasSubstr("loggutdrag")) << Show(as_table);
  EXPECT_THAT(as_table.out, Not(HasSubstr(CaseIdString(a1_)))) << Show(as_table);
  const std::string viewer_file = TokenFile(dir().File("viewer.token"), kViewerToken);
  EXPECT_EQ(Code(ctl.Run(viewer_file, {"loggutdrag", "--personnummer", pnr_a_})), 5);

  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM audit_log WHERE action = 'loggutdrag'"), 3);
  EXPECT_EQ(Code(Verify(Db())), 0);
  EXPECT_THAT(HubLog(), Not(HasSubstr(pnr_a_)));
}

}  // namespace
}  // namespace slussen::testing
