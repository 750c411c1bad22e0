#include "audit/patient_key.h"

#include <openssl/rand.h>

#include "common/hex.h"
#include "ingest/identity.h"
#include "ingest/log_pseudonym.h"
#include "slussen/v1/events.pb.h"

namespace slussen {

Result<std::string> NormalisePersonnummer(std::string_view written) {
  std::string digits(written);
  if (digits.size() == 13 && digits[8] == '-') digits.erase(8, 1);  // YYYYMMDD-NNNC
  const std::string as_pnr = CheckPersonnummer(digits);
  if (as_pnr.empty() || CheckSamordningsnummer(digits).empty()) return digits;
  return Error{"not a personnummer or samordningsnummer (YYYYMMDDNNNC or YYYYMMDD-NNNC): " + as_pnr,
               ErrorCode::kInvalidArgument};
}

std::string PatientKey(std::string_view audit_key, std::string_view normalised) {
  return HmacSha256Hex(audit_key, normalised);
}

std::string PatientKeyOf(std::string_view audit_key, const v1::PatientIdentity& identity) {
  if (identity.id().empty()) return {};
  if (identity.kind() == v1::PatientIdentity::RESERVNUMMER) {
    // Its own namespace: a reservnummer may look like a personnummer of another person.
    return HmacSha256Hex(audit_key, "reservnummer:" + identity.reserve_oid() + ":" + identity.id());
  }
  return HmacSha256Hex(audit_key, identity.id());
}

Result<std::string> MakeAuditSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Error{"no random bytes for the audit key", ErrorCode::kUnavailable};
  }
  return LowerHex(bytes, sizeof bytes);
}

}  // namespace slussen
