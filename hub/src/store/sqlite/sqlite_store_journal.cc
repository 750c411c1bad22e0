// SqliteStore's durable write path (hub/DESIGN.md "Durable write path"): each Write is applied in
// the projection's open transaction under a savepoint and made durable by one journal record
// (append + fdatasync), not by a commit of the database; Flush commits the projection without a
// sync, and the journal is reused once the database is synced. Open replays what the journal
// holds beyond the database.
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "store/journal/batch_codec.h"
#include "store/sqlite/journal_appender.h"
#include "store/sqlite/sqlite_journal.h"
#include "store/sqlite/sqlite_statements.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/wal_checkpointer.h"

namespace slussen {

using sqlite::ResetGuard;
using sqlite::Stmt;

namespace {
// The journal is reused from its start at the first flush after it holds this much: then the
// database is synced (one fdatasync of its log) so that nothing in the journal is needed any
// more. Bounds the file, and the replay after a power loss; a crash of the process alone replays
// only what came after the last flush.
constexpr uint64_t kJournalRewindBytes = 64ull << 20;

// A batch refused for what it holds (an event already stored), not for the disk, a lock or a
// broken invariant: it is refused again whenever it is applied to the same database.
bool RefusedForItsContent(ErrorCode code) { return code == ErrorCode::kInvalidArgument; }
}  // namespace

// The size at which the journal is reused, so that appends never grow it (each growing
// fdatasync also writes the inode).
uint64_t SqliteStore::JournalReserveBytes(uint64_t max_bytes) {
  return max_bytes == 0 ? kJournalRewindBytes : std::min(kJournalRewindBytes, max_bytes / 16);
}

std::string SqliteStore::JournalPath(const std::string& store_path) {
  return sqlite::JournalPath(store_path);
}

Status SqliteStore::Step(sqlite::Stmt& stmt, const char* what) {
  ResetGuard g{stmt};
  if (int rc = stmt.Step(); rc != SQLITE_DONE) return Fail(what, rc);
  return OkStatus();
}

Status SqliteStore::Write(const WriteBatch& batch) {
  auto number = Submit(batch);
  if (!number) return number.as_error();
  return WaitDurable(*number);
}

Result<int64_t> SqliteStore::Submit(const WriteBatch& batch) {
  if (!latch_ && checkpointer_) {
    if (auto f = checkpointer_->failure()) Latch(*f);
  }
  if (!latch_) (void)DurableThrough();  // latches if the appender failed
  if (latch_) {
    return Error{"store " + path_ + " is latched, no more writes until a restart; first failure: " +
                     latch_->message,
                 latch_->code};
  }
  if (batch.empty()) return applied_batch_;
  if (!projection_open_) {
    if (auto s = Step(stmts_->begin, "begin"); !s) {
      if (sqlite::Latches(s.code())) Latch(s.as_error());
      return s.as_error();
    }
    projection_open_ = true;
  }
  // The first batch of a transaction needs no savepoint: undoing it is rolling back.
  savepoint_ = applied_batch_ != committed_batch_;
  if (savepoint_) {
    if (auto s = Step(stmts_->savepoint, "savepoint"); !s) return Undo(s).as_error();
  }
  const int64_t number = applied_batch_ + 1;
  batch_first_outbox_seq_ = 0;
  Status s = ApplyBatch(batch);
  checked_absent_.clear();
  if (s) s = SetAppliedBatch(number);
  if (s && savepoint_) s = Step(stmts_->release, "release savepoint");
  if (!s) return Undo(s).as_error();
  // The rows are applied; the batch is durable once its record is synced (SyncHere,
  // SyncInBackground or a wait), while the caller may go on with the next batches. A refusal
  // above left no record.
  applied_batch_ = number;
  if (batch_first_outbox_seq_ != 0) undurable_outbox_.emplace_back(number, batch_first_outbox_seq_);
  appender_.Queue(number, EncodeBatch(batch));
  return number;
}

Status SqliteStore::WaitDurable(int64_t number) {
  if (auto s = appender_.WaitDurable(number); !s) {
    OnJournalFailure(s.as_error());
    return Error{"store " + path_ + ": " + s.error(), s.code()};
  }
  return OkStatus();
}

int64_t SqliteStore::DurableThrough() {
  if (!latch_) {
    if (auto f = appender_.failure()) OnJournalFailure(*f);
  }
  return appender_.durable();
}

void SqliteStore::SetDurableListener(std::function<void()> listener) {
  appender_.SetListener(std::move(listener));
}

bool SqliteStore::SyncHere() {
  if (!appender_.WriteHere()) {
    appender_.Kick();  // its thread is writing: it takes the queue next
    return false;
  }
  (void)DurableThrough();  // latches now if the sync failed
  return true;
}

void SqliteStore::SyncInBackground() { appender_.Kick(); }

void SqliteStore::OnJournalFailure(const Error& error) {
  if (latch_) return;
  Latch(Error{"store " + path_ + ": " + error.message, error.code});
  // The open transaction holds batches that will never be durable: the projection goes back to
  // what the journal holds (its unsynced records were spoiled), which a restart replays anyway.
  appender_.WaitIdle();
  RecoverProjection();
}

int64_t SqliteStore::DeliverableThrough() {
  if (undurable_outbox_.empty()) return INT64_MAX;
  // Not DurableThrough(): a read is no place to recover from a failed sync (the core's next
  // turn does); until then nothing more becomes durable, so nothing more is delivered.
  const int64_t durable = appender_.durable();
  while (!undurable_outbox_.empty() && undurable_outbox_.front().first <= durable) {
    undurable_outbox_.pop_front();
  }
  return undurable_outbox_.empty() ? INT64_MAX : undurable_outbox_.front().second - 1;
}

Status SqliteStore::Undo(Status failed) {
  if (projection_open_ && !sqlite3_get_autocommit(db_) && savepoint_) {
    // The batch's own rows only; the batches before it stay in the open transaction.
    (void)Step(stmts_->rollback_to, "roll back to savepoint");
    (void)Step(stmts_->release, "release savepoint");
    ReloadAfterRollback();  // without the batch's rows (DropProjection reloads itself)
  } else if (projection_open_ && !sqlite3_get_autocommit(db_)) {
    DropProjection();  // the transaction holds this batch alone
  } else if (projection_open_) {
    // SQLite rolled the whole transaction back by itself (e.g. the disk full).
    RecoverProjection();
  }
  if (sqlite::Latches(failed.code())) Latch(failed.as_error());
  return failed;
}

void SqliteStore::ReloadAfterRollback() {
  if (auto s = recent_ids_.Load(db_, path_); !s) {
    Error e = s.as_error();
    e.message += "; the duplicate check cannot go on without it";
    spdlog::error("{}", e.message);
    Latch(e);
  }
  if (auto s = LoadOutboxSeqFloor(); !s) {
    Error e = s.as_error();
    e.message += "; new outbox rows cannot be numbered without it";
    spdlog::error("{}", e.message);
    Latch(e);
  }
}

Status SqliteStore::SetAppliedBatch(int64_t number) {
  auto& st = stmts_->set_applied;
  ResetGuard g{st};
  st.Int(1, number);
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("record the journal batch", rc);
  return OkStatus();
}

Status SqliteStore::Flush() {
  if (!projection_open_) return OkStatus();
  // Nothing is committed that is not durable: a database ahead of its journal would hold
  // batches never acknowledged, and the journal's next record would not follow its last.
  if (auto s = WaitDurable(applied_batch_); !s) return s;
  // A step of the event-id merge rides on the commit. Twice the events since the last flush
  // (at least 256): a merge ends while no more than half as many new ids gathered again.
  const std::size_t budget = std::max<std::size_t>(256, 2 * events_since_flush_);
  events_since_flush_ = 0;
  if (auto m = recent_ids_.MergeStep(db_, path_, budget); !m) {
    // What the step did is harmless (an id it inserted and took out of the map is found in
    // event_ids); the merge starts over at a later flush. If SQLite dropped the transaction,
    // the commit below fails and recovers it.
    spdlog::warn("{} (the merge starts over later)", m.error());
    recent_ids_.AbandonMerge();
    if (sqlite::Latches(m.code())) Latch(m.as_error());
  }
  if (auto f = recent_ids_.FilterStep(db_, path_); !f) {
    // The filter is not used until it is read whole; the next flush reads on.
    spdlog::warn("{}", f.error());
    if (sqlite::Latches(f.code())) Latch(f.as_error());
  }
  if (auto s = Step(stmts_->commit, "commit"); !s) {
    // Nothing is lost: everything in the transaction is journaled.
    if (sqlite3_get_autocommit(db_)) RecoverProjection();
    if (sqlite::Latches(s.code())) Latch(s.as_error());
    return s;
  }
  projection_open_ = false;
  committed_batch_ = applied_batch_;
  if (journal_->written() >= kJournalRewindBytes) {
    if (auto s = SyncDatabase(); !s) return s;
    journal_->Rewind();
  }
  return OkStatus();
}

Status SqliteStore::SyncDatabase() {
  if (int rc = sqlite::SyncFiles(db_); rc != SQLITE_OK) {
    Error e = sqlite::StoreError(path_, "sync of the database and its log", rc, db_);
    Latch(e);
    return e;
  }
  return OkStatus();
}

Status SqliteStore::OpenJournal(uint64_t reserve_bytes) {
  Stmt applied;
  int rc = applied.Prepare(db_, "SELECT batch FROM journal_applied WHERE id = 1");
  if (rc != SQLITE_OK) return Fail("read the journal batch", rc);
  if (rc = applied.Step(); rc != SQLITE_ROW) {
    return Fail("read the journal batch", rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
  }
  committed_batch_ = applied_batch_ = applied.ColInt(0);
  const std::string path = JournalPath(path_);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && committed_batch_ > 0) {
    spdlog::warn("store {}: its journal {} is missing; starting a new one (whatever was "
                 "acknowledged after the database's last sync is not in this store)",
                 path_, path);
  }
  std::vector<JournalFile::Record> records;
  auto journal = JournalFile::Open(path, &records);
  if (!journal) return journal.as_error();
  journal_ = std::move(*journal);
  appender_.Use(journal_.get());
  appender_.MarkDurable(applied_batch_);
  if (auto s = Replay(records); !s) return s;
  // Replayed and synced: nothing in the file is needed any more, so it may be cut or extended.
  if (reserve_bytes == 0) return OkStatus();
  if (auto s = journal_->Reserve(reserve_bytes); !s) {
    spdlog::warn("store {}: {}; the journal grows as it is written", path_, s.error());
  }
  return OkStatus();
}

Status SqliteStore::ReplayJournal(int64_t through) {
  std::vector<JournalFile::Record> records;
  auto reread = JournalFile::Open(journal_->path(), &records);
  if (!reread) return reread.as_error();
  // The reading handle is dropped; appends go on through the open one, after the same run.
  return Replay(records, through);
}

Status SqliteStore::Replay(const std::vector<JournalFile::Record>& records, int64_t through) {
  Status s = ReplayRecords(records, through);
  if (!s) DropProjection();  // nothing of a failed replay is kept: the journal still holds it all
  return s;
}

void SqliteStore::DropProjection() {
  if (projection_open_ && !sqlite3_get_autocommit(db_)) (void)Step(stmts_->rollback, "rollback");
  projection_open_ = false;
  applied_batch_ = committed_batch_;
  events_since_flush_ = 0;
  checked_absent_.clear();
  ReloadAfterRollback();
}

void SqliteStore::RecoverProjection() {
  // Until 2026-11-30 a replay whose commit failed as the first had recovered again, and again:
  // a full disk recursed until the stack or memory ran out.
  if (recovering_) return;
  // The batches since the last commit are journaled and acknowledged: applied again, once
  // every record queued is on the file.
  appender_.WaitIdle();
  undurable_outbox_.clear();
  DropProjection();
  recovering_ = true;
  // Not beyond the last durable batch: after a failed sync a record whose spoiling did not
  // reach the file either may still read as whole, and it was never acknowledged.
  Status replayed = ReplayJournal(appender_.durable());
  recovering_ = false;
  if (!replayed) {
    spdlog::error("{}", replayed.error());
    Latch(replayed.as_error());
  }
}

Status SqliteStore::ReplayRecords(const std::vector<JournalFile::Record>& records,
                                  int64_t through) {
  int64_t replayed = 0;
  checked_absent_.clear();  // a replay's events are checked in full
  if (auto s = Step(stmts_->begin, "begin"); !s) return s;
  projection_open_ = true;
  for (const auto& record : records) {
    if (record.batch <= applied_batch_) continue;  // the database has it
    if (record.batch > through) break;
    if (record.batch != applied_batch_ + 1) {
      return Error{"store " + path_ + ": its journal " + journal_->path() + " continues at batch " +
                       std::to_string(record.batch) + " but the database ends at batch " +
                       std::to_string(applied_batch_) +
                       "; refusing to open a store that has lost acknowledged writes",
                   ErrorCode::kCorruption};
    }
    auto batch = DecodeBatch(record.payload);
    if (!batch) {
      return Error{"store " + path_ + ": journal " + journal_->path() + " batch " +
                       std::to_string(record.batch) + ": " + batch.error(),
                   ErrorCode::kCorruption};
    }
    // The last record may be a batch the store refused after its append: until 2026-12 a large
    // batch's record was written while its rows were applied, and retracted if they were
    // refused; a retraction that failed latched the store. Applied under a savepoint, so that
    // such a record, left by an older build, is left out if it is refused again. (Records are
    // written only after their rows are applied now.)
    const bool last = &record == &records.back();
    if (last) {
      if (auto sp = Step(stmts_->savepoint, "savepoint"); !sp) return sp;
    }
    Status s = ApplyBatch(*batch);
    if (s) s = SetAppliedBatch(record.batch);
    if (!s && last && RefusedForItsContent(s.code())) {
      (void)Step(stmts_->rollback_to, "roll back to savepoint");
      if (auto r = Step(stmts_->release, "release savepoint"); !r) return r;
      ReloadAfterRollback();
      // The error names the batch's event ids, a sender's strings: not in the log.
      spdlog::warn("store {}: journal batch {} is refused again ({}); it was refused when "
                   "written and never acknowledged, its retraction did not reach the disk; left out",
                   path_, record.batch, ErrorCodeName(s.code()));
      break;
    }
    if (!s) {
      return Error{"store " + path_ + ": replaying journal batch " + std::to_string(record.batch) +
                       " failed: " + s.error(),
                   s.code() == ErrorCode::kUnavailable ? ErrorCode::kUnavailable
                                                       : ErrorCode::kCorruption};
    }
    if (last) {
      if (auto r = Step(stmts_->release, "release savepoint"); !r) return r;
    }
    applied_batch_ = record.batch;
    ++replayed;
  }
  appender_.MarkDurable(applied_batch_);  // read back from the file
  if (auto s = Flush(); !s) return s;
  // From here the database holds everything the journal does, durably; it starts over.
  if (auto s = SyncDatabase(); !s) return s;
  journal_->Rewind();
  if (replayed > 0) {
    spdlog::info("store {}: replayed {} batch(es) from its journal, through batch {}", path_,
                 replayed, applied_batch_);
  }
  return OkStatus();
}

void SqliteStore::CloseJournal() {
  if (!journal_) return;
  if (latch_) return;  // a restart replays what the journal holds
  if (auto s = Flush(); !s) {
    spdlog::error("store {}: last commit at close failed (the journal keeps it): {}", path_,
                  s.error());
    return;
  }
  if (auto s = SyncDatabase(); s) journal_->Rewind();
}

void SqliteStore::Rollback() {
  if (projection_open_) return;  // the projection's transaction is Write's and Flush's business
  if (sqlite3_get_autocommit(db_)) return;  // SQLite already rolled back (e.g. after IOERR)
  ResetGuard g{stmts_->rollback};
  stmts_->rollback.Step();
}

}  // namespace slussen
