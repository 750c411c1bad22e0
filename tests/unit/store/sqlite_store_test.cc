// SqliteStore on a real database file in a temporary directory.
#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <chrono>
#include <vector>

#include "store/sqlite/sqlite_migrations.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"

namespace slussen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Direct SQL on the file through a separate connection, to check what the store wrote.
class RawDb : public testing::StoreReader {
 public:
  explicit RawDb(const std::string& path) : StoreReader(path, Access::kReadWrite) {}
  std::vector<std::vector<std::string>> Query(const std::string& sql) const { return QueryRows(sql); }
  std::string Scalar(const std::string& sql) const {
    const auto rows = QueryRows(sql);
    return rows.empty() || rows[0].empty() ? std::string("<no row>") : rows[0][0];
  }
};

EventRecord Event(const std::string& id, std::vector<std::string> destinations,
                  const std::string& body = "") {
  EventRecord e;
  e.event_id = id;
  e.kind = "Inskrivningsmeddelande";
  e.case_id = "SE2321000131-sjh/VT-" + id;
  e.sender_hsa_id = "SE2321000131-sjh";
  e.schema_version = 1;
  e.occurred_at_us = 1'760'000'000'000'000;
  e.received_at_us = 1'760'000'001'000'000;
  e.body = body.empty() ? "body-of-" + id : body;
  e.destinations = std::move(destinations);
  return e;
}

std::vector<int64_t> Seqs(const std::vector<OutboxItem>& items) {
  std::vector<int64_t> out;
  for (const auto& i : items) out.push_back(i.seq);
  return out;
}

std::vector<std::string> EventIds(const std::vector<OutboxItem>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.event_id);
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> OpenStore(bool read_only = false) {
    auto store = SqliteStore::Open(path_, read_only);
    if (!store) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(*store);
  }

  // Inserts events in one committed transaction.
  void InsertCommitted(Store& store, const std::vector<EventRecord>& events) {
    ASSERT_TRUE(store.Begin());
    for (const auto& e : events) {
      auto r = store.InsertEvent(e);
      ASSERT_TRUE(r) << r.error();
      ASSERT_EQ(*r, Store::InsertOutcome::kInserted) << e.event_id;
    }
    ASSERT_TRUE(store.Commit());
  }

  slussen::testing::TempDir dir_{"slussen-store"};
  std::string path_ = dir_.File("hub.db");
};

TEST_F(StoreTest, FreshOpenMigratesToCurrentVersionInWalMode) {
  ASSERT_GE(SqliteStore::SchemaVersion(), 1);
  EXPECT_EQ(SqliteStore::SchemaVersion(), static_cast<int>(SqliteMigrations().size()));
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);

  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("PRAGMA user_version"), std::to_string(SqliteStore::SchemaVersion()));
  EXPECT_EQ(raw.Scalar("PRAGMA journal_mode"), "wal");
  EXPECT_THAT(raw.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
              ElementsAre(ElementsAre("cases"), ElementsAre("dead_letters"),
                          ElementsAre("deadlines"), ElementsAre("events"), ElementsAre("outbox")));
}

TEST_F(StoreTest, ReopenIsIdempotentAndKeepsData) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    InsertCommitted(*store, {Event("e1", {"kommun-1380"})});
  }
  for (int i = 0; i < 2; ++i) {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    auto stats = store->Stats();
    ASSERT_TRUE(stats) << stats.error();
    EXPECT_EQ(stats->events, 1);
    auto pending = store->PendingAfter("kommun-1380", 0, 10);
    ASSERT_TRUE(pending) << pending.error();
    EXPECT_THAT(EventIds(*pending), ElementsAre("e1"));
  }
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("PRAGMA user_version"), std::to_string(SqliteStore::SchemaVersion()));
  EXPECT_EQ(raw.Scalar("PRAGMA journal_mode"), "wal");
}

// The write-ahead log is copied back by the store's own checkpoint thread (not inside a commit),
// while commits go on, and nothing committed is lost by it.
TEST_F(StoreTest, BackgroundCheckpointRunsAndKeepsEveryCommit) {
  constexpr int kCommits = 400;
  const std::string body(3000, 'x');  // with the outbox and index pages: > 2 pages per commit
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < kCommits; ++i) {
      ASSERT_NO_FATAL_FAILURE(
          InsertCommitted(*store, {Event("e" + std::to_string(i), {"kommun-1380"}, body)}));
    }
    // A safety net against a hang, not a timing assertion.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (store->CheckpointRuns() == 0 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GE(store->CheckpointRuns(), 1u) << "no checkpoint after > 1000 pages of log";
    InsertCommitted(*store, {Event("last", {"kommun-1380"}, body)});
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto stats = store->Stats();
  ASSERT_TRUE(stats) << stats.error();
  EXPECT_EQ(stats->events, kCommits + 1);
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
}

