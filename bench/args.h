#pragma once
// Command-line flags: `--name value` and bare `--flag` switches after the subcommand.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace slussen::bench {

class Args {
 public:
  // `switches`: flags that take no value. Returns false (with `error`) on malformed input.
  bool Parse(int argc, char** argv, int first, const std::set<std::string>& switches,
             std::string* error);
  bool Has(const std::string& name) const;
  std::string Str(const std::string& name, const std::string& fallback) const;
  uint64_t U64(const std::string& name, uint64_t fallback) const;
  double Num(const std::string& name, double fallback) const;
  std::vector<double> NumList(const std::string& name, const std::vector<double>& fallback) const;
  std::vector<std::string> StrList(const std::string& name,
                                   const std::vector<std::string>& fallback) const;
  // Names given that are not in `known` (typos).
  std::vector<std::string> Unknown(const std::set<std::string>& known) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace slussen::bench
