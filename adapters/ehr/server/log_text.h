#pragma once
// Text from outside (an MSH-10, a peer's address, the hub's description, a parse error that may
// echo input) as it may appear in a log line: printable ASCII only, everything else and the
// backslash as '?', cut at `max`. Personal data is kept out of log lines by what the callers
// choose to log (ids, counts, codes); this guards against control characters, log forging and
// unbounded lines from whatever untrusted text is still logged.
#include <cstddef>
#include <string>
#include <string_view>

namespace slussen::ehr {

inline std::string LogSafe(std::string_view s, std::size_t max = 80) {
  std::string out;
  out.reserve(s.size() < max ? s.size() : max);
  for (char c : s.substr(0, max)) out += (c >= 0x20 && c < 0x7f && c != '\\') ? c : '?';
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace slussen::ehr
