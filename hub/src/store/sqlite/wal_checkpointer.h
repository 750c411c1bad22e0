#pragma once
// Copies the store's write-ahead log back into the database file on its own thread, over its own
// connection, so that the core's commits never wait for a checkpoint.
//
// Why: SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold — a copy
// of up to a thousand pages into the database file and an fsync of it — and the inbound events
// queued behind that commit wait for all of it; that was the tail of the hub's latency (see
// hub/DESIGN.md "Store"). Here the writer's connection only reports the WAL size after each
// commit (sqlite3_wal_hook, in SqliteStore); past the threshold this thread
//   1. runs a PASSIVE checkpoint, which copies the log and syncs the database file without
//      blocking the writer;
//   2. once the log is long (kRestartFrames) and the last PASSIVE run copied all of it, runs a
//      RESTART checkpoint instead, at once when asked: right after a commit, the one moment the
//      write lock is free (the core keeps its projection transaction open from its next write to
//      the next flush). It holds the writer off while it copies that one flush's pages, and
//      makes the next commit write the log from its beginning again. If the lock is taken it
//      does not wait (BUSY: a PASSIVE run, and the restart at the next request).
// Step 2 matters: under steady traffic a passive checkpoint never catches the last commit, so the
// log would only grow, up to the core's own fallback checkpoint on its thread (SqliteStore). It
// used to come after the PASSIVE run and poll for the write lock (20 us steps, up to 10 ms):
// with the projection transaction open between flushes that poll lost nearly every time, and
// cost a tenth of a core at 1,000 events/s.
//
// An I/O error or a corruption in a checkpoint stops all further checkpoints (failure()): a
// later one might succeed where the kernel dropped the pages of the failed one, reset the log,
// and so lose committed transactions that the log alone still holds. The store latches on it.
//
// Owns its connection and thread; Request() and the accessors are the calls from other threads.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"

struct sqlite3;

namespace slussen {

class WalCheckpointer {
 public:
  // Opens a second connection to the database at `path` (already in WAL mode).
  static Result<std::unique_ptr<WalCheckpointer>> Start(const std::string& path);
  ~WalCheckpointer();  // stops the thread, then closes the connection
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Thread-safe, cheap: asks for a checkpoint as soon as the thread is free.
  void Request();
  // Thread-safe, cheap: asks for a checkpoint that also truncates the log file to zero bytes
  // (SQLite's TRUNCATE mode). For the disk bound: the log file otherwise keeps its largest size
  // (up to journal_size_limit) once it has grown, e.g. while a reader held it.
  void RequestTruncate();

  // Checkpoints run so far (complete or not); for tests and diagnostics.
  uint64_t runs() const;

  // The I/O error or corruption that stopped checkpointing, if one did.
  std::optional<Error> failure() const;

 private:
  WalCheckpointer(sqlite3* db, std::string path);
  void Run();

  sqlite3* const db_;
  const std::string path_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;    // guarded by mu_
  bool truncate_ = false;  // guarded by mu_; the wanted checkpoint truncates the log
  bool stopping_ = false;  // guarded by mu_
  uint64_t runs_ = 0;      // guarded by mu_
  // The checkpoint thread's own: the log's length after its last run, whether that run copied
  // all of it, and how long the busy handler may poll (tries of 20 us) in the current one.
  int log_frames_ = 0;
  bool caught_up_ = false;
  int busy_tries_ = 0;
  std::optional<Error> failure_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace slussen
