#include "hl7/dtm.h"

#include <cstdio>

#include "common/swedish_calendar.h"

namespace slussen::hl7 {
namespace {

using std::chrono::system_clock;

Error Invalid(std::string m) { return Error{std::move(m), ErrorCode::kInvalidArgument}; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

Result<system_clock::time_point> ParseDtm(std::string_view text) {
  // Split off the offset: a '+' or '-' after the date part.
  std::string_view body = text;
  std::string_view zone;
  if (const std::size_t at = text.find_first_of("+-"); at != std::string_view::npos) {
    body = text.substr(0, at);
    zone = text.substr(at);
  }
  std::string_view fraction;
  if (const std::size_t dot = body.find('.'); dot != std::string_view::npos) {
    fraction = body.substr(dot + 1);
    body = body.substr(0, dot);
    if (fraction.empty() || fraction.size() > 4 || !AllDigits(fraction) || body.size() != 14) {
      return Invalid("not an HL7 date/time: a fraction needs seconds and 1-4 digits");
    }
  }
  if (!AllDigits(body) || (body.size() != 8 && body.size() != 10 && body.size() != 12 &&
                           body.size() != 14)) {
    return Invalid(body.size() < 8 && AllDigits(body)
                       ? "not precise enough: a date (YYYYMMDD) at least is needed"
                       : "not an HL7 date/time (YYYYMMDD[HH[MM[SS[.S]]]][+/-ZZZZ])");
  }
  const calendar::Date date{std::chrono::year{Num(body.substr(0, 4))},
                            std::chrono::month{static_cast<unsigned>(Num(body.substr(4, 2)))},
                            std::chrono::day{static_cast<unsigned>(Num(body.substr(6, 2)))}};
  if (!date.ok()) return Invalid("not a calendar date");
  const int hh = body.size() >= 10 ? Num(body.substr(8, 2)) : 0;
  const int mm = body.size() >= 12 ? Num(body.substr(10, 2)) : 0;
  const int ss = body.size() >= 14 ? Num(body.substr(12, 2)) : 0;
  if (hh > 23 || mm > 59 || ss > 59) return Invalid("not a time of day");
  if (static_cast<int>(date.year()) < 1900 || static_cast<int>(date.year()) > 2199) {
    return Invalid("implausible year (outside 1900-2199)");
  }
  std::chrono::microseconds frac{0};
  if (!fraction.empty()) {
    int us = Num(fraction);
    for (std::size_t i = fraction.size(); i < 6; ++i) us *= 10;
    frac = std::chrono::microseconds{us};
  }
  const auto seconds_in = std::chrono::seconds{ss} + frac;
  if (zone.empty()) {
    return calendar::FromStockholm(date, std::chrono::minutes{hh * 60 + mm}) + seconds_in;
  }
  if (zone.size() != 5 || !AllDigits(zone.substr(1))) {
    return Invalid("not a time zone offset (+/-ZZZZ)");
  }
  const int oh = Num(zone.substr(1, 2));
  const int om = Num(zone.substr(3, 2));
  if (oh > 14 || om > 59) return Invalid("not a time zone offset (+/-ZZZZ)");
  const std::chrono::minutes offset{(oh * 60 + om) * (zone[0] == '-' ? -1 : 1)};
  const system_clock::time_point wall =
      std::chrono::sys_days{date} + std::chrono::hours{hh} + std::chrono::minutes{mm};
  return wall - offset + seconds_in;
}

std::string FormatDtm(system_clock::time_point t) {
  const calendar::LocalTime local = calendar::ToStockholm(t);
  const auto secs = std::chrono::floor<std::chrono::seconds>(t) -
                    std::chrono::floor<std::chrono::minutes>(t);
  const auto tod = local.time_of_day.count();
  const auto off = local.utc_offset.count();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d%c%02d%02d",
                static_cast<int>(local.date.year()), static_cast<unsigned>(local.date.month()),
                static_cast<unsigned>(local.date.day()), static_cast<int>(tod / 60),
                static_cast<int>(tod % 60), static_cast<int>(secs.count()), off < 0 ? '-' : '+',
                static_cast<int>((off < 0 ? -off : off) / 60),
                static_cast<int>((off < 0 ? -off : off) % 60));
  return buf;
}

}  // namespace slussen::hl7
