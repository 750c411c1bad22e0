#include "runtime/command_line.h"

#include <sys/stat.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

namespace slussen::adapter {

std::optional<CommandLine> ParseCommandLine(int argc, char** argv, const std::string& name,
                                            const char* usage, int* exit_code) {
  auto fail = [&](const std::string& problem) -> std::optional<CommandLine> {
    std::cerr << name << ": " << problem << "\n\n" << usage;
    *exit_code = 2;
    return std::nullopt;
  };
  CommandLine line;
  std::string log_level = "info";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << usage;
      *exit_code = 0;
      return std::nullopt;
    } else if (a == "--config" && i + 1 < argc) {
      line.config_path = argv[++i];
    } else if (a == "--log-level" && i + 1 < argc) {
      log_level = argv[++i];
    } else {
      return fail("unknown or incomplete argument '" + a + "'");
    }
  }
  if (line.config_path.empty()) return fail("--config FILE is required");

  auto logger = spdlog::stderr_color_mt(name);
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  const auto level = spdlog::level::from_str(log_level);
  if (level == spdlog::level::off && log_level != "off") {
    return fail("unknown log level '" + log_level + "'");
  }
  spdlog::set_level(level);
  // What an adapter writes (spool, documents, letters) holds patient data: readable by its own
  // user only, whatever umask it was started with.
  ::umask(0077);
  return line;
}

}  // namespace slussen::adapter
