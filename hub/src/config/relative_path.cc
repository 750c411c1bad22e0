#include "config/relative_path.h"

#include <filesystem>
#include <system_error>

namespace slussen::config {

std::string ResolveAgainstConfig(const std::string& config_path, const std::string& file) {
  namespace fs = std::filesystem;
  fs::path p(file);
  if (p.is_relative()) {
    std::error_code ec;
    fs::path config_abs = fs::absolute(fs::path(config_path), ec);
    if (ec) config_abs = fs::path(config_path);
    p = config_abs.parent_path() / p;
  }
  return p.lexically_normal().string();
}

}  // namespace slussen::config
