#pragma once
// Bytes as lowercase hexadecimal, two digits a byte: hashes, MACs, secrets and binary ids as
// the hub stores and prints them.
#include <optional>
#include <string>
#include <string_view>

namespace slussen {

std::string LowerHex(std::string_view bytes);

inline std::string LowerHex(const unsigned char* bytes, std::size_t n) {
  return LowerHex(std::string_view(reinterpret_cast<const char*>(bytes), n));
}

// The bytes that LowerHex would print as `hex`; nullopt for anything else (empty, an odd length,
// a digit outside 0-9a-f, uppercase included), so that packing and LowerHex give back `hex`
// exactly.
std::optional<std::string> FromLowerHex(std::string_view hex);

}  // namespace slussen
