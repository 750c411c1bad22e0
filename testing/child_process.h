#pragma once
// Child processes for the tests and the benchmark, one harness for both: servers (the real
// `slussen` binary, the bench's raw peer) that print "<name> ready amqp=HOST:PORT" as their first
// stdout line once they listen, and commands run to completion with their output captured.
//
// A server is spawned with stdin on /dev/null, stdout on a pipe and stderr appended to a log file;
// Start() waits for the ready line with a deadline, then a thread keeps reading stdout so that the
// child can never block on it. The destructor SIGKILLs a child that is still running, so a failing
// test or an aborted benchmark never leaves one behind. Errors are values (common/result.h).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace slussen::testing {

// How a child process ended.
struct ExitStatus {
  bool exited = false;     // exited normally; `code` is valid
  int code = -1;
  int signal = 0;          // killed by this signal
  bool timed_out = false;  // did not end in time and was SIGKILLed by the harness
  bool Ok() const { return exited && code == 0; }
  std::string ToString() const;
};

ExitStatus ExitStatusFromWait(int wait_status);

// Runs a command to completion, capturing stdout and stderr.
struct ProcessResult {
  ExitStatus status;
  std::string out;
  std::string err;  // empty with Stderr::kMerged
};
enum class Stderr {
  kSeparate,  // into ProcessResult::err
  kMerged,    // into ProcessResult::out, interleaved as written
};
// Returns once the command has exited and what it wrote is read: a daemon it started that keeps
// the pipes open (RabbitMQ's beam) does not hold it up. SIGKILL after `timeout` (timed_out).
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30),
                         Stderr stderr_mode = Stderr::kSeparate);

class ChildProcess {
 public:
  using Clock = std::chrono::steady_clock;

  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Spawns `argv` with stderr appended to `stderr_path` and waits until its first stdout line,
  // which must be "<name> ready KEY=HOST:PORT..." (the hub: amqp=…; an adapter: mllp=… http=…). If the child exits first, says something else or
  // is silent until `timeout`, it is killed and the error says so, with the tail of its log.
  Status Start(const std::vector<std::string>& argv, const std::string& stderr_path,
               std::chrono::milliseconds timeout);
  // SIGTERM, then waits up to `timeout` for the exit. A child that takes longer gets SIGKILL
  // (timed_out in the result), after `on_timeout` has run (to record where it hangs).
  ExitStatus Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30),
                  const std::function<void()>& on_timeout = {});
  // SIGKILL, then waits for the exit.
  ExitStatus Kill9();
  // Sends `signal` to a running child.
  void Signal(int signal);
  // Waits for the child to end until `deadline`; true if it has (see last_exit()).
  bool WaitUntil(Clock::time_point deadline);
  // True while the child runs (reaps it if it has exited, recording how it ended).
  bool Alive();

  // -1 when not running; otherwise for signals and /proc/<pid>.
  pid_t pid() const { return pid_; }
  // From the ready line of the current (or last) run.
  const std::string& name() const { return name_; }
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  std::string url() const { return host_ + ":" + std::to_string(port_); }
  // Every endpoint of the ready line: "http" -> "127.0.0.1:40123"; empty if it has none such.
  std::string Endpoint(const std::string& key) const {
    auto it = endpoints_.find(key);
    return it == endpoints_.end() ? std::string()
                                  : it->second.first + ":" + std::to_string(it->second.second);
  }
  // When the last Start() spawned the child and when it saw the ready line.
  Clock::time_point spawned_at() const { return spawned_at_; }
  Clock::time_point ready_at() const { return ready_at_; }
  // How the last run ended (valid once it has ended).
  const ExitStatus& last_exit() const { return last_exit_; }
  // Anything written to stdout after the ready line.
  std::string ExtraStdout();

 private:
  void Reap(int wait_status);
  void JoinDrain();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string name_;
  std::string host_;
  uint16_t port_ = 0;
  std::map<std::string, std::pair<std::string, uint16_t>> endpoints_;
  Clock::time_point spawned_at_;
  Clock::time_point ready_at_;
  ExitStatus last_exit_;

  std::thread drain_;
  std::mutex mu_;
  std::string extra_stdout_;
};

}  // namespace slussen::testing
