#include "demo_args.h"

#include <charconv>

namespace slussen::demo {

bool Args::Parse(int argc, char** argv, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (flags_.count(name)) {
      values_[name].push_back("");
    } else if (with_value_.count(name)) {
      if (i + 1 >= argc) {
        *error = name + " needs a value";
        return false;
      }
      values_[name].push_back(argv[++i]);
    } else {
      *error = "unknown argument " + name;
      return false;
    }
  }
  return true;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

bool Args::GetCount(const std::string& name, long fallback, long* out, std::string* error) const {
  if (!Has(name)) {
    *out = fallback;
    return true;
  }
  const std::string v = Get(name);
  long n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 0) {
    *error = name + " must be a non-negative integer, got \"" + v + "\"";
    return false;
  }
  *out = n;
  return true;
}

}  // namespace slussen::demo
