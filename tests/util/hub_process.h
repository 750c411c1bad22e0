#pragma once
// Runs the real `slussen` binary (SLUSSEN_BINARY) as a child process for integration tests.
//
// Start() spawns `slussen --config FILE` with stdout on a pipe and stderr appended to a log file
// (normally in the test's TempDir), then waits for the one stdout line
// `slussen ready amqp=HOST:PORT`. If the hub exits first or the line does not come within the
// timeout, Start() fails with the tail of the hub's stderr. The destructor SIGKILLs a hub that is
// still running, so a failing test never leaves one behind.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

// Runs a command to completion, capturing stdout and stderr. Kills it after `timeout`.
struct ProcessResult {
  ExitStatus status;
  std::string out;
  std::string err;
};
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The path of the slussen binary under test.
std::string SlussenBinary();

class HubProcess {
 public:
  // `stderr_path` is appended to across restarts, with a marker line before each start.
  HubProcess(std::string config_path, std::string stderr_path,
             std::string binary = SlussenBinary());
  ~HubProcess();
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  // Spawns the hub and waits for its ready line. Fails if already running.
  ::testing::AssertionResult Start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM, then waits for exit (SIGKILL and timed_out if it takes longer than `timeout`).
  ExitStatus Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGKILL, then waits for exit.
  ExitStatus Kill9();
  // Stops a running hub with SIGTERM (which must exit 0) and starts it again with the same
  // config.
  ::testing::AssertionResult Restart(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // True if the child is running (reaps it if it has exited, recording its status).
  bool Alive();
  pid_t pid() const { return pid_; }
  int starts() const { return starts_; }

  // From the ready line of the current (or last) run.
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  std::string url() const { return host_ + ":" + std::to_string(port_); }

  // How the last run ended (valid once it has ended).
  const ExitStatus& last_exit() const { return last_exit_; }
  // Anything written to stdout after the ready line (the contract says: nothing).
  std::string ExtraStdout();
  const std::string& stderr_path() const { return stderr_path_; }
  std::string StderrTail(std::size_t max_bytes = 8192) const;

 private:
  // Waits for the child until `deadline`; true if it was reaped.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline);
  void Reap(int wait_status);
  void JoinDrain();
  void AppendStacksToLog();

  std::string binary_;
  std::string config_path_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int starts_ = 0;
  std::string host_;
  uint16_t port_ = 0;
  ExitStatus last_exit_;

  std::thread drain_;
  std::mutex mu_;
  std::string extra_stdout_;
};

}  // namespace slussen::testing