TEST_F(StoreTest, RefusesDatabaseNewerThanThisBuild) {
  const int newer = SqliteStore::SchemaVersion() + 1;
  {
    RawDb raw(path_);
    raw.Query("PRAGMA user_version = " + std::to_string(newer));
  }
  auto store = SqliteStore::Open(path_);
  ASSERT_FALSE(store);
  EXPECT_THAT(store.error(), HasSubstr(path_));
  EXPECT_THAT(store.error(), HasSubstr("schema version " + std::to_string(newer)));
  EXPECT_THAT(store.error(), HasSubstr("newer than this build knows"));
  EXPECT_THAT(store.error(), HasSubstr("refusing to open"));

  auto read_only = SqliteStore::Open(path_, /*read_only=*/true);
  ASSERT_FALSE(read_only);
  EXPECT_THAT(read_only.error(), HasSubstr("schema version " + std::to_string(newer)));

  // Nothing was migrated or created on the way.
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("PRAGMA user_version"), std::to_string(newer));
  EXPECT_THAT(raw.Query("SELECT name FROM sqlite_master"), IsEmpty());
}

// A store written by an older build keeps its cases and deadlines through the migrations.
TEST_F(StoreTest, MigrationFromSchemaVersion2KeepsCasesDeadlinesAndDeliveries) {
  {
    RawDb raw(path_);
    raw.Exec(SqliteMigrations().at(0));
    raw.Exec(SqliteMigrations().at(1));
    raw.Exec("PRAGMA user_version = 2");
    raw.Exec("INSERT INTO cases VALUES ('SE2321000131-sjh/VT-1', '1380', 'planning', 5, 1, 0, 2, "
             "1500, 'a note')");
    raw.Exec("INSERT INTO deadlines VALUES ('SE2321000131-sjh/VT-1', 'inskrivning', '2 kap. 3 §', "
             "100, 'met', 90)");
    raw.Exec("INSERT INTO deadlines VALUES ('SE2321000131-sjh/VT-1', 'sip-kallelse', '4 kap. 3 §', "
             "NULL, 'pending', NULL)");
    // Two events of the case with their outbox rows, as schema v2 stored them, and one event
    // without destinations.
    raw.Exec("INSERT INTO events VALUES ('e1', 'Inskrivningsmeddelande', 'SE2321000131-sjh/VT-1', "
             "'SE2321000131-sjh', 1, 1, 2, x'00')");
    raw.Exec("INSERT INTO outbox VALUES (1, 'kommun-1380', 'e1', 2, 7)");
    raw.Exec("INSERT INTO outbox VALUES (2, 'vc-1', 'e1', 2, NULL)");
    raw.Exec("INSERT INTO events VALUES ('e2', 'Receipt', 'SE2321000131-sjh/VT-1', "
             "'SE2321000131-sjh', 1, 3, 4, x'01')");
    raw.Exec("INSERT INTO events VALUES ('e3', 'Utskrivningsklar', 'SE2321000131-sjh/VT-1', "
             "'SE2321000131-sjh', 1, 5, 6, x'02')");
    raw.Exec("INSERT INTO outbox VALUES (3, 'kommun-1380', 'e3', 6, NULL)");
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("PRAGMA user_version"), std::to_string(SqliteStore::SchemaVersion()));
  EXPECT_THAT(raw.Query("SELECT * FROM cases"),
              ElementsAre(ElementsAre("SE2321000131-sjh/VT-1", "1380", "planning", "5", "1", "0",
                                      "2", "1500", "a note")));
  EXPECT_THAT(raw.Query("SELECT * FROM deadlines ORDER BY deadline_id"),
              ElementsAre(ElementsAre("SE2321000131-sjh/VT-1", "inskrivning", "2 kap. 3 §", "100",
                                      "met", "90"),
                          ElementsAre("SE2321000131-sjh/VT-1", "sip-kallelse", "4 kap. 3 §",
                                      "NULL", "pending", "NULL")));
  EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                       "('cases_by_kommun', 'deadlines_open', 'outbox_by_event')"),
            "0");
  EXPECT_THAT(raw.Query("SELECT event_id, outbox_first_seq, outbox_count FROM events ORDER BY 1"),
              ElementsAre(ElementsAre("e1", "1", "2"), ElementsAre("e2", "NULL", "0"),
                          ElementsAre("e3", "3", "1")));
  auto deliveries = store->CaseDeliveries("SE2321000131-sjh/VT-1");
  ASSERT_TRUE(deliveries) << deliveries.error();
  ASSERT_EQ(deliveries->size(), 3u);
  EXPECT_EQ((*deliveries)[0].event_id, "e1");
  EXPECT_EQ((*deliveries)[0].destination, "kommun-1380");
  EXPECT_EQ((*deliveries)[0].delivered_at_us, 7);
  EXPECT_EQ((*deliveries)[1].destination, "vc-1");
  EXPECT_EQ((*deliveries)[2].event_id, "e3");
  EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
}

