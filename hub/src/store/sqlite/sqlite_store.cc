#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_util.h"
#include "store/sqlite/wal_checkpointer.h"

namespace slussen {
namespace {

using sqlite::ResetGuard;
using sqlite::Stmt;

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

bool Latches(ErrorCode code) {
  return code == ErrorCode::kDataLoss || code == ErrorCode::kCorruption;
}

}  // namespace

class SqliteStore::Statements {
 public:
  Stmt begin, begin_read, commit, rollback, insert_event, event_outbox, event_body, insert_outbox,
      insert_dead, mark_delivered, pending_after, pending_by_seq, pending_summary, case_events,
      open_cases, upsert_case, delete_deadlines, insert_deadline;
};

int SqliteStore::SchemaVersion() { return static_cast<int>(SqliteMigrations().size()); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite::StoreError(path, "cannot open", rc, db);
    sqlite3_close(db);
    return e;
  }
  sqlite::Configure(db);
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  sqlite3_busy_handler(db, &WaitBriefly, nullptr);
  // WAL + FULL: a commit is on disk (fsync'd WAL) before Write() returns.
  // Migrate first: it refuses a newer schema before anything about the file is changed.
  if (auto s = store->Migrate(); !s) return s.as_error();
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             kJournalSizeLimit, kCacheSize}) {
    if (auto s = store->Exec(pragma); !s) return s.as_error();
  }
  auto checkpointer = WalCheckpointer::Start(path);
  if (!checkpointer) return checkpointer.as_error();
  store->checkpointer_ = std::move(*checkpointer);
  // Replaces SQLite's automatic checkpoint inside COMMIT.
  sqlite3_wal_hook(db, &SqliteStore::OnWalCommit, store.get());

  const std::string pending_after_sql =
      std::string(kOutboxSelect) +
      "WHERE o.destination = ? AND o.seq > ? AND o.delivered_at_us IS NULL ORDER BY o.seq LIMIT ?";
  const std::string pending_by_seq_sql =
      std::string(kOutboxSelect) + "WHERE o.seq = ? AND o.delivered_at_us IS NULL";
  auto& s = *store->stmts_;
  struct Prep { Stmt& stmt; const char* sql; };
  const Prep preps[] = {
      {s.begin, "BEGIN IMMEDIATE"},
      {s.begin_read, "BEGIN"},
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
      // Counts on the partial index of undelivered rows (outbox_pending) without reading the
      // table, then one row lookup per destination for the oldest one's time.
      {s.pending_summary,
       "SELECT p.destination, p.n, o.enqueued_at_us FROM "
       "(SELECT destination, COUNT(*) AS n, MIN(seq) AS first FROM outbox "
       " WHERE delivered_at_us IS NULL GROUP BY destination) p "
       "JOIN outbox o ON o.seq = p.first ORDER BY p.destination"},
      {s.case_events, sqlite::kCaseEventsSql},
      {s.open_cases,
       "SELECT case_id FROM cases WHERE status <> 'cancelled' AND (status <> 'discharged' OR "
       "EXISTS (SELECT 1 FROM deadlines d WHERE d.case_id = cases.case_id AND "
       "d.state IN ('pending', 'at-risk'))) ORDER BY case_id"},
      {s.upsert_case,
       "INSERT OR REPLACE INTO cases(case_id, kommunkod, status, updated_at_us, liable, provisional, "
       "liability_days, liability_amount_kr, notes) VALUES (?,?,?,?,?,?,?,?,?)"},
      {s.delete_deadlines, "DELETE FROM deadlines WHERE case_id = ?"},
      {s.insert_deadline,
       "INSERT INTO deadlines(case_id, deadline_id, rule, due_at_us, state, met_at_us) "
       "VALUES (?,?,?,?,?,?)"},
  };
  for (const auto& p : preps) {
    if (int prc = p.stmt.Prepare(db, p.sql); prc != SQLITE_OK) {
      return sqlite::StoreError(path, "cannot prepare", prc, db);
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
    const int rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      Error e = sqlite::StoreError(store->path_, "inline checkpoint", rc, db);
      if (Latches(e.code)) {
        store->Latch(e);
      } else {
        spdlog::warn("{}", e.message);
      }
    }
  } else if (frames >= kCheckpointFrames) {
    store->checkpointer_->Request();
  }
  return SQLITE_OK;
}

Error SqliteStore::Fail(const char* what, int rc) {
  Error e = sqlite::StoreError(path_, what, rc, db_);
  if (e.code == ErrorCode::kCorruption) Latch(e);
  return e;
}

void SqliteStore::Latch(const Error& error) {
  if (latch_) return;
  latch_ = error;
}

bool SqliteStore::latched() const {
  return latch_.has_value() || (checkpointer_ && checkpointer_->failure().has_value());
}

