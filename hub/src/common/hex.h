#pragma once
// Bytes as lowercase hexadecimal, two digits a byte: hashes, MACs, secrets and binary ids as
// the hub stores and prints them.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace slussen {

std::string LowerHex(std::string_view bytes);

inline std::string LowerHex(const unsigned char* bytes, std::size_t n) {
  return LowerHex(std::string_view(reinterpret_cast<const char*>(bytes), n));
}

// Whether `hex` is what LowerHex prints for some bytes: non-empty, an even length, only 0-9a-f
// (uppercase is not), so that packing it and LowerHex give back `hex` exactly.
bool IsLowerHex(std::string_view hex);

// The bytes that `hex` spells, written to `out` (hex.size() / 2 of them); false, with `out`
// unspecified, unless IsLowerHex(hex). For the hot paths that pack digests without allocating.
bool DecodeLowerHex(std::string_view hex, char* out);

// The same as a string; nullopt unless IsLowerHex(hex).
std::optional<std::string> FromLowerHex(std::string_view hex);

}  // namespace slussen
