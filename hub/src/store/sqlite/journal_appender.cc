#include "store/sqlite/journal_appender.h"

#include <string>
#include <utility>

#include "common/thread_name.h"
#include "store/sqlite/sqlite_journal.h"

namespace slussen {

JournalAppender::JournalAppender() : thread_([this] { Run(); }) {}

// What is queued is still written (Run empties the queue before it looks at stopping_): those
// batches were applied, and a clean stop commits them.
JournalAppender::~JournalAppender() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
}

void JournalAppender::Use(JournalFile* file) {
  std::lock_guard lock(mu_);
  file_ = file;
}

void JournalAppender::Queue(int64_t batch, std::string payload) {
  bool kick = false;
  {
    std::unique_lock lock(mu_);
    if (queued_bytes_ >= kMaxQueuedBytes && !failure_) {
      kicked_ = true;
      work_cv_.notify_one();
      done_cv_.wait(lock, [&] { return queued_bytes_ < kMaxQueuedBytes || failure_; });
    }
    queued_bytes_ += payload.size();
    queue_.push_back({batch, std::move(payload)});
    kick = queued_bytes_ >= kKickBytes && !kicked_;
    if (kick) kicked_ = true;
  }
  if (kick) work_cv_.notify_one();
}

void JournalAppender::Kick() {
  {
    std::lock_guard lock(mu_);
    if (queue_.empty() || kicked_) return;
    kicked_ = true;
  }
  work_cv_.notify_one();
}

bool JournalAppender::WriteHere() {
  std::unique_lock lock(mu_);
  if (writing_ || queue_.empty()) return false;
  WriteQueued(lock);
  return true;
}

void JournalAppender::WriteQueued(std::unique_lock<std::mutex>& lock) {
  std::vector<Queued> group;
  group.swap(queue_);
  queued_bytes_ = 0;
  kicked_ = false;
  writing_ = true;
  const bool failed_before = failure_.has_value();
  lock.unlock();
  done_cv_.notify_all();  // room in the queue
  // After a failure nothing more is written: the store has latched, or will when it looks.
  Status result = failed_before ? OkStatus() : WriteGroup(group);
  lock.lock();
  writing_ = false;
  if (!failed_before) {
    if (result) {
      durable_ = group.back().batch;
    } else {
      failure_ = result.as_error();
    }
  }
  done_cv_.notify_all();
}

Status JournalAppender::WaitDurable(int64_t batch) {
  std::unique_lock lock(mu_);
  while (durable_ < batch && !failure_) {
    if (writing_) {
      done_cv_.wait(lock);
    } else if (!queue_.empty()) {
      WriteQueued(lock);  // nobody else is at it: no reason to wake a thread and wait
    } else {
      // Neither queued nor being written: it never will be (a caller's bug, not the disk's).
      return Error{"journal batch " + std::to_string(batch) + " was never queued (durable through " +
                       std::to_string(durable_) + ")",
                   ErrorCode::kInternal};
    }
  }
  if (durable_ >= batch) return OkStatus();
  return *failure_;
}

void JournalAppender::MarkDurable(int64_t batch) {
  {
    std::lock_guard lock(mu_);
    if (batch > durable_) durable_ = batch;
  }
  done_cv_.notify_all();
}

void JournalAppender::WaitIdle() {
  std::unique_lock lock(mu_);
  while (writing_ || (!queue_.empty() && !failure_)) {
    if (!writing_) {
      WriteQueued(lock);
    } else {
      done_cv_.wait(lock);
    }
  }
}

int64_t JournalAppender::durable() const {
  std::lock_guard lock(mu_);
  return durable_;
}

std::optional<Error> JournalAppender::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void JournalAppender::SetListener(std::function<void()> listener) {
  std::lock_guard lock(listener_mu_);
  listener_ = std::move(listener);
}

Status JournalAppender::WriteGroup(const std::vector<Queued>& group) {
  if (!file_) return Error{"journal not open", ErrorCode::kInternal};
  for (const auto& q : group) {
    if (auto s = file_->Write(q.batch, q.payload); !s) return s;
  }
  return file_->Sync();
}

void JournalAppender::Run() {
  NameThisThread("journal");
  std::unique_lock lock(mu_);
  while (true) {
    // At a stop whatever is queued is written: those batches were applied, and a clean stop
    // commits them.
    work_cv_.wait(lock, [&] { return (kicked_ && !queue_.empty()) || stopping_; });
    if (queue_.empty()) {
      if (stopping_) return;
      kicked_ = false;
      continue;
    }
    if (writing_) {  // WriteHere is at it; the queue comes next
      done_cv_.wait(lock, [&] { return !writing_; });
      continue;
    }
    WriteQueued(lock);
    lock.unlock();
    {
      std::lock_guard listener_lock(listener_mu_);
      if (listener_) listener_();
    }
    lock.lock();
  }
}

}  // namespace slussen