// A case's deliveries: every outbox row of its events, in seq order, with the delivery time;
// events of other cases and events without destinations add nothing.
TEST_F(StoreTest, CaseDeliveriesListsEveryOutboxRowOfTheCase) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const std::string kCase = "SE2321000131-sjh/VT-7";
  EventRecord a = Event("a", {"kommun-1380", "vc-1"});
  EventRecord other = Event("other", {"kommun-1380"});
  EventRecord receipt = Event("receipt", {});
  EventRecord b = Event("b", {"kommun-1380"});
  a.case_id = receipt.case_id = b.case_id = kCase;
  InsertCommitted(*store, {a, other});
  InsertCommitted(*store, {receipt, b});
  ASSERT_TRUE(store->Begin());
  ASSERT_TRUE(store->MarkDelivered(2, 42));  // a -> vc-1
  ASSERT_TRUE(store->Commit());

  auto rows = store->CaseDeliveries(kCase);
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].event_id, "a");
  EXPECT_EQ((*rows)[0].destination, "kommun-1380");
  EXPECT_EQ((*rows)[0].delivered_at_us, 0);
  EXPECT_EQ((*rows)[1].event_id, "a");
  EXPECT_EQ((*rows)[1].destination, "vc-1");
  EXPECT_EQ((*rows)[1].delivered_at_us, 42);
  EXPECT_EQ((*rows)[2].event_id, "b");
  EXPECT_EQ((*rows)[2].destination, "kommun-1380");
}

TEST_F(StoreTest, RefusesFileThatIsNotADatabase) {
  slussen::testing::WriteFile(path_, std::string(4096, 'x'));
  auto store = SqliteStore::Open(path_);
  ASSERT_FALSE(store);
  EXPECT_THAT(store.error(), HasSubstr(path_));
}

TEST_F(StoreTest, InsertEventInsertedThenDuplicateThenConflict) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const EventRecord e = Event("e1", {"kommun-1380", "vc-SE2321000131-vc1"});
  EventRecord different = e;
  different.body = "another body";

  ASSERT_TRUE(store->Begin());
  auto first = store->InsertEvent(e);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(*first, Store::InsertOutcome::kInserted);
  // Within the same transaction the row is already visible.
  auto same_tx = store->InsertEvent(e);
  ASSERT_TRUE(same_tx) << same_tx.error();
  EXPECT_EQ(*same_tx, Store::InsertOutcome::kDuplicate);
  ASSERT_TRUE(store->Commit());

  ASSERT_TRUE(store->Begin());
  auto dup = store->InsertEvent(e);
  ASSERT_TRUE(dup) << dup.error();
  EXPECT_EQ(*dup, Store::InsertOutcome::kDuplicate);
  auto conflict = store->InsertEvent(different);
  ASSERT_TRUE(conflict) << conflict.error();
  EXPECT_EQ(*conflict, Store::InsertOutcome::kConflict);
  ASSERT_TRUE(store->Commit());

  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM events"), "1");
  EXPECT_EQ(raw.Scalar("SELECT body FROM events WHERE event_id = 'e1'"), e.body);
  const std::string enqueued_at = std::to_string(e.received_at_us);
  EXPECT_THAT(raw.Query("SELECT destination, event_id, enqueued_at_us, delivered_at_us "
                        "FROM outbox ORDER BY destination"),
              ElementsAre(ElementsAre("kommun-1380", "e1", enqueued_at, "NULL"),
                          ElementsAre("vc-SE2321000131-vc1", "e1", enqueued_at, "NULL")));
}