std::string SqliteStore::latched_reason() const {
  if (latch_) return latch_->message;
  if (checkpointer_) {
    if (auto f = checkpointer_->failure()) return f->message;
  }
  return {};
}

Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = "store " + path_ + ": " + (err ? err : sqlite3_errstr(rc)) + " in: " + sql;
    sqlite3_free(err);
    return Error{msg, sqlite::CodeOf(rc)};
  }
  return OkStatus();
}

Status SqliteStore::Migrate() {
  // Read with a statement finalized before migrating: DROP TABLE fails while one is active.
  auto version = sqlite::UserVersion(db_, path_);
  if (!version) {
    Error e = version.as_error();
    if (e.code == ErrorCode::kCorruption) e.message += "; not a Slussen store, or a damaged one";
    return e;
  }
  const auto& migrations = SqliteMigrations();
  if (*version > static_cast<int>(migrations.size())) {
    return Error{"store " + path_ + ": schema version " + std::to_string(*version) +
                     " is newer than this build knows (" + std::to_string(migrations.size()) +
                     "); refusing to open",
                 ErrorCode::kFailedPrecondition};
  }
  for (size_t i = static_cast<size_t>(*version); i < migrations.size(); ++i) {
    if (auto s = Exec("BEGIN IMMEDIATE"); !s) return s;
    auto s = Exec(migrations[i]);
    if (s) s = Exec(("PRAGMA user_version=" + std::to_string(i + 1)).c_str());
    if (s) s = Exec("COMMIT");
    if (!s) {
      (void)Exec("ROLLBACK");  // the migration error is what matters
      return Error{"migration to schema version " + std::to_string(i + 1) + " failed: " + s.error(),
                   s.code()};
    }
  }
  return OkStatus();
}

Result<std::map<std::string, std::string>> SqliteStore::StoredBodies(
    const std::vector<std::string>& event_ids) {
  std::map<std::string, std::string> found;
  if (event_ids.empty()) return found;
  auto& s = *stmts_;
  // One read transaction for all lookups, rather than one per statement.
  {
    ResetGuard g{s.begin_read};
    if (int rc = s.begin_read.Step(); rc != SQLITE_DONE) return Fail("begin read", rc);
  }
  int rc = SQLITE_DONE;
  for (const auto& id : event_ids) {
    ResetGuard g{s.event_body};
    s.event_body.Text(1, id);
    rc = s.event_body.Step();
    if (rc == SQLITE_ROW) {
      found.emplace(id, s.event_body.ColBlob(0));
    } else if (rc != SQLITE_DONE) {
      break;
    }
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    Error e = Fail("read stored events", rc);
    Rollback();
    return e;
  }
  ResetGuard g{s.commit};
  if (int crc = s.commit.Step(); crc != SQLITE_DONE) {
    Error e = Fail("end read", crc);
    Rollback();
    return e;
  }
  return found;
}

Status SqliteStore::Write(const WriteBatch& batch) {
  if (!latch_ && checkpointer_) {
    if (auto f = checkpointer_->failure()) Latch(*f);
  }
  if (latch_) {
    return Error{"store " + path_ + " is latched, no more writes until a restart; first failure: " +
                     latch_->message,
                 latch_->code};
  }
  if (batch.empty()) return OkStatus();
  auto s = WriteInTransaction(batch);
  if (!s) {
    Rollback();
    if (Latches(s.code())) Latch(s.as_error());
  }
  return s;
}

Status SqliteStore::WriteInTransaction(const WriteBatch& batch) {
  {
    ResetGuard g{stmts_->begin};
    if (int rc = stmts_->begin.Step(); rc != SQLITE_DONE) return Fail("begin", rc);
  }
  for (const auto& e : batch.events) {
    if (auto s = InsertEvent(e); !s) return s;
  }
  for (const auto& d : batch.dead_letters) {
    if (auto s = InsertDeadLetter(d); !s) return s;
  }
  for (const auto& m : batch.delivered) {
    if (auto s = MarkDelivered(m); !s) return s;
  }
  for (const auto& c : batch.cases) {
    if (auto s = UpsertCase(c); !s) return s;
  }
  ResetGuard g{stmts_->commit};
  if (int rc = stmts_->commit.Step(); rc != SQLITE_DONE) return Fail("commit", rc);
  return OkStatus();
}

void SqliteStore::Rollback() {
  if (sqlite3_get_autocommit(db_)) return;  // SQLite already rolled back (e.g. after IOERR)
  ResetGuard g{stmts_->rollback};
  stmts_->rollback.Step();
}

