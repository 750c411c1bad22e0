#pragma once
// Runs slussenctl against a running hub's admin listener, as an operator would: with --admin and
// a token file. For the tests of the operator commands.
#include <string>
#include <vector>

#include "testing/child_process.h"
#include "testing/files.h"
#include "build_paths/integration.h"

namespace slussen::testing {

class SlussenctlRunner {
 public:
  explicit SlussenctlRunner(std::string admin) : admin_(std::move(admin)) {}

  ProcessResult Run(const std::string& token_file, const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {SLUSSENCTL_BINARY, "--admin", admin_, "--token-file",
                                     token_file};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }
  // The exit code, or -1 if it did not exit (a signal).
  static int Code(const ProcessResult& r) { return r.status.exited ? r.status.code : -1; }

 private:
  std::string admin_;
};

// Writes `token` as the first line of `path` (what --token-file reads); returns the path.
inline std::string TokenFile(const std::string& path, const std::string& token) {
  WriteFile(path, token + "\n");
  return path;
}

}  // namespace slussen::testing
