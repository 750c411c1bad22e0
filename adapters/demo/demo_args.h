#pragma once
// "--name value" command-line parsing for the two demo programs: enough for a handful of
// options, so the demo needs no extra package.
#include <map>
#include <set>
#include <string>
#include <vector>

namespace slussen::demo {

class Args {
 public:
  // `with_value`: options that take a value; `flags`: options that do not. Anything else, or a
  // missing value, is an error.
  Args(std::set<std::string> with_value, std::set<std::string> flags)
      : with_value_(std::move(with_value)), flags_(std::move(flags)) {}

  bool Parse(int argc, char** argv, std::string* error);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // Every value of a repeatable option, in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  // A non-negative integer; false with `error` if the value is not one.
  bool GetCount(const std::string& name, long fallback, long* out, std::string* error) const;

 private:
  std::set<std::string> with_value_;
  std::set<std::string> flags_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace slussen::demo
