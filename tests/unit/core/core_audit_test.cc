// The core's audit rows (hub/DESIGN.md "Audit log and retention"): each delivery's first
// acceptance, each letter, each read and each extract, sealed on the chain in the same
// transaction as the act; a failed transaction leaves no row and no gap.
#include <future>

#include "audit/audit_verify.h"
#include "audit/patient_key.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/store_factory.h"
#include "unit/core/core_test_support.h"

namespace slussen::testing {
namespace {

constexpr char kSecret[] = "the audit key of this test, at least thirty-two bytes";

class CoreAuditTest : public CoreTest {
 protected:
  CoreAuditTest() { config_.audit.patient_key_secret = kSecret; }

  Status Run(OperatorCommand cmd) {
    cmd.operator_id = "astrid";
    auto answer = std::make_shared<std::promise<Status>>();
    auto future = answer->get_future();
    cmd.done = [answer](const Status& s) { answer->set_value(s); };
    PostAndDrain(std::move(cmd));
    return future.get();
  }
  int64_t SeqFor(int n, const std::string& destination) {
    return std::stoll(Scalar("SELECT seq FROM outbox JOIN events ON id = event_row "
                             "WHERE event_id = '" + EventId(n) +
                             "' AND destination = '" + destination + "'"));
  }
  std::vector<std::vector<std::string>> AuditRows() {
    return Query(path_,
                 "SELECT seq, actor_kind, actor, organisation, action, case_id, "
                 "lower(hex(patient_key)), "
                 "what, ref FROM audit_log ORDER BY seq");
  }
  AuditVerdict Verify() {
    auto reader = OpenStoreReader({"sqlite", path_});
    EXPECT_TRUE(reader) << reader.error();
    auto anchor = (*reader)->AuditAnchor();
    slussen::StoreReader& r = **reader;
    auto v = VerifyAuditChain(
        *anchor, {[&r](int64_t after, int limit) { return r.AuditRowsAfter(after, limit); },
                  [&r](const std::string& h) { return r.AuditRowAfterHash(h); }});
    EXPECT_TRUE(v) << v.error();
    return *v;
  }
  std::string KeyOf(int n) {
    return PatientKey(kSecret, Inskrivning(EventId(n)).patient().identity().id());
  }
};

TEST_F(CoreAuditTest, ADeliveryIsRecordedOnceWithTheReceiverAndThePatient) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  EXPECT_TRUE(AuditRows().empty()) << "storing an event discloses nothing";
  PostAndDrain(Demand(kKommunDestination, 1));
  const int64_t seq = SeqFor(1, kKommunDestination);
  PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));
  PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));  // accepted twice
  core_.Drain();
  const std::string case_id = CaseIdString(Inskrivning(EventId(1)));
  EXPECT_THAT(AuditRows(),
              ElementsAre(ElementsAre("1", "receiver", kKommunDestination, "Halmstad (kommun 1380)",
                                      "delivered", case_id, KeyOf(1), "Inskrivningsmeddelande",
                                      EventId(1))));
  EXPECT_TRUE(Verify().ok);
}

