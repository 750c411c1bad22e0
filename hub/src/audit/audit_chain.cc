#include "audit/audit_chain.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>

#include "common/hex.h"

namespace slussen {
namespace {

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
  // EVP_Digest is one-shot: no context to keep, nothing to free.
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
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
