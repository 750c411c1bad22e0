#pragma once
// The audit log's key for a patient: HMAC-SHA256 of the patient's identity under the audit key
// (<audit key-file>, or one the hub keeps in its store: hub/DESIGN.md "Audit log and
// retention"), so that the patient's access-log extract finds their rows by personnummer, also
// after the case data is purged, without the personnummer in clear in the log.
#include <string>
#include <string_view>

#include "common/result.h"

namespace slussen {

namespace v1 {
class PatientIdentity;
}

// A personnummer or samordningsnummer as a person writes it (YYYYMMDDNNNC, YYYYMMDD-NNNC):
// the 12 digits, checked (a real date, the check digit). The error never repeats the value.
Result<std::string> NormalisePersonnummer(std::string_view written);

// The key of a normalised personnummer or samordningsnummer.
std::string PatientKey(std::string_view audit_key, std::string_view normalised);

// The key of the identity an event carries (a reservnummer by its issuer and number); empty if
// the event carries none.
std::string PatientKeyOf(std::string_view audit_key, const v1::PatientIdentity& identity);

// A new random secret for the patients' keys (32 bytes from the system's CSPRNG, as 64 hex
// digits), for a hub whose config names none.
Result<std::string> MakeAuditSecret();

}  // namespace slussen
