// The SQLite store's side of the audit log (hub/DESIGN.md "Audit log and retention"): rows
// appended with the batch, the head and anchor, the kept secret, what a delivery discloses, and
// schema v8's reads becoming the chain's first rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_chain.h"
#include "audit/audit_verify.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_store_reader.h"
#include "testing/store_writes.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"
#include "unit/store/store_test_event.h"

namespace slussen {
namespace {

using ::testing::ElementsAre;

AuditRecord Row(const std::string& action, const std::string& case_id, const std::string& key) {
  AuditRecord r;
  r.at_us = 1000;
  r.actor_kind = "receiver";
  r.actor = "kommun-1380";
  r.action = action;
  r.case_id = case_id;
  r.patient_key = key;
  r.what = "Inskrivningsmeddelande";
  return r;
}

class StoreAuditTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> Open() {
    auto s = SqliteStore::Open(path_);
    EXPECT_TRUE(s) << s.error();
    return s ? std::move(*s) : nullptr;
  }
  std::unique_ptr<SqliteStoreReader> Reader() {
    auto r = SqliteStoreReader::Open(path_);
    EXPECT_TRUE(r) << r.error();
    return r ? std::move(*r) : nullptr;
  }
  AuditVerdict Verify() {
    auto reader = Reader();
    auto anchor = reader->AuditAnchor();
    EXPECT_TRUE(anchor) << anchor.error();
    StoreReader& r = *reader;
    auto v = VerifyAuditChain(
        *anchor, {[&r](int64_t after, int limit) { return r.AuditRowsAfter(after, limit); },
                  [&r](const std::string& h) { return r.AuditRowAfterHash(h); }});
    EXPECT_TRUE(v) << v.error();
    return *v;
  }

  slussen::testing::TempDir dir_{"slussen-audit-store"};
  std::string path_ = dir_.File("hub.db");
};

TEST_F(StoreAuditTest, ANewStoreStartsAtTheGenesisAnchor) {
  auto store = Open();
  auto head = store->LastAuditRow();
  ASSERT_TRUE(head) << head.error();
  EXPECT_EQ(head->seq, 0);
  EXPECT_EQ(head->hash, AuditGenesisHash());
  auto anchor = Reader()->AuditAnchor();
  ASSERT_TRUE(anchor);
  EXPECT_EQ(anchor->hash, AuditGenesisHash());
}

TEST_F(StoreAuditTest, AppendsSealedRowsAndFindsThemByPatient) {
  auto store = Open();
  WriteBatch batch;
  batch.audit = {Row("delivered", "c1", "pa"), Row("letter", "c1", "pa"), Row("read", "c2", "pb")};
  const AuditHead head = SealAuditRows({0, AuditGenesisHash()}, batch.audit);
  ASSERT_TRUE(slussen::testing::WriteFlushed(*store, batch));
  auto last = store->LastAuditRow();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->seq, 3);
  EXPECT_EQ(last->hash, head.hash);
  auto mine = Reader()->AuditRowsOfPatient("pa", 10);
  ASSERT_TRUE(mine) << mine.error();
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[1].action, "letter");
  EXPECT_EQ((*mine)[1].hash, batch.audit[1].hash);
  EXPECT_TRUE(Reader()->AuditRowsOfPatient("", 10)->empty()) << "no key finds nothing";
  EXPECT_TRUE(Verify().ok);
}

TEST_F(StoreAuditTest, ASeqAlreadyTakenFailsTheBatchInsteadOfForking) {
  auto store = Open();
  WriteBatch first;
  first.audit = {Row("delivered", "c1", "pa")};
  SealAuditRows({0, AuditGenesisHash()}, first.audit);
  ASSERT_TRUE(slussen::testing::WriteFlushed(*store, first));
  WriteBatch again;
  again.audit = {Row("read", "c1", "pa")};
  SealAuditRows({0, AuditGenesisHash()}, again.audit);
  again.dead_letters.push_back({1, "events", "", "bad", "", "other", "body", false});
  EXPECT_FALSE(store->Write(again));
  EXPECT_EQ(testing::StoreReader(path_).QueryInt("SELECT count(*) FROM dead_letters"), 0)
      << "nothing of the batch is written";
}

