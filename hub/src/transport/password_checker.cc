#include "transport/password_checker.h"

#include <argon2.h>
#include <string.h>

namespace slussen {

const char* PasswordChecker::DummyHash() {
  // The hash of 32 random bytes nobody kept.
  return "$argon2id$v=19$m=19456,t=2,p=1$6s99Xhc6hIKR7HqTfhF2Wg$"
         "oYHohXHXQ2S1wSdhVphLKiSuyH1oxTj5fiMYEmG9pH4";
}

PasswordChecker::PasswordChecker(std::size_t workers, std::size_t max_queued, Done done)
    : max_queued_(max_queued), done_(std::move(done)) {
  for (std::size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

PasswordChecker::~PasswordChecker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& job : queue_) explicit_bzero(job.password.data(), job.password.size());
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
}

bool PasswordChecker::Submit(uint64_t conn_id, std::string encoded_hash, std::string password) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) {
      explicit_bzero(password.data(), password.size());
      return false;
    }
    queue_.push_back(Job{conn_id, std::move(encoded_hash), std::move(password)});
  }
  cv_.notify_one();
  return true;
}

void PasswordChecker::Work() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    const bool known = !job.hash.empty();
    const bool match = argon2id_verify(known ? job.hash.c_str() : DummyHash(), job.password.data(),
                                       job.password.size()) == ARGON2_OK;
    explicit_bzero(job.password.data(), job.password.size());
    done_(job.conn_id, known && match);
  }
}

}  // namespace slussen
