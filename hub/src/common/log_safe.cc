#include "common/log_safe.h"

#include <algorithm>

namespace slussen {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int Two(std::string_view d, std::size_t at) { return (d[at] - '0') * 10 + (d[at + 1] - '0'); }

// YYMMDDNNNN or YYYYMMDDNNNN with a real month and a day of 01-31, or 61-91 for a
// samordningsnummer: what a personnummer looks like, whatever its check digit.
bool LooksLikePersonnummer(std::string_view digits) {
  if (digits.size() != 10 && digits.size() != 12) return false;
  const std::size_t date = digits.size() - 10;  // where YYMMDD starts
  if (date == 2 && Two(digits, 0) != 19 && Two(digits, 0) != 20) return false;
  const int month = Two(digits, date + 2);
  const int day = Two(digits, date + 4);
  return month >= 1 && month <= 12 && ((day >= 1 && day <= 31) || (day >= 61 && day <= 91));
}

// The length of the number starting at `at` (digits, then at most one '-' or '+' followed by
// exactly four digits), and its digits.
std::size_t NumberAt(std::string_view s, std::size_t at, std::string& digits) {
  std::size_t end = at;
  while (end < s.size() && IsDigit(s[end])) ++end;
  digits.assign(s.substr(at, end - at));
  if (end + 4 < s.size() && (s[end] == '-' || s[end] == '+') &&
      std::all_of(s.begin() + static_cast<long>(end) + 1, s.begin() + static_cast<long>(end) + 5,
                  IsDigit) &&
      (end + 5 == s.size() || !IsDigit(s[end + 5]))) {
    digits.append(s.substr(end + 1, 4));
    end += 5;
  }
  return end - at;
}

}  // namespace

std::string LogSafe(std::string_view untrusted, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string_view kept = untrusted.substr(0, max_bytes);
  std::string out;
  out.reserve(kept.size() + 8);
  std::string digits;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const auto c = static_cast<unsigned char>(kept[i]);
    if (IsDigit(kept[i]) && (i == 0 || !IsDigit(kept[i - 1]))) {
      const std::size_t n = NumberAt(kept, i, digits);
      if (LooksLikePersonnummer(digits)) {
        out += "<personnummer?>";
        i += n - 1;
        continue;
      }
    }
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
