#include "common/hex.h"

namespace slussen {
namespace {

// Branch-free, so that the compiler vectorizes the loops below: packing digests runs a few times
// per stored event (the store's columns, the journal's record).
// 1 unless `c` is one of 0-9a-f.
unsigned NotLowerHexDigit(unsigned char c) {
  const unsigned not_digit = static_cast<unsigned char>(c - '0') > 9;
  const unsigned not_letter = static_cast<unsigned char>(c - 'a') > 5;
  return not_digit & not_letter;
}
// The value of a digit that passed the check: '0'-'9' are 0x30-0x39, 'a'-'f' 0x61-0x66.
unsigned DigitValue(unsigned char c) { return (c & 0xfu) + 9u * (c >> 6); }

}  // namespace

std::string LowerHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * bytes.size(), '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

bool IsLowerHex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0) return false;
  unsigned bad = 0;
  for (const char c : hex) bad |= NotLowerHexDigit(static_cast<unsigned char>(c));
  return bad == 0;
}

bool DecodeLowerHex(std::string_view hex, char* out) {
  if (hex.empty() || hex.size() % 2 != 0) return false;
  const auto* in = reinterpret_cast<const unsigned char*>(hex.data());
  unsigned bad = 0;
  for (std::size_t i = 0; i < hex.size() / 2; ++i) {
    const unsigned char hi = in[2 * i];
    const unsigned char lo = in[2 * i + 1];
    bad |= NotLowerHexDigit(hi) | NotLowerHexDigit(lo);
    out[i] = static_cast<char>((DigitValue(hi) << 4) | DigitValue(lo));
  }
  return bad == 0;
}

std::optional<std::string> FromLowerHex(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  if (!DecodeLowerHex(hex, out.data())) return std::nullopt;
  return out;
}

}  // namespace slussen
