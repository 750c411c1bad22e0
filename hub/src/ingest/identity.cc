#include "ingest/identity.h"

#include <algorithm>
#include <cstddef>

#include "common/kommuner.h"

namespace slussen {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// ASCII only: HSA-ids and reservnummer forbid å/ä/ö, which std::isalnum may accept by locale.
bool IsAsciiAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

int ToInt(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsRealDate(int year, int month, int day) {
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const int days = kDaysInMonth[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= days;
}

// Luhn over the 10 digits YYMMDDNNNC: the century is not part of the number as issued, only
// of how it is stored, so it must not take part in the check.
bool LuhnOk(std::string_view ten) {
  int sum = 0;
  for (std::size_t i = 0; i < ten.size(); ++i) {
    int d = (ten[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 == 0;
}

// Shared by personnummer and samordningsnummer; `day_offset` is 0 or 60.
std::string CheckTwelveDigitId(std::string_view id, int day_offset) {
  if (id.size() != 12 || !AllDigits(id)) return "must be 12 digits (YYYYMMDDNNNC)";
  const int year = ToInt(id.substr(0, 4));
  const int month = ToInt(id.substr(4, 2));
  const int day = ToInt(id.substr(6, 2));
  if (day_offset > 0) {
    if (day <= day_offset) return "day must be 61..91 (birth day + 60) in a samordningsnummer";
  } else if (day > 60 && IsRealDate(year, month, day - 60)) {
    // Say why: this is the commonest mix-up, and the value itself may not be echoed.
    return "date does not exist (looks like a samordningsnummer)";
  }
  // The date is part of the identity, so the message must not repeat it.
  if (!IsRealDate(year, month, day - day_offset)) return "date does not exist";
  if (!LuhnOk(id.substr(2))) return "check digit wrong";
  return {};
}

}  // namespace

std::string CheckPersonnummer(std::string_view id) { return CheckTwelveDigitId(id, 0); }

std::string CheckSamordningsnummer(std::string_view id) { return CheckTwelveDigitId(id, 60); }

std::string CheckReservnummer(std::string_view id) {
  if (id.empty() || id.size() > 20 || !std::all_of(id.begin(), id.end(), IsAsciiAlnum)) {
    return "must be 1-20 letters or digits";
  }
  return {};
}

std::string CheckHsaId(std::string_view id) {
  if (id.empty()) return "missing (an HSA-id)";
  if (id.size() > 31) return "HSA-id longer than 31 characters";
  const bool ok = id.size() >= 14 && id.substr(0, 2) == "SE" && AllDigits(id.substr(2, 10)) &&
                  id[12] == '-' && std::all_of(id.begin() + 13, id.end(), IsAsciiAlnum);
  if (!ok) return "not an HSA-id (SE + 10 digits + '-' + letters/digits)";
  return {};
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_pos ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

std::string CheckKommunkod(std::string_view kod) {
  if (kod.empty()) return "missing (a 4-digit kommunkod)";
  if (kod.size() != 4 || !AllDigits(kod)) return "must be 4 digits";
  if (FindKommunEntry(kod) == nullptr) {
    return "no Swedish municipality has kommunkod " + std::string(kod);
  }
  return {};
}

}  // namespace slussen
