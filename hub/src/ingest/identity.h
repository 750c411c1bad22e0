#pragma once
// Format checks for the identifiers on the wire (docs/domain.md §6). Each Check* returns an empty
// string when the value is valid, else a short problem text. The text never repeats the value:
// it ends up in logs and AMQP error descriptions, and a personnummer there is a data leak.
#include <string>
#include <string_view>

namespace slussen {

// 12 digits YYYYMMDDNNNC: a real calendar date and a correct Luhn check digit.
std::string CheckPersonnummer(std::string_view id);
// Like a personnummer with day + 60 (61..91); the Luhn digit covers the digits as written.
std::string CheckSamordningsnummer(std::string_view id);
// 1..20 letters or digits. Formats differ per region and look alike, so the issuer OID (checked
// against config) is what makes a reservnummer meaningful, not its shape.
std::string CheckReservnummer(std::string_view id);
// "SE" + 10-digit organisationsnummer + "-" + [A-Za-z0-9]+, at most 31 characters.
std::string CheckHsaId(std::string_view id);
// RFC 4122 text form 8-4-4-4-12 hex digits, either case.
bool IsUuid(std::string_view s);
// 4 digits, and one of Sweden's municipalities (kommuner.h).
std::string CheckKommunkod(std::string_view kod);

}  // namespace slussen
