#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_statements.h"
#include "store/sqlite/sqlite_util.h"
#include "store/sqlite/wal_checkpointer.h"

namespace slussen {
namespace {

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

// The columns ReadOutboxRow (sqlite_store_read.cc) reads, of outbox `o` and events `e`.
constexpr const char* kOutboxColumns =
    "SELECT o.seq, o.destination, e.event_id, e.kind, e.case_id, e.schema_version, e.body, "
    "o.attempts, o.next_attempt_at_us, o.enqueued_at_us, "
    // A row added later (a fallback, a re-route): why, and for which destination's row. Only a
    // row outside its event's own seq range can be one, so the lookups run for those alone, not
    // for every row a Pump reads.
    "CASE WHEN o.seq BETWEEN e.outbox_first_seq AND e.outbox_first_seq + e.outbox_count - 1 "
    "THEN NULL ELSE (SELECT ad.cause FROM outbox_added ad WHERE ad.seq = o.seq) END, "
    "CASE WHEN o.seq BETWEEN e.outbox_first_seq AND e.outbox_first_seq + e.outbox_count - 1 "
    "THEN NULL ELSE (SELECT fo.destination FROM outbox_added ad2 JOIN outbox fo "
    "ON fo.seq = ad2.of_seq WHERE ad2.seq = o.seq) END, e.patient_key ";
constexpr const char* kPendingRow = " o.delivered_at_us IS NULL AND o.dead_at_us IS NULL ";

}  // namespace

int SqliteStore::SchemaVersion() { return static_cast<int>(SqliteMigrations().size()); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                      uint64_t journal_reserve_bytes) {
  auto opened = sqlite::OpenConnection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!opened) return opened.as_error();
  sqlite3* db = *opened;
  sqlite::RemoveLatchMarker(path);  // a writer starts from what is on disk
  sqlite::RemoveFullMarker(path);   // and its core measures the store anew
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  sqlite3_busy_handler(db, &WaitBriefly, nullptr);
  // WAL + OFF: neither a commit nor an inline checkpoint syncs; the journal makes a Write durable,
  // and the database and its log are synced before the journal is reused
  // (sqlite_store_journal.cc), and after each checkpoint by the checkpoint thread.
  // Migrate first: it refuses a newer schema before anything about the file is changed.
  if (auto s = store->Migrate(); !s) return s.as_error();
  // temp_store=MEMORY: the savepoint around each batch keeps its undo pages (SQLite's statement
  // journal) in memory, not in a temporary file written for every page a batch changes.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=OFF",
                             "PRAGMA temp_store=MEMORY",
                             kJournalSizeLimit, kCacheSize}) {
    if (auto s = store->Exec(pragma); !s) return s.as_error();
  }
  auto checkpointer = WalCheckpointer::Start(path);
  if (!checkpointer) return checkpointer.as_error();
  store->checkpointer_ = std::move(*checkpointer);
  // Replaces SQLite's automatic checkpoint inside COMMIT.
  sqlite3_wal_hook(db, &SqliteStore::OnWalCommit, store.get());

  const std::string outbox_select =
      std::string(kOutboxColumns) + "FROM outbox o JOIN events e ON e.id = o.event_row ";
  const std::string pending_after_sql = outbox_select +
                                        "WHERE o.destination = ? AND o.seq > ? AND o.seq <= ? AND" +
                                        kPendingRow + "ORDER BY o.seq LIMIT ?";
  const std::string pending_by_seq_sql = outbox_select + "WHERE o.seq = ? AND" + kPendingRow;
  // The case's events (events_by_case), then their outbox rows by the seq range each event
  // records (schema v4). CROSS JOIN fixes that order, and the unary + keeps the destination and
  // the seq bounds from being used as index ranges: left to itself the planner walks the
  // destination's pending rows from `after_seq` to the cursor, thousands of them, per call.
  const std::string next_of_case_sql =
      std::string(kOutboxColumns) +
      "FROM events e CROSS JOIN outbox o ON o.seq >= e.outbox_first_seq AND "
      "o.seq < e.outbox_first_seq + e.outbox_count "
      "WHERE e.case_id = ?1 AND +o.destination = ?2 AND +o.seq > ?3 AND +o.seq <= ?4 AND" +
      std::string(kPendingRow) +
      "UNION ALL " + kOutboxColumns +
      "FROM outbox_added a CROSS JOIN outbox o ON o.seq = a.seq JOIN events e ON e.id = o.event_row "
      "WHERE a.case_id = ?1 AND +o.destination = ?2 AND +o.seq > ?3 AND +o.seq <= ?4 AND" +
      std::string(kPendingRow) + "ORDER BY 1 LIMIT 1";
  // The outbox rows of one event (?1 its id, ?5 its row) for one destination: its own range,
  // and any added later.
  constexpr const char* kRowsOfEventFor =
      "(SELECT o.seq FROM events e CROSS JOIN outbox o ON o.seq >= e.outbox_first_seq AND "
      "o.seq < e.outbox_first_seq + e.outbox_count WHERE e.id = ?5 AND o.destination = ?2 "
      "UNION ALL SELECT o.seq FROM outbox_added a JOIN outbox o ON o.seq = a.seq "
      "WHERE a.event_id = ?1 AND o.destination = ?2)";
  const std::string record_receipt_sql =
      std::string("UPDATE outbox SET receipt_at_us = coalesce(receipt_at_us, ?3), "
                  "receipt_event_id = coalesce(receipt_event_id, ?4), receipt_due_at_us = NULL "
                  "WHERE seq IN ") + kRowsOfEventFor;
  auto& s = *store->stmts_;
  struct Prep { Stmt& stmt; const char* sql; };
  const Prep preps[] = {
      {s.begin, "BEGIN IMMEDIATE"},
      {s.begin_read, "BEGIN"},
      {s.commit, "COMMIT"},
      {s.rollback, "ROLLBACK"},
      {s.savepoint, "SAVEPOINT batch"},
      {s.release, "RELEASE batch"},
      {s.rollback_to, "ROLLBACK TO batch"},
      {s.set_applied, "UPDATE journal_applied SET batch = ? WHERE id = 1"},
      {s.insert_event,
       "INSERT INTO events(event_id, kind, case_id, sender_hsa_id, schema_version, "
       "occurred_at_us, received_at_us, body, patient_key) VALUES (?,?,?,?,?,?,?,?,?)"},
      {s.event_outbox, "UPDATE events SET outbox_first_seq = ?, outbox_count = ? WHERE id = ?"},
      {s.event_body, "SELECT body FROM events WHERE id = ?"},
      {s.insert_recent_id, "INSERT INTO event_ids_recent(event_row, event_id) VALUES (?, ?)"},
      {s.event_row_of, "SELECT event_row FROM event_ids WHERE event_id = ?"},
      {s.outbox_event_row, "SELECT event_row FROM outbox WHERE seq = ?"},
      // ?5: the seq, NULL for the next one (SQLite's highest + 1; BindOutboxSeq). The event's
      // id is its row's (event_row), not the outbox row's (schema v16).
      {s.insert_outbox,
       "INSERT INTO outbox(destination, enqueued_at_us, receipt_due_at_us, event_row, seq) "
       "VALUES (?,?,?,?,?)"},
      {s.outbox_seq_floor, "SELECT seq FROM outbox_seq_floor WHERE id = 1"},
      {s.set_outbox_seq_floor, "UPDATE outbox_seq_floor SET seq = ? WHERE id = 1"},
      {s.max_outbox_seq, "SELECT coalesce(max(seq), 0) FROM outbox"},
      {s.insert_added,
       "INSERT INTO outbox_added(seq, case_id, event_id, cause, of_seq) VALUES (?,?,?,?,?)"},
      {s.record_receipt, record_receipt_sql.c_str()},
      {s.postpone_receipt,
       "UPDATE outbox SET receipt_due_at_us = ? WHERE seq = ? AND receipt_due_at_us IS NOT NULL"},
      {s.receipt_overdue,
       "UPDATE outbox SET receipt_due_at_us = NULL, receipt_overdue_at_us = ?, fallback_seq = ? "
       "WHERE seq = ? AND receipt_due_at_us IS NOT NULL"},
      // On the partial index outbox_awaiting_receipt (schema v6).
      {s.due_receipts,
       "SELECT o.seq, o.destination, e.event_id, e.case_id, o.receipt_due_at_us FROM outbox o "
       "JOIN events e ON e.id = o.event_row WHERE o.receipt_due_at_us IS NOT NULL AND "
       "o.receipt_due_at_us <= ? ORDER BY o.receipt_due_at_us LIMIT ?"},
      {s.outbox_row,
       "SELECT o.seq, o.destination, e.event_id, e.case_id, o.delivered_at_us, o.dead_at_us, "
       "o.attempts FROM outbox o JOIN events e ON e.id = o.event_row WHERE o.seq = ?"},
      {s.case_of_event, "SELECT case_id FROM events WHERE id = ?"},
      {s.paused_destinations, "SELECT destination FROM paused_destinations ORDER BY destination"},
      {s.insert_action,
       "INSERT INTO delivery_actions(at_us, action, destination, seq, event_id, case_id, operator, "
       "reason) VALUES (?,?,?,?,?,?,?,?)"},
      // Plain INSERT: a seq already taken fails the batch instead of replacing a row.
      {s.insert_audit,
       "INSERT INTO audit_log(seq, at_us, actor_kind, actor, organisation, action, case_id, "
       "patient_key, what, ref, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"},
      {s.seal_audit,
       "UPDATE audit_log SET patient_key = ?, prev_hash = ?, hash = ? WHERE seq = ? AND hash = ''"},
      {s.disclosure,
       "SELECT o.seq, o.destination, e.event_id, e.kind, e.case_id, e.body, "
       "o.delivered_at_us IS NOT NULL FROM outbox o JOIN events e ON e.id = o.event_row "
       "WHERE o.seq = ?"},
      {s.revive,
       "UPDATE outbox SET dead_at_us = NULL, next_attempt_at_us = NULL "
       "WHERE seq = ? AND dead_at_us IS NOT NULL AND delivered_at_us IS NULL"},
      {s.manual_delivery,
       "UPDATE outbox SET delivered_at_us = ?, manual_by = ?, manual_reason = ? "
       "WHERE seq = ? AND delivered_at_us IS NULL"},
      {s.pause,
       "INSERT OR REPLACE INTO paused_destinations(destination, since_us, operator, reason) "
       "VALUES (?,?,?,?)"},
      {s.resume, "DELETE FROM paused_destinations WHERE destination = ?"},
      // A dead delivery's fallback: it no longer waits for a receipt either.
      {s.set_fallback,
       "UPDATE outbox SET fallback_seq = ?, receipt_due_at_us = NULL WHERE seq = ?"},
      {s.next_receipt_due,
       "SELECT MIN(receipt_due_at_us) FROM outbox WHERE receipt_due_at_us IS NOT NULL"},
      {s.insert_dead,
       "INSERT INTO dead_letters(received_at_us, address, event_id, reasons, body, body_truncated, "
       "sender, reason_key) VALUES (?,?,?,?,?,?,?,?)"},
      // What the row was (for the depth, outbox_depth) is read, then it is updated: an
      // UPDATE ... RETURNING built an ephemeral table for its one row on every delivery (2.5 %
      // of the core thread at 1,000 events/s).
      {s.undelivered_row,
       "SELECT destination, dead_at_us IS NULL FROM outbox "
       "WHERE seq = ? AND delivered_at_us IS NULL"},
      {s.mark_delivered, "UPDATE outbox SET delivered_at_us = ? WHERE seq = ?"},
      {s.pending_after, pending_after_sql.c_str()},
      {s.pending_by_seq, pending_by_seq_sql.c_str()},
      {s.next_of_case, next_of_case_sql.c_str()},
      {s.fail_attempt,
       "UPDATE outbox SET attempts = ?, next_attempt_at_us = ?, last_error = ?, dead_at_us = ? "
       "WHERE seq = ? AND delivered_at_us IS NULL"},
      // Broker mode: a row the broker confirmed and later dead-lettered (FailedAttempt::
      // withdraws_delivery). A second copy of it finds the row dead already and changes nothing.
      {s.fail_delivered,
       "UPDATE outbox SET delivered_at_us = NULL, attempts = ?, next_attempt_at_us = NULL, "
       "last_error = ?, dead_at_us = ? WHERE seq = ? AND dead_at_us IS NULL AND manual_by IS NULL"},
      {s.insert_attempt,
       "INSERT OR REPLACE INTO delivery_attempts(seq, attempt, at_us, outcome, condition, "
       "description) VALUES (?,?,?,?,?,?)"},
      // The depth the writer keeps in outbox_depth (schema v13; a count over the outbox took
      // 0.85 s with 5M queued), and the oldest row one step into the pending index per
      // destination.
      {s.pending_summary,
       "SELECT d.destination, d.pending, "
       " (SELECT o.enqueued_at_us FROM outbox o INDEXED BY outbox_pending "
       "  WHERE o.destination = d.destination AND o.delivered_at_us IS NULL "
       "  AND o.dead_at_us IS NULL ORDER BY o.seq LIMIT 1) "
       "FROM outbox_depth d WHERE d.pending > 0 ORDER BY d.destination"},
      // outbox_depth (schema v13), kept per batch (SqliteStore::ApplyBatch).
      {s.row_pending,
       "SELECT destination, delivered_at_us IS NULL AND dead_at_us IS NULL FROM outbox "
       "WHERE seq = ?"},
      {s.depth_add, "UPDATE outbox_depth SET pending = pending + ?2 WHERE destination = ?1"},
      {s.depth_insert, "INSERT INTO outbox_depth(destination, pending) VALUES (?1, ?2)"},
      {s.case_events, sqlite::kCaseEventsSql},
      // Both on the partial index cases_by_next_evaluation (schema v5).
      {s.due_cases,
       "SELECT case_id FROM cases WHERE next_evaluation_at_us IS NOT NULL AND "
       "next_evaluation_at_us <= ? ORDER BY next_evaluation_at_us LIMIT ?"},
      {s.next_case_evaluation,
       "SELECT MIN(next_evaluation_at_us) FROM cases WHERE next_evaluation_at_us IS NOT NULL"},
      {s.upsert_case,
       "INSERT OR REPLACE INTO cases(case_id, kommunkod, status, updated_at_us, liable, provisional, "
       "liability_days, liability_amount_kr, notes, next_evaluation_at_us, track, paying_kommunkod) "
       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"},
      {s.case_deadlines,
       "SELECT deadline_id, rule, due_at_us, state, met_at_us FROM deadlines WHERE case_id = ?"},
      {s.update_deadline,
       "UPDATE deadlines SET rule = ?3, due_at_us = ?4, state = ?5, met_at_us = ?6 "
       "WHERE case_id = ?1 AND deadline_id = ?2"},
      {s.delete_deadline, "DELETE FROM deadlines WHERE case_id = ? AND deadline_id = ?"},
      {s.insert_deadline,
       "INSERT INTO deadlines(case_id, deadline_id, rule, due_at_us, state, met_at_us) "
       "VALUES (?,?,?,?,?,?)"},
  };
  for (const auto& p : preps) {
    if (int prc = p.stmt.Prepare(db, p.sql); prc != SQLITE_OK) {
      return sqlite::StoreError(path, "cannot prepare", prc, db);
    }
  }
  // Before the replay: its batches are checked against the stored ids like any others, and
  // numbered from the same floor.
  if (auto loaded = store->recent_ids_.Load(db, path); !loaded) return loaded.as_error();
  if (auto loaded = store->LoadOutboxSeqFloor(); !loaded) return loaded.as_error();
  if (auto opened_journal = store->OpenJournal(journal_reserve_bytes); !opened_journal) return opened_journal.as_error();
  return store;
}