TEST_F(StoreAuditTest, KeepsTheFirstSecretItIsGiven) {
  auto store = Open();
  auto a = store->AuditKey("first-secret");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(*a, "first-secret");
  store.reset();
  store = Open();
  auto b = store->AuditKey("second-secret");
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, "first-secret");
}

TEST_F(StoreAuditTest, DisclosuresNameTheDeliveryAndWhetherItWasRecorded) {
  auto store = Open();
  EventRecord e;
  e.event_id = "e1";
  e.kind = "Inskrivningsmeddelande";
  e.case_id = "SE2321000131-sjh/VT-1";
  e.sender_hsa_id = "SE2321000131-sjh";
  e.body = "the-body";
  e.destinations = {"kommun-1380", "letter"};
  WriteBatch batch;
  batch.events = {e};
  ASSERT_TRUE(slussen::testing::WriteFlushed(*store, batch));
  WriteBatch marks;
  marks.delivered = {{1, 50}};
  ASSERT_TRUE(slussen::testing::WriteFlushed(*store, marks));
  auto d = store->Disclosures({1, 2, 99});
  ASSERT_TRUE(d) << d.error();
  ASSERT_EQ(d->size(), 2u) << "an unknown seq is left out";
  EXPECT_EQ((*d)[0].destination, "kommun-1380");
  EXPECT_TRUE((*d)[0].delivered);
  EXPECT_EQ((*d)[1].destination, "letter");
  EXPECT_FALSE((*d)[1].delivered);
  EXPECT_EQ((*d)[1].kind, "Inskrivningsmeddelande");
  EXPECT_EQ((*d)[1].case_id, "SE2321000131-sjh/VT-1");
  EXPECT_EQ((*d)[1].body, "the-body");
}

TEST_F(StoreAuditTest, SchemaV8ReadsBecomeUnsealedRowsInTimeOrder) {
  {
    testing::StoreReader raw(path_, testing::StoreReader::Access::kReadWrite);
    for (int i = 0; i < 8; ++i) raw.Exec(SqliteMigrations().at(static_cast<std::size_t>(i)));
    raw.Exec("PRAGMA user_version = 8");
    raw.Exec("INSERT INTO patient_data_reads(at_us, operator, what, case_id) VALUES "
             "(300, 'otto', 'evidence report', 'c1'), (100, 'olga', 'events and deliveries', 'c2')");
  }
  auto store = Open();
  auto head = store->LastAuditRow();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->seq, 0) << "unsealed rows are not the head";
  auto unsealed = store->UnsealedAuditRows();
  ASSERT_TRUE(unsealed) << unsealed.error();
  ASSERT_EQ(unsealed->size(), 2u);
  EXPECT_EQ((*unsealed)[0].actor, "olga");
  EXPECT_EQ((*unsealed)[0].seq, 1);
  EXPECT_EQ((*unsealed)[1].what, "evidence report");

  WriteBatch seal;
  seal.audit_sealed = *unsealed;
  seal.audit_sealed[0].patient_key = "pa";
  SealAuditRows(*head, seal.audit_sealed);
  ASSERT_TRUE(slussen::testing::WriteFlushed(*store, seal));
  EXPECT_TRUE(store->UnsealedAuditRows()->empty());
  EXPECT_TRUE(Verify().ok);
  auto reads = Reader()->PatientDataReads("c1", 10);
  ASSERT_TRUE(reads);
  ASSERT_EQ(reads->size(), 1u);
  EXPECT_EQ((*reads)[0].operator_id, "otto");
  EXPECT_THAT(testing::StoreReader(path_).QueryStrings(
                  "SELECT name FROM sqlite_master WHERE name = 'patient_data_reads'"),
              ElementsAre());
}

