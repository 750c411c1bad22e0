#pragma once
// A SQLite VFS for fault tests: wraps the default VFS and, while armed, fails every xSync with
// SQLITE_IOERR_FSYNC, as a disk whose fsync reports an error would. Installed as the default VFS
// for the lifetime of a FaultyVfs object, so that code opening files by path (SqliteStore, its
// checkpointer) goes through it unchanged. One at a time per process; tests run sequentially.
#include <atomic>
#include <cstdint>

struct sqlite3_vfs;

namespace slussen::testing {

class FaultyVfs {
 public:
  FaultyVfs();   // registers and makes itself the default
  ~FaultyVfs();  // restores the previous default
  FaultyVfs(const FaultyVfs&) = delete;
  FaultyVfs& operator=(const FaultyVfs&) = delete;

  void FailSyncs(bool fail) { fail_syncs_.store(fail); }
  // Only syncs of main database files fail (a checkpoint's), not of write-ahead logs (a commit's).
  void FailDatabaseSyncsOnly(bool only) { database_only_.store(only); }
  // Syncs that failed because the VFS was armed, and syncs that went through.
  uint64_t failed_syncs() const { return failed_syncs_.load(); }
  uint64_t syncs() const { return syncs_.load(); }

  // For the VFS's own functions: counts a sync of a file opened with `open_flags`, true if it
  // must fail.
  bool CountSync(int open_flags);
  sqlite3_vfs* real() const { return real_; }

 private:
  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs* vfs_ = nullptr;  // owned
  std::atomic<bool> fail_syncs_{false};
  std::atomic<bool> database_only_{false};
  std::atomic<uint64_t> failed_syncs_{0};
  std::atomic<uint64_t> syncs_{0};
};

}  // namespace slussen::testing