Status SqliteStore::InsertEvent(const EventRecord& e) {
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
    if (int rc = s.insert_event.Step(); rc != SQLITE_DONE) return Fail("insert event", rc);
  }
  if (sqlite3_changes(db_) == 0) {
    return Error{"store " + path_ + ": event " + e.event_id +
                     " is already stored; a write batch holds only new events",
                 ErrorCode::kInvalidArgument};
  }
  if (e.destinations.empty()) return OkStatus();
  // One writer, one transaction: the rows get consecutive seqs, which the event records
  // (schema v4: this replaces an index on the random event id).
  const sqlite3_int64 event_rowid = sqlite3_last_insert_rowid(db_);
  sqlite3_int64 first_seq = 0;
  for (const auto& dest : e.destinations) {
    ResetGuard g{s.insert_outbox};
    s.insert_outbox.Text(1, dest);
    s.insert_outbox.Text(2, e.event_id);
    s.insert_outbox.Int(3, e.received_at_us);
    if (int rc = s.insert_outbox.Step(); rc != SQLITE_DONE) return Fail("insert outbox", rc);
    const sqlite3_int64 seq = sqlite3_last_insert_rowid(db_);
    if (first_seq == 0) {
      first_seq = seq;
    } else if (seq != first_seq + static_cast<sqlite3_int64>(&dest - e.destinations.data())) {
      return Error{"store " + path_ + ": outbox rows of event " + e.event_id +
                       " did not get consecutive seqs",
                   ErrorCode::kInternal};
    }
  }
  ResetGuard g{s.event_outbox};
  s.event_outbox.Int(1, first_seq);
  s.event_outbox.Int(2, static_cast<int64_t>(e.destinations.size()));
  s.event_outbox.Int(3, event_rowid);
  if (int rc = s.event_outbox.Step(); rc != SQLITE_DONE) return Fail("record outbox of event", rc);
  return OkStatus();
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
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("insert dead letter", rc);
  return OkStatus();
}

Status SqliteStore::MarkDelivered(const DeliveryMark& mark) {
  auto& st = stmts_->mark_delivered;
  ResetGuard g{st};
  st.Int(1, mark.at_us);
  st.Int(2, mark.seq);
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("mark delivered", rc);
  return OkStatus();
}

Status SqliteStore::UpsertCase(const CaseUpdate& update) {
  auto& s = *stmts_;
  const CaseRecord& r = update.record;
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
    if (int rc = s.upsert_case.Step(); rc != SQLITE_DONE) return Fail("write case", rc);
  }
  {
    ResetGuard g{s.delete_deadlines};
    s.delete_deadlines.Text(1, r.case_id);
    if (int rc = s.delete_deadlines.Step(); rc != SQLITE_DONE) return Fail("write deadlines", rc);
  }
  for (const auto& d : update.deadlines) {
    auto& st = s.insert_deadline;
    ResetGuard g{st};
    st.Text(1, r.case_id);
    st.Text(2, d.deadline_id);
    st.Text(3, d.rule);
    if (d.due_at_us) st.Int(4, d.due_at_us); else st.Null(4);
    st.Text(5, d.state);
    if (d.met_at_us) st.Int(6, d.met_at_us); else st.Null(6);
    if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("write deadlines", rc);
  }
  return OkStatus();
}

Result<std::vector<OutboxItem>> SqliteStore::PendingAfter(const std::string& destination,
                                                          int64_t after_seq, int limit) {
  auto& st = stmts_->pending_after;
  ResetGuard g{st};
  st.Text(1, destination);
  st.Int(2, after_seq);
  st.Int(3, limit);
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
  if (rc != SQLITE_DONE) return Fail("read outbox", rc);
  return out;
}

Result<std::vector<OutboxItem>> SqliteStore::PendingBySeq(int64_t seq) {
  auto& st = stmts_->pending_by_seq;
  ResetGuard g{st};
  st.Int(1, seq);
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back({st.ColInt(0), st.ColText(1), st.ColText(2), st.ColText(3), st.ColText(4),
                   static_cast<uint32_t>(st.ColInt(5)), st.ColBlob(6)});
  }
  if (rc != SQLITE_DONE) return Fail("read outbox", rc);
  return out;
}

Result<std::vector<DestinationPending>> SqliteStore::PendingSummary() {
  auto& st = stmts_->pending_summary;
  ResetGuard g{st};
  std::vector<DestinationPending> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColText(0), st.ColInt(1), st.ColInt(2)});
  if (rc != SQLITE_DONE) return Fail("read outbox summary", rc);
  return out;
}

Result<std::vector<CaseEventRow>> SqliteStore::CaseEvents(const std::string& case_id) {
  auto& st = stmts_->case_events;
  ResetGuard g{st};
  st.Text(1, case_id);
  std::vector<CaseEventRow> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColBlob(0), st.ColInt(1)});
  if (rc != SQLITE_DONE) return Fail("read case events", rc);
  return out;
}

Result<std::vector<std::string>> SqliteStore::OpenCaseIds() {
  auto& st = stmts_->open_cases;
  ResetGuard g{st};
  std::vector<std::string> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(st.ColText(0));
  if (rc != SQLITE_DONE) return Fail("read open cases", rc);
  return out;
}

}  // namespace slussen
