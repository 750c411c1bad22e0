#pragma once
// Runs the real `slussen` binary (SLUSSEN_BINARY) as a child process for integration tests, on
// the one process harness (child_process.h), with GoogleTest results.
//
// Start() spawns `slussen --config FILE` with stderr appended to a log file (normally in the
// test's TempDir), then waits for the one stdout line `slussen ready amqp=HOST:PORT`. If the hub
// exits first or the line does not come within the timeout, Start() fails with the tail of the
// hub's stderr. The destructor SIGKILLs a hub that is still running, so a failing test never
// leaves one behind.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "testing/child_process.h"

namespace slussen::testing {

// The path of the slussen binary under test.
std::string SlussenBinary();

class HubProcess {
 public:
  // `stderr_path` is appended to across restarts, with a marker line before each start.
  HubProcess(std::string config_path, std::string stderr_path,
             std::string binary = SlussenBinary());
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  // Spawns the hub and waits for its ready line. Fails if already running.
  ::testing::AssertionResult Start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM, then waits for exit (SIGKILL and timed_out if it takes longer than `timeout`; the
  // hub's thread stacks go to its log first, if gdb is installed).
  ExitStatus Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGKILL, then waits for exit.
  ExitStatus Kill9() { return child_.Kill9(); }
  // Stops a running hub with SIGTERM (which must exit 0) and starts it again with the same
  // config.
  ::testing::AssertionResult Restart(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // True if the child is running (reaps it if it has exited, recording its status).
  bool Alive() { return child_.Alive(); }
  pid_t pid() const { return child_.pid(); }
  int starts() const { return starts_; }

  // From the ready line of the current (or last) run.
  const std::string& host() const { return child_.host(); }
  uint16_t port() const { return child_.port(); }
  std::string url() const { return child_.url(); }
  // Another endpoint of the ready line ("admin"), "HOST:PORT"; empty if it has none such.
  std::string Endpoint(const std::string& key) const { return child_.Endpoint(key); }

  // How the last run ended (valid once it has ended).
  const ExitStatus& last_exit() const { return child_.last_exit(); }
  // Anything written to stdout after the ready line (the contract says: nothing).
  std::string ExtraStdout() { return child_.ExtraStdout(); }
  const std::string& stderr_path() const { return stderr_path_; }
  std::string StderrTail(std::size_t max_bytes = 8192) const;

 private:
  void AppendStacksToLog();

  std::string binary_;
  std::string config_path_;
  std::string stderr_path_;
  int starts_ = 0;
  ChildProcess child_;
};

}  // namespace slussen::testing
