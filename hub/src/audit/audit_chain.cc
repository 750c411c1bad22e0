#include "audit/audit_chain.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>

#include "common/hex.h"

namespace slussen {
namespace {

// SHA-256 with an algorithm fetched once and a context kept, one per thread. The one-shot
// EVP_Digest(..., EVP_sha256()) makes OpenSSL 3 look the algorithm up in its provider and make
// a new context on every call, which costs more than hashing a row (the same as for HMAC:
// ingest/log_pseudonym.cc), and the core hashes every audit row it seals.
class Sha256 {
 public:
  Sha256() : md_(EVP_MD_fetch(nullptr, "SHA2-256", nullptr)), ctx_(EVP_MD_CTX_new()) {}
  ~Sha256() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  bool Digest(const std::string& data, unsigned char* out, unsigned int* len) {
    return md_ != nullptr && ctx_ != nullptr && EVP_DigestInit_ex2(ctx_, md_, nullptr) == 1 &&
           EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1 &&
           EVP_DigestFinal_ex(ctx_, out, len) == 1;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

void Put(std::string& out, const std::string& field) {
  const uint64_t n = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  out += field;
}

}  // namespace

std::string AuditGenesisHash() { return std::string(64, '0'); }

std::string AuditEncoding(const AuditRecord& r) {
  std::string out;
  out.reserve(256);
  // A version tag first: a later encoding can be told apart from this one.
  Put(out, "slussen-audit-v1");
  Put(out, std::to_string(r.seq));
  Put(out, std::to_string(r.at_us));
  Put(out, r.actor_kind);
  Put(out, r.actor);
  Put(out, r.organisation);
  Put(out, r.action);
  Put(out, r.case_id);
  Put(out, r.patient_key);
  Put(out, r.what);
  Put(out, r.ref);
  Put(out, r.prev_hash);
  return out;
}

std::string AuditHash(const AuditRecord& row) {
  const std::string bytes = AuditEncoding(row);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  thread_local Sha256 sha256;
  if (!sha256.Digest(bytes, digest, &len)) {
    return {};  // never equal to a stored hash: verification reports the row
  }
  return LowerHex(digest, len);
}

std::string AuditAnchorRef(const AuditHead& anchor) {
  return "anchor " + std::to_string(anchor.seq) + ":" + anchor.hash;
}

AuditHead SealAuditRows(const AuditHead& head, std::vector<AuditRecord>& rows) {
  AuditHead at = head;
  for (auto& row : rows) {
    row.seq = at.seq + 1;
    row.prev_hash = at.hash;
    row.hash = AuditHash(row);
    at = {row.seq, row.hash};
  }
  return at;
}

}  // namespace slussen
