#pragma once
// The command line every adapter takes, `NAME --config FILE [--log-level LEVEL] | --help`, and
// its log: spdlog to stderr under the adapter's name, one pattern for all (the hub's).
#include <optional>
#include <string>

namespace slussen::adapter {

struct CommandLine {
  std::string config_path;
};

// Parses argv and sets up the logger named `name`. Returns the command line, or nullopt with
// `*exit_code` set: 0 after --help (the usage printed to stdout), 2 for a usage error (the
// problem and the usage printed to stderr).
std::optional<CommandLine> ParseCommandLine(int argc, char** argv, const std::string& name,
                                            const char* usage, int* exit_code);

}  // namespace slussen::adapter