TEST_F(StoreTest, EventWithoutDestinationsIsJournaledWithoutOutboxRows) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  InsertCommitted(*store, {Event("receipt", {})});
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM events"), "1");
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM outbox"), "0");
}

TEST_F(StoreTest, StoresEveryEventColumn) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EventRecord e = Event("e1", {"kommun-1380"}, std::string("\x0a\x00\xff\x01", 4));
  e.schema_version = 7;
  InsertCommitted(*store, {e});
  RawDb raw(path_);
  EXPECT_THAT(raw.Query("SELECT event_id, kind, case_id, sender_hsa_id, schema_version, "
                        "occurred_at_us, received_at_us, body FROM events"),
              ElementsAre(ElementsAre("e1", e.kind, e.case_id, e.sender_hsa_id, "7",
                                      std::to_string(e.occurred_at_us),
                                      std::to_string(e.received_at_us), e.body)));
}

TEST_F(StoreTest, PendingAfterFiltersOrdersAndLimits) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EventRecord e4 = Event("e4", {"A"}, std::string("bin\0ary", 7));
  e4.kind = "Utskrivningsklar";
  e4.schema_version = 3;
  InsertCommitted(*store, {Event("e1", {"A", "B"}), Event("e2", {"B"}), Event("e3", {"A"}), e4,
                           Event("e5", {"A", "B"})});

  auto all_a = store->PendingAfter("A", 0, 100);
  ASSERT_TRUE(all_a) << all_a.error();
  EXPECT_THAT(EventIds(*all_a), ElementsAre("e1", "e3", "e4", "e5"));
  const std::vector<int64_t> a = Seqs(*all_a);
  for (size_t i = 1; i < a.size(); ++i) EXPECT_LT(a[i - 1], a[i]);
  for (const auto& item : *all_a) EXPECT_EQ(item.destination, "A");

  // The joined event columns come along.
  const OutboxItem& item4 = (*all_a)[2];
  EXPECT_EQ(item4.kind, "Utskrivningsklar");
  EXPECT_EQ(item4.case_id, e4.case_id);
  EXPECT_EQ(item4.schema_version, 3u);
  EXPECT_EQ(item4.body, e4.body);

  auto all_b = store->PendingAfter("B", 0, 100);
  ASSERT_TRUE(all_b) << all_b.error();
  EXPECT_THAT(EventIds(*all_b), ElementsAre("e1", "e2", "e5"));
  for (const auto& item : *all_b) EXPECT_EQ(item.destination, "B");
  // Seq is unique over all destinations.
  for (const auto& b : *all_b) EXPECT_THAT(a, ::testing::Not(::testing::Contains(b.seq)));

  auto limited = store->PendingAfter("A", 0, 2);
  ASSERT_TRUE(limited);
  EXPECT_THAT(Seqs(*limited), ElementsAre(a[0], a[1]));

  auto after_cursor = store->PendingAfter("A", a[1], 100);
  ASSERT_TRUE(after_cursor);
  EXPECT_THAT(Seqs(*after_cursor), ElementsAre(a[2], a[3]));

  auto after_cursor_limited = store->PendingAfter("A", a[1], 1);
  ASSERT_TRUE(after_cursor_limited);
  EXPECT_THAT(Seqs(*after_cursor_limited), ElementsAre(a[2]));

  auto past_end = store->PendingAfter("A", a[3], 100);
  ASSERT_TRUE(past_end);
  EXPECT_THAT(*past_end, IsEmpty());

  auto unknown = store->PendingAfter("nobody", 0, 100);
  ASSERT_TRUE(unknown);
  EXPECT_THAT(*unknown, IsEmpty());

  // Delivered rows are skipped; the other destination's row for the same event is not.
  ASSERT_TRUE(store->Begin());
  ASSERT_TRUE(store->MarkDelivered(a[0], 1));
  ASSERT_TRUE(store->MarkDelivered(a[2], 2));
  ASSERT_TRUE(store->Commit());
  auto undelivered = store->PendingAfter("A", 0, 100);
  ASSERT_TRUE(undelivered);
  EXPECT_THAT(Seqs(*undelivered), ElementsAre(a[1], a[3]));
  auto undelivered_limited = store->PendingAfter("A", 0, 1);
  ASSERT_TRUE(undelivered_limited);
  EXPECT_THAT(Seqs(*undelivered_limited), ElementsAre(a[1]));
  auto b_again = store->PendingAfter("B", 0, 100);
  ASSERT_TRUE(b_again);
  EXPECT_THAT(EventIds(*b_again), ElementsAre("e1", "e2", "e5"));
}

