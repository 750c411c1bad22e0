#include "ingest/log_pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace slussen {

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
  return out;
}

std::string LogPseudonym(std::string_view key, std::string_view identity) {
  return "p-" + HmacSha256Hex(key, identity).substr(0, 12);
}

}  // namespace slussen
