#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/wal_checkpointer.h"

namespace slussen {
namespace {

// A prepared statement, reset after each use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s_); }
  int Prepare(sqlite3* db, const char* sql) { return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr); }
  sqlite3_stmt* get() { return s_; }
  void Text(int i, const std::string& v) { sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC); }
  void Blob(int i, const std::string& v) { sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC); }
  void Int(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Null(int i) { sqlite3_bind_null(s_, i); }
  int Step() { return sqlite3_step(s_); }
  void Reset() { sqlite3_reset(s_); sqlite3_clear_bindings(s_); }
  std::string ColText(int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, i))) : std::string();
  }
  std::string ColBlob(int i) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, i))) : std::string();
  }
  int64_t ColInt(int i) { return sqlite3_column_int64(s_, i); }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// Resets a statement when the scope ends, whatever path leaves it.
struct ResetGuard {
  Stmt& s;
  ~ResetGuard() { s.Reset(); }
};

// The checkpointer thread is asked to copy the log back once it holds this many pages. A quarter
// of SQLite's default (1000): each checkpoint's burst of random writes into the database file
// keeps the disk busy for less time, and the core's own WAL fsyncs wait behind less of it
// (slussen-bench compare --only slussen: p99 at 1,000/s 7.4 ms vs 11.9-30 ms, all-out steadier
// as the store grows). If it falls this far behind, the writer checkpoints inline, which bounds
// the log file; journal_size_limit then truncates it back.
constexpr int kCheckpointFrames = 256;
constexpr int kInlineCheckpointFrames = 16000;
constexpr const char* kJournalSizeLimit = "PRAGMA journal_size_limit=67108864";
// The b-tree pages an event touches are spread over the whole file (random event ids, case ids);
// with SQLite's default 2 MB cache most of them came from the kernel again (pread was 11 % of
// the hub's CPU at full load). 32 MB holds the hot interior and index pages of a large store.
constexpr const char* kCacheSize = "PRAGMA cache_size=-32768";

// Busy handler of the store's connection. The lock is held by the checkpoint thread for a short
// copy (or by an inspection tool); SQLite's own busy_timeout sleeps 1, 2, 5, 10... ms between
// tries, longer than the hold itself, and every inbound event waits for that sleep.
int WaitBriefly(void*, int tries) {
  constexpr int kMaxTries = 50'000;  // 50 us each: gives up with SQLITE_BUSY after ~5 s
  if (tries >= kMaxTries) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(50));
  return 1;
}

constexpr const char* kOutboxSelect =
    "SELECT o.seq, o.destination, o.event_id, e.kind, e.case_id, e.schema_version, e.body "
    "FROM outbox o JOIN events e ON e.event_id = o.event_id ";

}  // namespace

class SqliteStore::Statements {
 public:
  Stmt begin, commit, rollback, insert_event, event_outbox, event_body, insert_outbox, insert_dead,
      mark_delivered,
      pending_after, pending_by_seq, case_events, case_deliveries, upsert_case, delete_deadlines,
      insert_deadline;
};

