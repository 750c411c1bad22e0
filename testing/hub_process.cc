#include "testing/hub_process.h"

#include <unistd.h>

#include <fstream>
#include <utility>

#include "testing/files.h"
#include "build_paths/hub_binary.h"

namespace slussen::testing {

std::string SlussenBinary() { return SLUSSEN_BINARY; }

HubProcess::HubProcess(std::string config_path, std::string stderr_path, std::string binary)
    : binary_(std::move(binary)),
      config_path_(std::move(config_path)),
      stderr_path_(std::move(stderr_path)) {}

std::string HubProcess::StderrTail(std::size_t max_bytes) const {
  return ReadFileTail(stderr_path_, max_bytes);
}

::testing::AssertionResult HubProcess::Start(std::chrono::milliseconds timeout) {
  if (child_.pid() > 0) {
    return ::testing::AssertionFailure() << "hub already running (pid " << child_.pid() << ")";
  }
  ++starts_;
  {
    std::ofstream log(stderr_path_, std::ios::app);
    log << "===== test harness: start #" << starts_ << ": " << binary_ << " --config "
        << config_path_ << " =====\n";
  }
  const Status started = child_.Start({binary_, "--config", config_path_}, stderr_path_, timeout);
  if (!started) return ::testing::AssertionFailure() << started.error();
  if (child_.name() != "slussen") {
    child_.Kill9();
    return ::testing::AssertionFailure()
           << "the hub's ready line names \"" << child_.name() << "\", not \"slussen\"";
  }
  return ::testing::AssertionSuccess();
}

ExitStatus HubProcess::Stop(std::chrono::milliseconds timeout) {
  return child_.Stop(timeout, [this] { AppendStacksToLog(); });
}

void HubProcess::AppendStacksToLog() {
  // A hub that does not stop: record where its threads are, if gdb is installed.
  if (child_.pid() <= 0 || access("/usr/bin/gdb", X_OK) != 0) return;
  const ProcessResult r =
      RunProcess({"/usr/bin/gdb", "-p", std::to_string(child_.pid()), "-batch", "-nx", "-ex",
                  "thread apply all bt"},
                 std::chrono::seconds(60));
  std::ofstream log(stderr_path_, std::ios::app);
  log << "===== test harness: hub did not stop; thread stacks (gdb) =====\n"
      << r.out << r.err << "===== end of thread stacks =====\n";
}

::testing::AssertionResult HubProcess::Restart(std::chrono::milliseconds timeout) {
  if (child_.pid() > 0) {
    const ExitStatus st = Stop(timeout);
    if (!st.Ok()) {
      return ::testing::AssertionFailure()
             << "hub did not stop cleanly on SIGTERM: " << st.ToString()
             << "\n--- hub stderr (tail) ---\n"
             << StderrTail() << "\n--- end of hub stderr ---";
    }
  }
  return Start(timeout);
}

}  // namespace slussen::testing
