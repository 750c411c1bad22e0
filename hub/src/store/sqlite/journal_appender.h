#pragma once
// Runs the store's journal appends of large batches on a thread of its own, so that the core
// thread applies a batch to the database while the batch's record is encoded, written and
// fdatasync'd: a Write takes the longer of the two, not their sum (hub/DESIGN.md "Durable write
// path").
//
// One append at a time: Start hands a job over, Wait takes its result, and nothing else touches
// the journal in between. The mutex that hands the job over and back orders the two threads'
// use of the journal file, so the file itself keeps one owner at a time.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "common/result.h"

namespace slussen {

class JournalAppender {
 public:
  JournalAppender();   // starts the thread
  ~JournalAppender();  // waits for the job under way, then stops the thread
  JournalAppender(const JournalAppender&) = delete;
  JournalAppender& operator=(const JournalAppender&) = delete;

  // Runs `append` on the appender's thread. What it reads must stay unchanged until Wait
  // returns. Not while another job is under way.
  void Start(std::function<Status()> append);
  // The result of the job Start handed over, once it has returned.
  Status Wait();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<Status()> job_;    // guarded by mu_; set by Start, taken by the thread
  std::optional<Status> result_;   // guarded by mu_; set by the thread, taken by Wait
  bool stopping_ = false;          // guarded by mu_
  std::thread thread_;             // last: started once the rest is in place
};

}  // namespace slussen
