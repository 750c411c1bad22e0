#include "args.h"

#include <sstream>
#include <stdexcept>
#include <string_view>

namespace slussen::bench {

bool Args::Parse(int argc, char** argv, int first, const std::set<std::string>& switches,
                 std::string* error) {
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--") {
      *error = "unexpected argument '" + std::string(arg) + "'";
      return false;
    }
    const std::string a(arg.substr(2));
    if (const auto eq = a.find('='); eq != std::string::npos) {
      values_[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (switches.count(a)) {
      values_.insert_or_assign(a, std::string(1, '1'));  // GCC 12 -O3: = "1" warns (-Wrestrict)
    } else if (i + 1 < argc) {
      values_[a] = argv[++i];
    } else {
      *error = std::string(arg) + " needs a value";
      return false;
    }
  }
  return true;
}

bool Args::Has(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::Str(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

uint64_t Args::U64(const std::string& name, uint64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  // Accept 1000000, 1M, 5M, 100k.
  std::string v = it->second;
  uint64_t mult = 1;
  if (!v.empty() && (v.back() == 'k' || v.back() == 'K')) mult = 1000, v.pop_back();
  if (!v.empty() && (v.back() == 'm' || v.back() == 'M')) mult = 1000000, v.pop_back();
  std::size_t used = 0;
  const uint64_t n = std::stoull(v, &used);
  if (used != v.size()) throw std::invalid_argument("--" + name + ": not a number: " + it->second);
  return n * mult;
}

double Args::Num(const std::string& name, double fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  std::size_t used = 0;
  const double d = std::stod(it->second, &used);
  if (used != it->second.size()) {
    throw std::invalid_argument("--" + name + ": not a number: " + it->second);
  }
  return d;
}

std::vector<std::string> Args::StrList(const std::string& name,
                                       const std::vector<std::string>& fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  std::vector<std::string> out;
  std::stringstream in(it->second);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<double> Args::NumList(const std::string& name,
                                  const std::vector<double>& fallback) const {
  if (!Has(name)) return fallback;
  std::vector<double> out;
  for (const auto& s : StrList(name, {})) out.push_back(std::stod(s));
  return out;
}

std::vector<std::string> Args::Unknown(const std::set<std::string>& known) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_) {
    if (!known.count(k)) out.push_back("--" + k);
  }
  return out;
}

}  // namespace slussen::bench
