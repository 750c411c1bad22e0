#include "store/sqlite/journal_appender.h"

#include <utility>

#include "common/thread_name.h"

namespace slussen {

JournalAppender::JournalAppender() : thread_([this] { Run(); }) {}

// A job handed over still runs (Run takes a job before it looks at stopping_): it writes to a
// file that its owner closes after this.
JournalAppender::~JournalAppender() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void JournalAppender::Start(std::function<Status()> append) {
  {
    std::lock_guard lock(mu_);
    job_ = std::move(append);
    result_.reset();
  }
  cv_.notify_all();
}

Status JournalAppender::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return result_.has_value(); });
  Status result = std::move(*result_);
  result_.reset();
  return result;
}

void JournalAppender::Run() {
  NameThisThread("journal");
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return job_ || stopping_; });
    if (!job_) return;  // stopping, nothing handed over
    std::function<Status()> job;
    job.swap(job_);
    lock.unlock();
    Status result = job();
    lock.lock();
    result_ = std::move(result);
    cv_.notify_all();
  }
}

}  // namespace slussen
