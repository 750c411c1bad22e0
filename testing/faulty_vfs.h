#pragma once
// A SQLite VFS for fault tests: wraps the default VFS and, while armed, fails every xSync with
// SQLITE_IOERR_FSYNC, as a disk whose fsync reports an error would, or every write to a
// write-ahead log with SQLITE_IOERR_WRITE; it counts the log writes that went through. Installed
// as the default VFS for the lifetime of a FaultyVfs object, so that code opening files by path
// (SqliteStore, its checkpointer) goes through it unchanged. One at a time per process; tests
// run sequentially.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

struct sqlite3_vfs;

namespace slussen::testing {

class FaultyVfs {
 public:
  FaultyVfs();   // registers and makes itself the default
  ~FaultyVfs();  // restores the previous default
  FaultyVfs(const FaultyVfs&) = delete;
  FaultyVfs& operator=(const FaultyVfs&) = delete;

  void FailSyncs(bool fail) { fail_syncs_.store(fail); }
  // Armed after `n` more syncs have gone through (to fail a second sync, not the first).
  void FailSyncsAfter(uint64_t n) {
    syncs_before_failing_.store(n);
    fail_syncs_.store(true);
  }
  // Only syncs of main database files fail (a checkpoint's), not of write-ahead logs (a commit's).
  void FailDatabaseSyncsOnly(bool only) { database_only_.store(only); }
  // Writes to write-ahead logs fail with `code`, as on a failing (SQLITE_IOERR_WRITE) or full
  // (SQLITE_FULL) disk.
  void FailLogWrites(bool fail, int code = kIoErrWrite) {
    log_write_error_.store(code);
    fail_log_writes_.store(fail);
  }
  // While held, a sync of a file opened as a main journal (the store's journal) waits, as on a
  // slow disk: what was submitted stays not durable until the hold ends.
  void HoldJournalSyncs(bool hold);
  // Journal syncs waiting for the hold to end.
  int held_syncs() const;
  // For the VFS's own functions: waits while journal syncs are held.
  void WaitIfHeld(int open_flags);
  // Writes to write-ahead logs that went through (one call each, whatever its size).
  uint64_t log_writes() const { return log_writes_.load(); }
  // Syncs that failed because the VFS was armed, and syncs that went through.
  uint64_t failed_syncs() const { return failed_syncs_.load(); }
  uint64_t syncs() const { return syncs_.load(); }

  // For the VFS's own functions: counts a sync of a file opened with `open_flags`, true if it
  // must fail.
  bool CountSync(int open_flags);
  // The same for a write; the error it fails with, or 0.
  int CountWrite(int open_flags);
  static constexpr int kIoErrWrite = 10 | (3 << 8);  // SQLITE_IOERR_WRITE, without sqlite3.h
  sqlite3_vfs* real() const { return real_; }

 private:
  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs* vfs_ = nullptr;  // owned
  std::atomic<bool> fail_syncs_{false};
  std::atomic<bool> database_only_{false};
  std::atomic<uint64_t> syncs_before_failing_{0};
  std::atomic<uint64_t> failed_syncs_{0};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<bool> fail_log_writes_{false};
  std::atomic<int> log_write_error_{kIoErrWrite};
  std::atomic<uint64_t> log_writes_{0};
  mutable std::mutex hold_mu_;
  std::condition_variable hold_cv_;
  bool hold_ = false;   // guarded by hold_mu_
  int held_ = 0;        // guarded by hold_mu_
};

}  // namespace slussen::testing
