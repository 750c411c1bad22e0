#pragma once
#include <string>

namespace slussen::config {

// A path written in the config file: relative ones are relative to the file's directory.
std::string ResolveAgainstConfig(const std::string& config_path, const std::string& file);

}  // namespace slussen::config
