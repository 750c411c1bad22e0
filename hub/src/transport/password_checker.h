#pragma once
// Checks SASL PLAIN passwords against their argon2id hashes off the socket thread. argon2id is
// slow and memory-hard on purpose (tens of milliseconds and ~19 MiB per check with the
// parameters of slussen --hash-password), so a few worker threads take checks from a bounded
// queue: a flood of logins can neither stall the socket loop nor take unbounded memory. A full
// queue refuses the check at once (the login fails). Each result goes to `done` on a worker
// thread (the transport posts it to the socket loop's inbox).
//
// A user with no hash is checked against a fixed dummy hash of the same cost, so that a wrong
// user name takes as long as a wrong password and the timing does not tell which users exist.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace slussen {

class PasswordChecker {
 public:
  using Done = std::function<void(uint64_t conn_id, bool ok)>;

  PasswordChecker(std::size_t workers, std::size_t max_queued, Done done);
  ~PasswordChecker();  // waits for the check in progress; drops the queued ones
  PasswordChecker(const PasswordChecker&) = delete;
  PasswordChecker& operator=(const PasswordChecker&) = delete;

  // Any thread. `encoded_hash` empty: the user is unknown (checked against the dummy, fails).
  // The password is wiped once checked. False: the queue is full, nothing was taken.
  bool Submit(uint64_t conn_id, std::string encoded_hash, std::string password);

  // The hash an unknown user is checked against (argon2id, m=19456 KiB, t=2, p=1).
  static const char* DummyHash();

 private:
  struct Job {
    uint64_t conn_id = 0;
    std::string hash;
    std::string password;
  };
  void Work();

  const std::size_t max_queued_;
  const Done done_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace slussen
