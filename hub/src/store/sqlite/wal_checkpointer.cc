#include "store/sqlite/wal_checkpointer.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

#include "common/thread_name.h"
#include "store/sqlite/sqlite_util.h"
#include "store/sqlite/wal_write_buffer.h"

namespace slussen {
namespace {
constexpr int kRestartFrames = 4096;  // 16 MB of log

// A TRUNCATE (the disk bound) polls for the write lock and for readers to leave: 500 tries of
// 20 us, about 10 ms, then BUSY until the next request.
constexpr int kTruncateTries = 500;

int PollBriefly(void* tries_allowed, int tries) {
  if (tries >= *static_cast<const int*>(tries_allowed)) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(20));
  return 1;
}
}  // namespace


Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path) {
  sqlite::ConfigureLibrary();
  sqlite3* db = nullptr;
  // Through the store's VFS: a log that failed to be written out fails this connection's reads too.
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                 sqlite::WalWriteBufferVfs());
  if (rc != SQLITE_OK) {
    std::string msg = "store " + path + ": cannot open the checkpoint connection: " +
                      (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Error{msg};
  }
  sqlite::Configure(db);
  // NORMAL: a checkpoint syncs the log before it copies frames into the database file, and the
  // database file before it marks them copied. With OFF (and a sync of both files after the
  // run) the writer could restart the log over frames whose pages were not yet on disk in the
  // database file: after a power loss the database would lack them, and the journal cannot be
  // replayed onto a damaged base (hub/DESIGN.md "Store performance"). The PASSIVE run holds no
  // lock, so its syncs hold nobody up; RESTART holds the writer off for the sync of what was
  // committed since the PASSIVE run just before it.
  char* err = nullptr;
  if (sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = "store " + path + ": checkpoint connection: " + (err ? err : "error");
    sqlite3_free(err);
    sqlite3_close(db);
    return Error{msg};
  }
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(db, path));
  sqlite3_busy_handler(db, &PollBriefly, &c->busy_tries_);
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  return c;
}

WalCheckpointer::WalCheckpointer(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  sqlite3_close(db_);
}

void WalCheckpointer::Request() {
  {
    std::lock_guard lock(mu_);
    if (wanted_) return;
    wanted_ = true;
  }
  cv_.notify_one();
}

void WalCheckpointer::RequestTruncate() {
  {
    std::lock_guard lock(mu_);
    truncate_ = true;
    wanted_ = true;
  }
  cv_.notify_one();
}

uint64_t WalCheckpointer::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

std::optional<Error> WalCheckpointer::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void WalCheckpointer::Run() {
  NameThisThread("checkpoint");
  while (true) {
    bool truncate = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
      truncate = std::exchange(truncate_, false);
      if (failure_) continue;
    }
    int log_frames = 0;
    int copied = 0;
    int rc = SQLITE_OK;
    bool restarted = false;
    auto checkpoint = [&](int mode, int tries) {
      busy_tries_ = tries;
      rc = sqlite3_wal_checkpoint_v2(db_, nullptr, mode, &log_frames, &copied);
      return rc == SQLITE_OK;
    };
    if (truncate) {
      // The disk bound: copy without holding anyone off, then wait a little for the writer and
      // for readers to leave the log, holding the write lock (the longest a reader can hold the
      // core off by it).
      if (checkpoint(SQLITE_CHECKPOINT_PASSIVE, 0) || rc == SQLITE_BUSY) {
        restarted = checkpoint(SQLITE_CHECKPOINT_TRUNCATE, kTruncateTries);
      }
    } else if (caught_up_ && log_frames_ >= kRestartFrames) {
      // At once and without waiting: a request comes from the core's commit hook, so the write
      // lock is free now, and once the core has begun its next projection transaction it stays
      // taken until the next flush. The last run copied the whole log, so what this copies
      // while it holds the writer off is the one flush since, not a backlog.
      restarted = checkpoint(SQLITE_CHECKPOINT_RESTART, 0);
      if (!restarted && rc == SQLITE_BUSY) checkpoint(SQLITE_CHECKPOINT_PASSIVE, 0);
    } else {
      checkpoint(SQLITE_CHECKPOINT_PASSIVE, 0);
    }
    caught_up_ = rc == SQLITE_OK && copied == log_frames;
    log_frames_ = restarted ? 0 : log_frames;
    // BUSY: the writer or a reader held on, or the writer's fallback checkpoint ran; the next
    // request tries again. The checkpoint synced what it copied; a sync of both files after it
    // still reports an I/O error here rather than at the journal's next reuse.
    if (rc == SQLITE_OK || rc == SQLITE_BUSY) rc = sqlite::SyncFiles(db_);
    std::optional<Error> failed;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      Error e = sqlite::StoreError(path_, "checkpoint", rc, db_);
      if (e.code == ErrorCode::kDataLoss || e.code == ErrorCode::kCorruption) {
        spdlog::error("{}; no more checkpoints, the store stops taking writes", e.message);
        sqlite::WriteLatchMarker(path_, e.message);
        failed = std::move(e);
      } else {
        spdlog::warn("{}; the write-ahead log keeps growing until one succeeds", e.message);
      }
    }
    std::lock_guard lock(mu_);
    ++runs_;
    if (failed && !failure_) failure_ = std::move(failed);
  }
}

}  // namespace slussen
