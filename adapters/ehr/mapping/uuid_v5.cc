#include "mapping/uuid_v5.h"

#include <openssl/evp.h>

#include <stdexcept>
#include <string>

namespace slussen::ehr {

std::string UuidText(const UuidBytes& b) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 15]);
  }
  return out;
}

std::string UuidV5(const UuidBytes& name_space, std::string_view name) {
  std::string input(name_space.begin(), name_space.end());
  input.append(name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr) != 1 ||
      length < 16) {
    // Only a broken libcrypto fails here; an event id must never be made up instead.
    throw std::runtime_error("SHA-1 from libcrypto failed");
  }
  UuidBytes b;
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = digest[i];
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x50);  // version 5
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return UuidText(b);
}

}  // namespace slussen::ehr