TEST_F(StoreTest, PendingBySeqIsEmptyOnceDelivered) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  InsertCommitted(*store, {Event("e1", {"A", "B"})});
  auto pending = store->PendingAfter("A", 0, 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  const int64_t seq = (*pending)[0].seq;

  auto by_seq = store->PendingBySeq(seq);
  ASSERT_TRUE(by_seq) << by_seq.error();
  ASSERT_EQ(by_seq->size(), 1u);
  EXPECT_EQ((*by_seq)[0].seq, seq);
  EXPECT_EQ((*by_seq)[0].destination, "A");
  EXPECT_EQ((*by_seq)[0].event_id, "e1");
  EXPECT_EQ((*by_seq)[0].body, "body-of-e1");

  ASSERT_TRUE(store->Begin());
  ASSERT_TRUE(store->MarkDelivered(seq, 42));
  ASSERT_TRUE(store->Commit());
  auto after = store->PendingBySeq(seq);
  ASSERT_TRUE(after) << after.error();
  EXPECT_THAT(*after, IsEmpty());

  // Marking again keeps the first delivery time; an unknown seq is not an error.
  ASSERT_TRUE(store->Begin());
  ASSERT_TRUE(store->MarkDelivered(seq, 99));
  ASSERT_TRUE(store->MarkDelivered(seq + 1000, 99));
  ASSERT_TRUE(store->Commit());
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(seq)),
            "42");

  auto unknown = store->PendingBySeq(seq + 1000);
  ASSERT_TRUE(unknown);
  EXPECT_THAT(*unknown, IsEmpty());
}

TEST_F(StoreTest, RollbackDiscardsTheTransaction) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  InsertCommitted(*store, {Event("kept", {"A"})});
  auto kept = store->PendingAfter("A", 0, 10);
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 1u);

  ASSERT_TRUE(store->Begin());
  auto r = store->InsertEvent(Event("gone", {"A", "B"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, Store::InsertOutcome::kInserted);
  DeadLetterRecord dead;
  dead.address = "events";
  dead.reasons = "x";
  ASSERT_TRUE(store->InsertDeadLetter(dead));
  ASSERT_TRUE(store->MarkDelivered((*kept)[0].seq, 5));
  store->Rollback();

  auto stats = store->Stats();
  ASSERT_TRUE(stats) << stats.error();
  EXPECT_EQ(stats->events, 1);
  EXPECT_EQ(stats->dead_letters, 0);
  auto pending = store->PendingAfter("A", 0, 10);
  ASSERT_TRUE(pending);
  EXPECT_THAT(EventIds(*pending), ElementsAre("kept"));
  auto b = store->PendingAfter("B", 0, 10);
  ASSERT_TRUE(b);
  EXPECT_THAT(*b, IsEmpty());

  // The rolled-back id is free again, and the store is usable.
  InsertCommitted(*store, {Event("gone", {"A", "B"})});
  // Rollback outside a transaction is harmless.
  store->Rollback();
  auto stats2 = store->Stats();
  ASSERT_TRUE(stats2);
  EXPECT_EQ(stats2->events, 2);
}

TEST_F(StoreTest, StatsCountsEventsDeadLettersAndPerDestination) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto empty = store->Stats();
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_EQ(empty->events, 0);
  EXPECT_EQ(empty->dead_letters, 0);
  EXPECT_THAT(empty->destinations, IsEmpty());

  InsertCommitted(*store,
                  {Event("e1", {"B", "A"}), Event("e2", {"B"}), Event("e3", {"B", "C"})});
  auto b = store->PendingAfter("B", 0, 10);
  ASSERT_TRUE(b);
  ASSERT_EQ(b->size(), 3u);
  ASSERT_TRUE(store->Begin());
  ASSERT_TRUE(store->MarkDelivered((*b)[0].seq, 1));
  ASSERT_TRUE(store->MarkDelivered((*b)[2].seq, 1));
  DeadLetterRecord dead;
  dead.address = "events";
  dead.reasons = "body: empty";
  ASSERT_TRUE(store->InsertDeadLetter(dead));
  ASSERT_TRUE(store->InsertDeadLetter(dead));
  ASSERT_TRUE(store->Commit());

  auto stats = store->Stats();
  ASSERT_TRUE(stats) << stats.error();
  EXPECT_EQ(stats->events, 3);
  EXPECT_EQ(stats->dead_letters, 2);
  ASSERT_EQ(stats->destinations.size(), 3u);
  EXPECT_EQ(stats->destinations[0].destination, "A");
  EXPECT_EQ(stats->destinations[0].delivered, 0);
  EXPECT_EQ(stats->destinations[0].pending, 1);
  EXPECT_EQ(stats->destinations[1].destination, "B");
  EXPECT_EQ(stats->destinations[1].delivered, 2);
  EXPECT_EQ(stats->destinations[1].pending, 1);
  EXPECT_EQ(stats->destinations[2].destination, "C");
  EXPECT_EQ(stats->destinations[2].delivered, 0);
  EXPECT_EQ(stats->destinations[2].pending, 1);
}