int SqliteStore::SchemaVersion() { return static_cast<int>(SqliteMigrations().size()); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  const int flags = read_only ? SQLITE_OPEN_READONLY
                              : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "store " + path + ": cannot open: " +
                      (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Error{msg};
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  sqlite3_busy_handler(db, &WaitBriefly, nullptr);
  if (!read_only) {
    // WAL + FULL: a commit is on disk (fsync'd WAL) before Commit() returns.
    // Migrate first: it refuses a newer schema before anything about the file is changed.
    if (auto s = store->Migrate(); !s) return Error{s.error()};
    if (auto s = store->Exec("PRAGMA journal_mode=WAL"); !s) return Error{s.error()};
    if (auto s = store->Exec("PRAGMA synchronous=FULL"); !s) return Error{s.error()};
    if (auto s = store->Exec(kJournalSizeLimit); !s) return Error{s.error()};
    if (auto s = store->Exec(kCacheSize); !s) return Error{s.error()};
    auto checkpointer = WalCheckpointer::Start(path);
    if (!checkpointer) return Error{checkpointer.error()};
    store->checkpointer_ = std::move(*checkpointer);
    // Replaces SQLite's automatic checkpoint inside COMMIT.
    sqlite3_wal_hook(db, &SqliteStore::OnWalCommit, store.get());
  } else {
    Stmt v;
    v.Prepare(db, "PRAGMA user_version");
    const int version = v.Step() == SQLITE_ROW ? static_cast<int>(v.ColInt(0)) : 0;
    if (version != SchemaVersion()) {
      return Error{"store " + path + ": schema version " + std::to_string(version) +
                   ", this build reads " + std::to_string(SchemaVersion())};
    }
  }
  const std::string pending_after_sql =
      std::string(kOutboxSelect) +
      "WHERE o.destination = ? AND o.seq > ? AND o.delivered_at_us IS NULL ORDER BY o.seq LIMIT ?";
  const std::string pending_by_seq_sql =
      std::string(kOutboxSelect) + "WHERE o.seq = ? AND o.delivered_at_us IS NULL";
  auto& s = *store->stmts_;
  struct Prep { Stmt& stmt; const char* sql; };
  const Prep preps[] = {
      {s.begin, "BEGIN IMMEDIATE"},
      {s.commit, "COMMIT"},
      {s.rollback, "ROLLBACK"},
      {s.insert_event,
       "INSERT OR IGNORE INTO events(event_id, kind, case_id, sender_hsa_id, schema_version, "
       "occurred_at_us, received_at_us, body) VALUES (?,?,?,?,?,?,?,?)"},
      {s.event_outbox, "UPDATE events SET outbox_first_seq = ?, outbox_count = ? WHERE rowid = ?"},
      {s.event_body, "SELECT body FROM events WHERE event_id = ?"},
      {s.insert_outbox,
       "INSERT INTO outbox(destination, event_id, enqueued_at_us) VALUES (?,?,?)"},
      {s.insert_dead,
       "INSERT INTO dead_letters(received_at_us, address, event_id, reasons, body, body_truncated) "
       "VALUES (?,?,?,?,?,?)"},
      {s.mark_delivered,
       "UPDATE outbox SET delivered_at_us = ? WHERE seq = ? AND delivered_at_us IS NULL"},
      {s.pending_after, pending_after_sql.c_str()},
      {s.pending_by_seq, pending_by_seq_sql.c_str()},
      {s.case_events, "SELECT body, received_at_us FROM events WHERE case_id = ? ORDER BY received_at_us"},
      {s.case_deliveries,
       "SELECT o.event_id, o.destination, o.delivered_at_us FROM events e "
       "JOIN outbox o ON o.seq >= e.outbox_first_seq AND o.seq < e.outbox_first_seq + e.outbox_count "
       "WHERE e.case_id = ? ORDER BY o.seq"},
      {s.upsert_case,
       "INSERT OR REPLACE INTO cases(case_id, kommunkod, status, updated_at_us, liable, provisional, "
       "liability_days, liability_amount_kr, notes) VALUES (?,?,?,?,?,?,?,?,?)"},
      {s.delete_deadlines, "DELETE FROM deadlines WHERE case_id = ?"},
      {s.insert_deadline,
       "INSERT INTO deadlines(case_id, deadline_id, rule, due_at_us, state, met_at_us) "
       "VALUES (?,?,?,?,?,?)"},
  };
  for (const auto& p : preps) {
    if (p.stmt.Prepare(db, p.sql) != SQLITE_OK) {
      if (read_only) continue;  // write statements cannot be prepared read-only; unused there
      return Error{"store " + path + ": cannot prepare: " + sqlite3_errmsg(db)};
    }
  }
  return store;
}

SqliteStore::SqliteStore(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), stmts_(std::make_unique<Statements>()) {}

SqliteStore::~SqliteStore() {
  checkpointer_.reset();  // its connection closes first; closing the last one checkpoints
  stmts_.reset();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

uint64_t SqliteStore::CheckpointRuns() const {
  return checkpointer_ ? checkpointer_->runs() : 0;
}

int SqliteStore::OnWalCommit(void* self, sqlite3* db, const char* schema, int frames) {
  auto* store = static_cast<SqliteStore*>(self);
  if (frames >= kInlineCheckpointFrames) {
    // The writer is between transactions here, so this copies the whole log unless a reader
    // still uses part of it.
    if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) !=
        SQLITE_OK) {
      spdlog::warn("store {}: inline checkpoint failed: {}", store->path_, sqlite3_errmsg(db));
    }
  } else if (frames >= kCheckpointFrames) {
    store->checkpointer_->Request();
  }
  return SQLITE_OK;
}

Status SqliteStore::Fail(const char* what) const {
  return Error{"store " + path_ + ": " + what + ": " + sqlite3_errmsg(db_)};
}

Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = "store " + path_ + ": " + (err ? err : "error") + " in: " + sql;
    sqlite3_free(err);
    return Error{msg};
  }
  return OkStatus();
}

