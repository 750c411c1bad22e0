#include "util/kill_switch.h"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>

namespace slussen::testing {

void KillSwitch::Arm(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  pid_ = pid;
  fired_ = false;
  why_.clear();
}

bool KillSwitch::Fire(const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pid_ <= 0 || fired_) return false;
  kill(pid_, SIGKILL);
  // Dead, not reaped: WNOWAIT leaves the zombie (and so the pid) to the process's owner.
  siginfo_t info{};
  while (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  fired_ = true;
  why_ = why;
  cv_.notify_all();
  return true;
}

bool KillSwitch::WaitFired(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [this] { return fired_; });
}

void KillSwitch::Disarm() {
  std::lock_guard<std::mutex> lock(mu_);
  pid_ = -1;
}

bool KillSwitch::fired() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fired_;
}

std::string KillSwitch::why() const {
  std::lock_guard<std::mutex> lock(mu_);
  return why_;
}

}  // namespace slussen::testing
