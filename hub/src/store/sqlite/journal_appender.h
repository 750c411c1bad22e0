#pragma once
// Writes the records the core thread queues and makes them durable with one fdatasync per group,
// either on the appender's own thread while the core thread goes on applying the next batches
// (Kick: the core has more to do), or on the calling thread (WriteHere: it has nothing else to
// do, and a hand-over would cost two thread wake-ups) (hub/DESIGN.md "Durable write path").
// Whatever was queued while a sync was under way goes out together with the next one: group
// commit without the core waiting for the disk while it has work.
//
// Records are written in the order they were queued and durable in that order: durable() is the
// number of the last record synced. After a failed write or sync nothing more is written; the
// records not synced are spoiled (JournalFile) and failure() says why.
//
// The journal file is written by one thread at a time, whichever set writing_ under mu_ (the
// appender's, or a caller of WriteHere, WaitDurable or WaitIdle); its owner (SqliteStore)
// rewinds, reserves or truncates it only after WaitIdle.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace slussen {

class JournalFile;

class JournalAppender {
 public:
  JournalAppender();   // starts the thread
  ~JournalAppender();  // writes and syncs what is queued, then stops the thread
  JournalAppender(const JournalAppender&) = delete;
  JournalAppender& operator=(const JournalAppender&) = delete;

  // The file the records go to; set while nothing is queued.
  void Use(JournalFile* file);
  // Queues record `batch` (numbers consecutive), to be written by Kick, WriteHere or a wait.
  // From kKickBytes queued on the appender's thread takes them by itself; blocks while more than
  // kMaxQueuedBytes wait, so that a slow disk holds the core back rather than fills memory.
  void Queue(int64_t batch, std::string payload);
  // The appender's thread writes and syncs what is queued.
  void Kick();
  // Writes and syncs what is queued on the calling thread, unless the appender's thread is
  // writing (it takes the queue next); whether it did.
  bool WriteHere();
  // Until every record queued through `batch` is durable; the failure if one was not.
  Status WaitDurable(int64_t batch);
  // Records through `batch` are durable without this thread (read back from the file at open).
  void MarkDurable(int64_t batch);
  // Until nothing is queued or being written (then the file is its owner's).
  void WaitIdle();
  int64_t durable() const;
  std::optional<Error> failure() const;
  // Called on the appender's thread after each group is durable or has failed (not under mu_).
  // Replaced or cleared at any time; a call under way finishes first.
  void SetListener(std::function<void()> listener);

  static constexpr std::size_t kKickBytes = 1u << 20;
  static constexpr std::size_t kMaxQueuedBytes = 32u << 20;

 private:
  struct Queued {
    int64_t batch = 0;
    std::string payload;
  };
  void Run();
  Status WriteGroup(const std::vector<Queued>& group);
  // Takes the queue and writes it with mu_ released; `lock` holds mu_ before and after.
  void WriteQueued(std::unique_lock<std::mutex>& lock);

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // something queued, or stopping
  std::condition_variable done_cv_;  // a group finished, or room in the queue
  JournalFile* file_ = nullptr;      // guarded by mu_ for the hand-over
  std::vector<Queued> queue_;        // guarded by mu_
  std::size_t queued_bytes_ = 0;     // guarded by mu_
  bool writing_ = false;             // guarded by mu_: a group is being written
  int64_t durable_ = 0;              // guarded by mu_
  std::optional<Error> failure_;     // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  bool kicked_ = false;              // guarded by mu_: the thread is to take the queue
  std::mutex listener_mu_;           // held while the listener runs
  std::function<void()> listener_;   // guarded by listener_mu_
  std::thread thread_;               // last: started once the rest is in place
};

}  // namespace slussen
