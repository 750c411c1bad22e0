#include "xml/quantities.h"

#include <charconv>

#include "xml/xml_validation.h"

namespace slussen::config {
namespace {

// Splits "<digits><suffix>" into the number and the suffix; nullopt if there are no digits or
// the number overflows.
std::optional<std::pair<uint64_t, std::string_view>> SplitNumber(std::string_view s) {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + digits, v);
  if (ec != std::errc() || p != s.data() + digits) return std::nullopt;
  return std::pair{v, s.substr(digits)};
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view s) {
  const auto tokens = xml::Tokens(s);
  if (tokens.size() != 1) return std::nullopt;
  const auto split = SplitNumber(tokens[0]);
  if (!split) return std::nullopt;
  const auto [n, unit] = *split;
  uint64_t ms_per_unit = 0;
  if (unit == "ms") ms_per_unit = 1;
  else if (unit == "s") ms_per_unit = 1000;
  else if (unit == "m") ms_per_unit = 60'000;
  else if (unit == "h") ms_per_unit = 3'600'000;
  else if (unit == "d") ms_per_unit = 86'400'000;
  else return std::nullopt;
  const auto max = static_cast<uint64_t>(kMaxDuration.count());
  if (n > max / ms_per_unit) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(n * ms_per_unit));
}

std::optional<uint64_t> ParseByteSize(std::string_view s) {
  const auto tokens = xml::Tokens(s);
  if (tokens.size() != 1) return std::nullopt;
  const auto split = SplitNumber(tokens[0]);
  if (!split) return std::nullopt;
  const auto [n, suffix] = *split;
  int shift = 0;
  if (suffix.empty()) shift = 0;
  else if (suffix == "k") shift = 10;
  else if (suffix == "M") shift = 20;
  else if (suffix == "G") shift = 30;
  else if (suffix == "T") shift = 40;
  else return std::nullopt;
  if (shift > 0 && n > (UINT64_MAX >> shift)) return std::nullopt;
  return n << shift;
}

std::string FormatDuration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  struct Unit {
    int64_t ms;
    const char* name;
  };
  for (const Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"},
                       Unit{1000, "s"}}) {
    if (ms != 0 && ms % u.ms == 0) return std::to_string(ms / u.ms) + u.name;
  }
  return std::to_string(ms) + (ms == 0 ? "s" : "ms");
}

bool DurationAttr(const xmlNode* n, const char* name, std::chrono::milliseconds& out,
                  xml::Diagnostics& diag) {
  const auto raw = xml::Attr(n, name);
  if (!raw) return false;
  const auto d = ParseDuration(*raw);
  if (!d) {
    diag.Add(n, std::string("attribute '") + name + "': '" + *raw +
                    "' is not a duration (a whole number and ms, s, m, h or d; at most 3650d)");
    return false;
  }
  out = *d;
  return true;
}

}  // namespace slussen::config