TEST_F(StoreTest, DeadLettersKeepReasonsBodyAndTruncatedFlag) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  DeadLetterRecord cut;
  cut.received_at_us = 123;
  cut.address = "events";
  cut.event_id = "0b6f5c1e-3d2a-4f7e-9a1b-2c3d4e5f6a7b";
  cut.reasons = "event_id: must be a UUID\npatient: missing";
  cut.body = std::string("\x0a\x03\x00\xff", 4);
  cut.body_truncated = true;
  DeadLetterRecord whole;
  whole.received_at_us = 456;
  whole.address = "receipts";
  whole.reasons = "body: empty; expected a serialized slussen.v1.Envelope";
  whole.body_truncated = false;
  ASSERT_TRUE(store->Begin());
  ASSERT_TRUE(store->InsertDeadLetter(cut));
  ASSERT_TRUE(store->InsertDeadLetter(whole));
  ASSERT_TRUE(store->Commit());

  RawDb raw(path_);
  EXPECT_THAT(
      raw.Query("SELECT received_at_us, address, event_id, reasons, body, body_truncated "
                "FROM dead_letters ORDER BY id"),
      ElementsAre(ElementsAre("123", "events", cut.event_id, cut.reasons, cut.body, "1"),
                  ElementsAre("456", "receipts", "NULL", whole.reasons, "", "0")));
}

TEST_F(StoreTest, ReadOnlyOpenWorksWhileWriterHoldsTheStore) {
  auto writer = OpenStore();
  ASSERT_NE(writer, nullptr);
  InsertCommitted(*writer, {Event("e1", {"A"})});

  auto reader = OpenStore(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  auto stats = reader->Stats();
  ASSERT_TRUE(stats) << stats.error();
  EXPECT_EQ(stats->events, 1);
  auto pending = reader->PendingAfter("A", 0, 10);
  ASSERT_TRUE(pending) << pending.error();
  EXPECT_THAT(EventIds(*pending), ElementsAre("e1"));

  // The writer keeps writing; the reader sees each commit, and the writer is not blocked.
  InsertCommitted(*writer, {Event("e2", {"A"})});
  auto pending2 = reader->PendingAfter("A", 0, 10);
  ASSERT_TRUE(pending2) << pending2.error();
  EXPECT_THAT(EventIds(*pending2), ElementsAre("e1", "e2"));
  auto by_seq = reader->PendingBySeq((*pending2)[1].seq);
  ASSERT_TRUE(by_seq) << by_seq.error();
  EXPECT_THAT(EventIds(*by_seq), ElementsAre("e2"));

  // A read-only store cannot write.
  EXPECT_FALSE(reader->InsertEvent(Event("e3", {"A"})));
  reader->Rollback();
  auto final_stats = writer->Stats();
  ASSERT_TRUE(final_stats);
  EXPECT_EQ(final_stats->events, 2);
}

TEST_F(StoreTest, ReadOnlyOpenRefusesMissingOrUnmigratedFile) {
  auto missing = SqliteStore::Open(dir_.File("absent.db"), /*read_only=*/true);
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error(), HasSubstr("absent.db"));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("absent.db")));

  { RawDb raw(path_); raw.Query("CREATE TABLE t(x)"); }  // a database, but version 0
  auto unmigrated = SqliteStore::Open(path_, /*read_only=*/true);
  ASSERT_FALSE(unmigrated);
  EXPECT_THAT(unmigrated.error(), HasSubstr("schema version 0"));
}

}  // namespace
}  // namespace slussen