Status SqliteStore::Migrate() {
  int version = 0;
  {
    // Finalized before migrating: DROP TABLE fails while any statement is still active.
    Stmt v;
    v.Prepare(db_, "PRAGMA user_version");
    if (v.Step() == SQLITE_ROW) version = static_cast<int>(v.ColInt(0));
  }
  const auto& migrations = SqliteMigrations();
  if (version > static_cast<int>(migrations.size())) {
    return Error{"store " + path_ + ": schema version " + std::to_string(version) +
                 " is newer than this build knows (" + std::to_string(migrations.size()) +
                 "); refusing to open"};
  }
  for (size_t i = static_cast<size_t>(version); i < migrations.size(); ++i) {
    if (auto s = Exec("BEGIN IMMEDIATE"); !s) return s;
    auto s = Exec(migrations[i]);
    if (s) s = Exec(("PRAGMA user_version=" + std::to_string(i + 1)).c_str());
    if (s) s = Exec("COMMIT");
    if (!s) {
      (void)Exec("ROLLBACK");  // the migration error is what matters
      return Error{"migration to schema version " + std::to_string(i + 1) + " failed: " + s.error()};
    }
  }
  return OkStatus();
}

Status SqliteStore::Begin() {
  ResetGuard g{stmts_->begin};
  if (stmts_->begin.Step() != SQLITE_DONE) return Fail("begin");
  return OkStatus();
}

Status SqliteStore::Commit() {
  ResetGuard g{stmts_->commit};
  if (stmts_->commit.Step() != SQLITE_DONE) return Fail("commit");
  return OkStatus();
}

void SqliteStore::Rollback() {
  if (sqlite3_get_autocommit(db_)) return;  // SQLite already rolled back (e.g. after IOERR)
  ResetGuard g{stmts_->rollback};
  stmts_->rollback.Step();
}

Result<Store::InsertOutcome> SqliteStore::InsertEvent(const EventRecord& e) {
  auto& s = *stmts_;
  {
    ResetGuard g{s.insert_event};
    s.insert_event.Text(1, e.event_id);
    s.insert_event.Text(2, e.kind);
    s.insert_event.Text(3, e.case_id);
    s.insert_event.Text(4, e.sender_hsa_id);
    s.insert_event.Int(5, e.schema_version);
    s.insert_event.Int(6, e.occurred_at_us);
    s.insert_event.Int(7, e.received_at_us);
    s.insert_event.Blob(8, e.body);
    if (s.insert_event.Step() != SQLITE_DONE) return Error{Fail("insert event").error()};
  }
  if (sqlite3_changes(db_) == 0) {
    ResetGuard g{s.event_body};
    s.event_body.Text(1, e.event_id);
    if (s.event_body.Step() != SQLITE_ROW) return Error{Fail("read stored event").error()};
    return s.event_body.ColBlob(0) == e.body ? InsertOutcome::kDuplicate : InsertOutcome::kConflict;
  }
  if (e.destinations.empty()) return InsertOutcome::kInserted;
  // One writer, one transaction: the rows get consecutive seqs, which the event records
  // (schema v4: this replaces an index on the random event id).
  const sqlite3_int64 event_rowid = sqlite3_last_insert_rowid(db_);
  sqlite3_int64 first_seq = 0;
  for (const auto& dest : e.destinations) {
    ResetGuard g{s.insert_outbox};
    s.insert_outbox.Text(1, dest);
    s.insert_outbox.Text(2, e.event_id);
    s.insert_outbox.Int(3, e.received_at_us);
    if (s.insert_outbox.Step() != SQLITE_DONE) return Error{Fail("insert outbox").error()};
    const sqlite3_int64 seq = sqlite3_last_insert_rowid(db_);
    if (first_seq == 0) {
      first_seq = seq;
    } else if (seq != first_seq + static_cast<sqlite3_int64>(&dest - e.destinations.data())) {
      return Error{"store " + path_ + ": outbox rows of event " + e.event_id +
                   " did not get consecutive seqs"};
    }
  }
  ResetGuard g{s.event_outbox};
  s.event_outbox.Int(1, first_seq);
  s.event_outbox.Int(2, static_cast<int64_t>(e.destinations.size()));
  s.event_outbox.Int(3, event_rowid);
  if (s.event_outbox.Step() != SQLITE_DONE) return Error{Fail("record outbox of event").error()};
  return InsertOutcome::kInserted;
}

Status SqliteStore::InsertDeadLetter(const DeadLetterRecord& r) {
  auto& st = stmts_->insert_dead;
  ResetGuard g{st};
  st.Int(1, r.received_at_us);
  st.Text(2, r.address);
  if (r.event_id.empty()) st.Null(3); else st.Text(3, r.event_id);
  st.Text(4, r.reasons);
  st.Blob(5, r.body);
  st.Int(6, r.body_truncated ? 1 : 0);
  if (st.Step() != SQLITE_DONE) return Fail("insert dead letter");
  return OkStatus();
}

Status SqliteStore::MarkDelivered(int64_t seq, int64_t delivered_at_us) {
  auto& st = stmts_->mark_delivered;
  ResetGuard g{st};
  st.Int(1, delivered_at_us);
  st.Int(2, seq);
  if (st.Step() != SQLITE_DONE) return Fail("mark delivered");
  return OkStatus();
}