SqliteStore::SqliteStore(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), stmts_(std::make_unique<Statements>()) {}

SqliteStore::~SqliteStore() {
  CloseJournal();
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
    // still uses part of it. This connection does not sync (synchronous=OFF), so it syncs the
    // log before the copy and the database file after it, as the checkpoint thread's
    // connection does inside its checkpoints: the writer's next transaction may restart the log.
    int rc = sqlite::SyncFiles(db);
    if (rc == SQLITE_OK) {
      rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    if (rc == SQLITE_OK) rc = sqlite::SyncFiles(db);
    if (rc != SQLITE_OK) {
      Error e = sqlite::StoreError(store->path_, "inline checkpoint", rc, db);
      if (sqlite::Latches(e.code)) {
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
  sqlite::WriteLatchMarker(path_, error.message);
}

Result<uint64_t> SqliteStore::BytesOnDisk() { return sqlite::FilesBytes(path_); }

void SqliteStore::ReclaimSpace() {
  // The journal at once: once the database is synced, nothing in it is needed.
  if (journal_ && !latched() && Flush() && SyncDatabase()) {
    if (auto s = journal_->Truncate(); !s) spdlog::warn("{}", s.error());
  }
  if (checkpointer_) checkpointer_->RequestTruncate();
}

void SqliteStore::ShowFull(const std::string& reason) {
  if (reason.empty()) {
    sqlite::RemoveFullMarker(path_);
  } else {
    sqlite::WriteFullMarker(path_, reason);
  }
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
  if (static_cast<std::size_t>(*version) == migrations.size()) return OkStatus();
  // Migration 16 packs hex digests with it: a blob of the bytes that lowercase hex spells, any
  // other value unchanged (sqlite::Stmt::Digest is the same rule for new rows).
  const auto digest = [](sqlite3_context* ctx, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
      const auto n = static_cast<std::size_t>(sqlite3_value_bytes(argv[0]));
      if (auto bytes = FromLowerHex(std::string_view(text, n))) {
        sqlite3_result_blob(ctx, bytes->data(), static_cast<int>(bytes->size()), SQLITE_TRANSIENT);
        return;
      }
    }
    sqlite3_result_value(ctx, argv[0]);
  };
  if (int rc = sqlite3_create_function_v2(db_, "slussen_digest", 1,
                                          SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, digest,
                                          nullptr, nullptr, nullptr);
      rc != SQLITE_OK) {
    return Fail("register slussen_digest", rc);
  }
  const auto started = std::chrono::steady_clock::now();
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
  // An upgrade rewrites tables of a full store (v16: every audit row and the whole outbox), so
  // a start that took long says why; a new store's own creation is not worth a line.
  if (*version > 0) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    spdlog::info("store {}: schema migrated from version {} to {} in {:.1f} s", path_, *version,
                 migrations.size(), took.count());
  }
  return OkStatus();
}

}  // namespace slussen