// A patient key as the hub makes them: 64 lowercase hex digits (audit/patient_key.h).
const std::string kHexKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST_F(StoreAuditTest, DigestsAreKeptAsTheirBytesAndReadBackAsHex) {
  auto store = Open();
  WriteBatch batch;
  EventRecord e = slussen::testing::StoreTestEvent("e1", {});
  e.patient_key = kHexKey;
  batch.events = {e};
  batch.audit = {Row("delivered", "c1", kHexKey), Row("read", "c2", "")};
  const AuditHead head = SealAuditRows({0, AuditGenesisHash()}, batch.audit);
  ASSERT_TRUE(slussen::testing::WriteFlushed(*store, batch));
  testing::StoreReader raw(path_);
  EXPECT_THAT(raw.QueryStrings("SELECT typeof(patient_key) || length(patient_key) || ' ' || "
                               "typeof(prev_hash) || length(prev_hash) || ' ' || typeof(hash) || "
                               "length(hash) FROM audit_log ORDER BY seq"),
              ElementsAre("blob32 blob32 blob32", "text0 blob32 blob32"))
      << "an empty key stays '', out of the patient index";
  EXPECT_THAT(raw.QueryStrings("SELECT typeof(patient_key) || length(patient_key) FROM events"),
              ElementsAre("blob32"));
  EXPECT_EQ(store->LastAuditRow()->hash, head.hash);
  auto mine = Reader()->AuditRowsOfPatient(kHexKey, 10);
  ASSERT_TRUE(mine) << mine.error();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].patient_key, kHexKey);
  EXPECT_EQ((*mine)[0].prev_hash, AuditGenesisHash());
  EXPECT_EQ((*mine)[0].hash, batch.audit[0].hash);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_log INDEXED BY audit_by_patient "
                         "WHERE patient_key <> ''"),
            1);
  EXPECT_TRUE(Verify().ok);
}

// Schema v16: a store of the build before keeps its chain, its patient index and its outbox, and
// its events' patient keys still reach the audit rows of their deliveries as hex.
TEST_F(StoreAuditTest, SchemaV15HexDigestsBecomeBytesAndTheOutboxLosesItsEventId) {
  std::vector<AuditRecord> rows = {Row("delivered", "c1", kHexKey), Row("read", "c2", "")};
  const AuditHead head = SealAuditRows({0, AuditGenesisHash()}, rows);
  {
    testing::StoreReader raw(path_, testing::StoreReader::Access::kReadWrite);
    for (int i = 0; i < 15; ++i) raw.Exec(SqliteMigrations().at(static_cast<std::size_t>(i)));
    raw.Exec("PRAGMA user_version = 15");
    for (const AuditRecord& r : rows) {
      raw.Exec("INSERT INTO audit_log VALUES (" + std::to_string(r.seq) + ", 1000, 'receiver', '" +
               r.actor + "', '', '" + r.action + "', '" + r.case_id + "', '" + r.patient_key +
               "', '" + r.what + "', '', '" + r.prev_hash + "', '" + r.hash + "')");
    }
    raw.Exec("INSERT INTO events(id, event_id, kind, case_id, sender_hsa_id, schema_version, "
             "occurred_at_us, received_at_us, body, outbox_first_seq, outbox_count, patient_key) "
             "VALUES (1, 'e1', 'Inskrivningsmeddelande', 'c1', 'h', 1, 1, 1, 'b', 1, 1, '" +
             kHexKey + "')");
    raw.Exec("INSERT INTO outbox(seq, destination, event_id, enqueued_at_us, event_row) "
             "VALUES (1, 'kommun-1380', 'e1', 1, 1)");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  testing::StoreReader raw(path_);
  EXPECT_THAT(raw.QueryStrings("SELECT typeof(patient_key) || ' ' || typeof(hash) "
                               "FROM audit_log ORDER BY seq"),
              ElementsAre("blob blob", "text blob"));
  EXPECT_THAT(raw.QueryStrings("SELECT typeof(patient_key) FROM events"), ElementsAre("text"))
      << "older events keep their keys as text: the upgrade does not rewrite the events";
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM pragma_table_info('outbox') "
                         "WHERE name = 'event_id'"),
            0);
  EXPECT_EQ(store->LastAuditRow()->hash, head.hash);
  auto mine = Reader()->AuditRowsOfPatient(kHexKey, 10);
  ASSERT_TRUE(mine) << mine.error();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].hash, rows[0].hash);
  EXPECT_TRUE(Verify().ok);
  auto pending = store->PendingAfter("kommun-1380", 0, 10);
  ASSERT_TRUE(pending) << pending.error();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].event_id, "e1");
  EXPECT_EQ((*pending)[0].patient_key, kHexKey);
}

}  // namespace
}  // namespace slussen