namespace {
Result<std::vector<OutboxItem>> ReadItems(Stmt& st, sqlite3* db, const std::string& path) {
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    OutboxItem item;
    item.seq = st.ColInt(0);
    item.destination = st.ColText(1);
    item.event_id = st.ColText(2);
    item.kind = st.ColText(3);
    item.case_id = st.ColText(4);
    item.schema_version = static_cast<uint32_t>(st.ColInt(5));
    item.body = st.ColBlob(6);
    out.push_back(std::move(item));
  }
  if (rc != SQLITE_DONE) return Error{"store " + path + ": read outbox: " + sqlite3_errmsg(db)};
  return out;
}
}  // namespace

Result<std::vector<OutboxItem>> SqliteStore::PendingAfter(const std::string& destination,
                                                          int64_t after_seq, int limit) {
  auto& st = stmts_->pending_after;
  ResetGuard g{st};
  st.Text(1, destination);
  st.Int(2, after_seq);
  st.Int(3, limit);
  return ReadItems(st, db_, path_);
}

Result<std::vector<OutboxItem>> SqliteStore::PendingBySeq(int64_t seq) {
  auto& st = stmts_->pending_by_seq;
  ResetGuard g{st};
  st.Int(1, seq);
  return ReadItems(st, db_, path_);
}

Result<std::vector<CaseEventRow>> SqliteStore::CaseEvents(const std::string& case_id) {
  auto& st = stmts_->case_events;
  ResetGuard g{st};
  st.Text(1, case_id);
  std::vector<CaseEventRow> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColBlob(0), st.ColInt(1)});
  if (rc != SQLITE_DONE) return Error{Fail("read case events").error()};
  return out;
}

Result<std::vector<DeliveryRow>> SqliteStore::CaseDeliveries(const std::string& case_id) {
  auto& st = stmts_->case_deliveries;
  ResetGuard g{st};
  st.Text(1, case_id);
  std::vector<DeliveryRow> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColText(0), st.ColText(1), st.ColInt(2)});
  if (rc != SQLITE_DONE) return Error{Fail("read case deliveries").error()};
  return out;
}

Status SqliteStore::UpsertCase(const CaseRecord& r, const std::vector<DeadlineRecord>& deadlines) {
  auto& s = *stmts_;
  {
    ResetGuard g{s.upsert_case};
    s.upsert_case.Text(1, r.case_id);
    s.upsert_case.Text(2, r.kommunkod);
    s.upsert_case.Text(3, r.status);
    s.upsert_case.Int(4, r.updated_at_us);
    s.upsert_case.Int(5, r.liable ? 1 : 0);
    s.upsert_case.Int(6, r.provisional ? 1 : 0);
    s.upsert_case.Int(7, r.liability_days);
    s.upsert_case.Int(8, r.liability_amount_kr);
    s.upsert_case.Text(9, r.notes);
    if (s.upsert_case.Step() != SQLITE_DONE) return Fail("write case");
  }
  {
    ResetGuard g{s.delete_deadlines};
    s.delete_deadlines.Text(1, r.case_id);
    if (s.delete_deadlines.Step() != SQLITE_DONE) return Fail("write deadlines");
  }
  for (const auto& d : deadlines) {
    auto& st = s.insert_deadline;
    ResetGuard g{st};
    st.Text(1, r.case_id);
    st.Text(2, d.deadline_id);
    st.Text(3, d.rule);
    if (d.due_at_us) st.Int(4, d.due_at_us); else st.Null(4);
    st.Text(5, d.state);
    if (d.met_at_us) st.Int(6, d.met_at_us); else st.Null(6);
    if (st.Step() != SQLITE_DONE) return Fail("write deadlines");
  }
  return OkStatus();
}

Result<StoreStats> SqliteStore::Stats() {
  StoreStats stats;
  Stmt q;
  if (q.Prepare(db_, "SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM dead_letters)") !=
          SQLITE_OK ||
      q.Step() != SQLITE_ROW) {
    return Error{Fail("stats").error()};
  }
  stats.events = q.ColInt(0);
  stats.dead_letters = q.ColInt(1);
  Stmt d;
  if (d.Prepare(db_,
                "SELECT destination, SUM(delivered_at_us IS NOT NULL), SUM(delivered_at_us IS NULL) "
                "FROM outbox GROUP BY destination ORDER BY destination") != SQLITE_OK) {
    return Error{Fail("stats").error()};
  }
  while (d.Step() == SQLITE_ROW) {
    stats.destinations.push_back({d.ColText(0), d.ColInt(1), d.ColInt(2)});
  }
  return stats;
}

}  // namespace slussen