// The patient key is stored with the event (schema v11) and the disclosure row made from it; an
// event stored before v11 has none, and its disclosure reads the body for it as before.
TEST_F(CoreAuditTest, TheDisclosureOfAnEventStoredWithoutItsPatientKeyNamesThePatientToo) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  EXPECT_EQ(Scalar("SELECT lower(hex(patient_key)) FROM events WHERE event_id = '" + EventId(1) +
                   "'"),
            KeyOf(1));
  Exec(path_, "UPDATE events SET patient_key = NULL WHERE event_id = '" + EventId(2) + "'");
  PostAndDrain(Demand(kKommunDestination, 2));
  PostAndDrain(Outcome(kOutLink, SeqFor(1, kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  PostAndDrain(Outcome(kOutLink, SeqFor(2, kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  core_.Drain();
  const auto rows = AuditRows();
  ASSERT_EQ(rows.size(), 2u);
  std::map<std::string, std::string> key_by_event;
  for (const auto& row : rows) key_by_event[row[8]] = row[6];
  EXPECT_EQ(key_by_event[EventId(1)], KeyOf(1));
  EXPECT_EQ(key_by_event[EventId(2)], KeyOf(2));
  EXPECT_TRUE(Verify().ok);
}

TEST_F(CoreAuditTest, ADeliveryToTheLetterServiceIsALetter) {
  config_.audit.letter_destination = kVcDestination;
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Demand(kVcDestination, 1));
  PostAndDrain(Outcome(kOutLink, SeqFor(1, kVcDestination), DeliveryOutcome::Kind::kAccepted));
  core_.Drain();
  ASSERT_EQ(AuditRows().size(), 1u);
  EXPECT_EQ(AuditRows()[0][4], "letter");
  EXPECT_EQ(AuditRows()[0][3], "Vårdcentralen Test (HSA-id " + std::string(kTestVardcentral) + ")");
}

TEST_F(CoreAuditTest, AFailedTransactionLeavesNoRowAndTheNextOneNoGap) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  PostAndDrain(Demand(kKommunDestination, 2));
  store_.fail_next_write = true;
  PostAndDrain(Outcome(kOutLink, SeqFor(1, kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  PostAndDrain(Outcome(kOutLink, SeqFor(2, kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  core_.Drain();
  const auto rows = AuditRows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "1");
  EXPECT_EQ(rows[1][0], "2");
  EXPECT_EQ(rows[0][8], EventId(1));
  const AuditVerdict v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.head.seq, 2);
}

TEST_F(CoreAuditTest, ReadsAndExtractsAreRecordedWithTheOperator) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  const std::string case_id = CaseIdString(Inskrivning(EventId(1)));
  OperatorCommand read;
  read.action = OperatorCommand::Action::kRecordRead;
  read.reason = "evidence report";
  read.case_ids = {case_id, "SE2321000115-SH01/unknown"};
  ASSERT_TRUE(Run(read));
  OperatorCommand extract;
  extract.action = OperatorCommand::Action::kRecordExtract;
  extract.reason = "loggutdrag";
  extract.patient_key = KeyOf(1);
  ASSERT_TRUE(Run(extract));
  OperatorCommand nobody = extract;
  nobody.patient_key.clear();
  EXPECT_EQ(Run(nobody).code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(AuditRows(),
              ElementsAre(ElementsAre("1", "operator", "astrid", "test", "read", case_id, KeyOf(1),
                                      "evidence report", ""),
                          ElementsAre("2", "operator", "astrid", "test", "read",
                                      "SE2321000115-SH01/unknown", "", "evidence report", ""),
                          ElementsAre("3", "operator", "astrid", "test", "loggutdrag", "",
                                      KeyOf(1), "loggutdrag", "")));
  EXPECT_EQ(Count("delivery_actions"), 0) << "a read is no action on delivery";
  EXPECT_TRUE(Verify().ok);
}

// Without <audit key-file> the core uses the secret the store keeps: the same one the hub's
// admin API computes its keys with (hub/main.cc), across restarts.
TEST_F(CoreAuditTest, WithoutAConfiguredSecretTheStoresOwnIsUsed) {
  config_.audit.patient_key_secret.clear();
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Demand(kKommunDestination, 1));
  PostAndDrain(Outcome(kOutLink, SeqFor(1, kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  core_.Drain();
  const std::string kept =
      Scalar("SELECT value FROM audit_meta WHERE name = 'patient_key_secret'");
  ASSERT_EQ(kept.size(), 64u);
  ASSERT_EQ(AuditRows().size(), 1u);
  EXPECT_EQ(AuditRows()[0][6],
            PatientKey(kept, Inskrivning(EventId(1)).patient().identity().id()));
}

// A store of schema v8 with reads recorded in patient_data_reads: the migration copies them into
// the audit log unsealed, and the core's first start seals them, each with its case's patient,
// as the chain's first rows.
TEST(CoreAuditMigration, ReadsRecordedBeforeTheAuditLogBecomeItsFirstRows) {
  TempDir dir{"slussen-core-audit-v8"};
  const std::string path = dir.File("hub.db");
  const v1::Envelope env = Inskrivning(EventId(1));
  const std::string case_id = CaseIdString(env);
  {
    StoreReader raw(path, StoreReader::Access::kReadWrite);
    for (int i = 0; i < 8; ++i) raw.Exec(SqliteMigrations().at(static_cast<std::size_t>(i)));
    raw.Exec("PRAGMA user_version = 8");
    std::string hex;
    for (unsigned char c : Bytes(env)) {
      static constexpr char kHex[] = "0123456789abcdef";
      hex += kHex[c >> 4];
      hex += kHex[c & 0xf];
    }
    raw.Exec("INSERT INTO events(event_id, kind, case_id, sender_hsa_id, schema_version, "
             "occurred_at_us, received_at_us, body) VALUES ('" + EventId(1) +
             "', 'Inskrivningsmeddelande', '" + case_id + "', 'x', 1, 1, 1, X'" + hex + "')");
    raw.Exec("INSERT INTO patient_data_reads(at_us, operator, what, case_id) VALUES "
             "(200, 'otto', 'evidence report', '" + case_id + "'), "
             "(100, 'olga', 'events and deliveries', 'SE2321000115-SH01/gone')");
  }
  auto store = MustOpen(path);
  Config config = TestConfig();
  config.audit.patient_key_secret = kSecret;
  RecordingOutput output;
  {
    Core core(config, *store, output, [] { return kNow; });
    core.Start();
    core.Stop();
  }
  // Digests are kept as bytes (schema v16): the key as hex, as the hub prints it.
  const auto rows = Query(path, "SELECT seq, actor, case_id, lower(hex(patient_key)), "
                                "prev_hash <> '', hash <> '' FROM audit_log ORDER BY seq");
  const std::string key = PatientKey(kSecret, env.patient().identity().id());
  EXPECT_THAT(rows, ElementsAre(ElementsAre("1", "olga", "SE2321000115-SH01/gone", "", "1", "1"),
                                ElementsAre("2", "otto", case_id, key, "1", "1")));
  auto reader = OpenStoreReader({"sqlite", path});
  ASSERT_TRUE(reader) << reader.error();
  slussen::StoreReader& r = **reader;
  auto v = VerifyAuditChain(
      {0, std::string(64, '0')},
      {[&r](int64_t after, int limit) { return r.AuditRowsAfter(after, limit); },
       [&r](const std::string& h) { return r.AuditRowAfterHash(h); }});
  ASSERT_TRUE(v) << v.error();
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->head.seq, 2);
}

}  // namespace
}  // namespace slussen::testing
