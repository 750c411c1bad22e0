#include "ingest/log_pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace slussen {

std::string LogPseudonym(std::string_view key, std::string_view identity) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(identity.data()), identity.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "p-";
  for (unsigned int i = 0; i < 6 && i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
  return out;
}

}  // namespace slussen
