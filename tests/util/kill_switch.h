#pragma once
// SIGKILL for a child process (the hub), fired from whichever thread first sees the moment the
// test planned: a client's settlement callback or a receiver's handler, in the middle of what
// that thread is doing. Fire() returns only once the process is dead, so the thread that fired
// acts on a dead peer from then on (its next accept or send cannot reach the hub).
//
// The process is not reaped here (waitid with WNOWAIT): its owner (ChildProcess) reaps it with
// its own Kill9(), and until Disarm() no pid can be reused under us. Thread-safe.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace slussen::testing {

class KillSwitch {
 public:
  // From now on the first Fire() kills `pid` (-1: nothing), and fired() is false until then.
  void Arm(pid_t pid);
  // Kills the armed process once and waits for it to die; later calls, and calls while
  // disarmed, do nothing. `why` is kept for the report. True if this call killed it.
  bool Fire(const std::string& why);
  // Waits until Fire() has killed the process; false if not by `deadline`.
  bool WaitFired(std::chrono::steady_clock::time_point deadline);
  // Before the owner reaps the process: no later Fire() may signal its pid.
  void Disarm();

  bool fired() const;
  std::string why() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  pid_t pid_ = -1;
  bool fired_ = false;
  std::string why_;
};

}  // namespace slussen::testing
