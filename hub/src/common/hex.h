#pragma once
// Bytes as lowercase hexadecimal, two digits a byte: hashes, MACs, secrets and binary ids as
// the hub stores and prints them.
#include <string>
#include <string_view>

namespace slussen {

std::string LowerHex(std::string_view bytes);

inline std::string LowerHex(const unsigned char* bytes, std::size_t n) {
  return LowerHex(std::string_view(reinterpret_cast<const char*>(bytes), n));
}

}  // namespace slussen
