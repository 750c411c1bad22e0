#include "common/log_safe.h"

#include <algorithm>

namespace slussen {

std::string LogSafe(std::string_view untrusted, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(untrusted.size(), max_bytes) + 8);
  for (char ch : untrusted.substr(0, max_bytes)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (untrusted.size() > max_bytes) {
    out += "...(" + std::to_string(untrusted.size()) + " bytes)";
  }
  return out;
}

}  // namespace slussen
