#include "common/swedish_calendar.h"

#include <array>
#include <cstdio>
#include <stdexcept>

namespace slussen::calendar {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;

constexpr minutes kCet{60};
constexpr minutes kCest{120};

// Summer time runs [start, end) with both changes at 01:00 UTC, so the same instant changes
// clocks in every EU time zone.
bool IsSummerTime(TimePoint t) {
  const std::chrono::year y = Date{std::chrono::floor<days>(t)}.year();
  const auto start = sys_days{y / std::chrono::March / std::chrono::Sunday[std::chrono::last]} +
                     hours{1};
  const auto end = sys_days{y / std::chrono::October / std::chrono::Sunday[std::chrono::last]} +
                   hours{1};
  return t >= start && t < end;
}

minutes OffsetAt(TimePoint t) { return IsSummerTime(t) ? kCest : kCet; }

struct FixedHoliday {
  unsigned month;
  unsigned day;
  std::string_view name;
};

// Checked before the Easter-based ones, which decides the name when two coincide.
constexpr std::array<FixedHoliday, 6> kFixedHolidays{{
    {1, 1, "nyårsdagen"},
    {1, 6, "trettondedag jul"},
    {5, 1, "första maj"},
    {6, 6, "nationaldagen"},
    {12, 25, "juldagen"},
    {12, 26, "annandag jul"},
}};

struct EasterHoliday {
  int days_after_easter;
  std::string_view name;
};

constexpr std::array<EasterHoliday, 5> kEasterHolidays{{
    {-2, "långfredagen"},
    {0, "påskdagen"},
    {1, "annandag påsk"},
    {39, "Kristi himmelsfärdsdag"},
    {49, "pingstdagen"},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// s holds only digits (checked by the caller).
int ParseDigits(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

LocalTime ToStockholm(TimePoint t) {
  const minutes offset = OffsetAt(t);
  const TimePoint local = t + offset;
  // floor, not duration_cast: instants before 1970 must not round towards the epoch.
  const auto local_day = std::chrono::floor<days>(local);
  return LocalTime{Date{local_day}, std::chrono::floor<minutes>(local - local_day), offset};
}

Date StockholmDate(TimePoint t) { return ToStockholm(t).date; }

TimePoint FromStockholm(Date d, minutes time_of_day) {
  // The wall-clock reading as if it were UTC; the real instant is this minus the offset.
  const TimePoint wall = sys_days{d} + time_of_day;
  // CEST first, so that in the repeated October hour, where both offsets are consistent, the
  // earlier instant wins.
  if (const TimePoint t = wall - kCest; OffsetAt(t) == kCest) return t;
  if (const TimePoint t = wall - kCet; OffsetAt(t) == kCet) return t;
  // Neither is consistent only in the skipped March hour: use the offset before the change.
  return wall - kCet;
}

TimePoint StartOfDay(Date d) { return FromStockholm(d, minutes{0}); }

TimePoint EndOfDay(Date d) { return StartOfDay(AddCalendarDays(d, 1)); }

Date EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return Date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
              std::chrono::day{static_cast<unsigned>(day)}};
}

std::optional<std::string_view> HolidayName(Date d, const CalendarRules& rules) {
  const unsigned month = static_cast<unsigned>(d.month());
  const unsigned day = static_cast<unsigned>(d.day());
  const std::chrono::weekday wd{sys_days{d}};

  for (const FixedHoliday& h : kFixedHolidays) {
    if (h.month == month && h.day == day) return h.name;
  }
  const auto after_easter =
      (sys_days{d} - sys_days{EasterSunday(static_cast<int>(d.year()))}).count();
  for (const EasterHoliday& h : kEasterHolidays) {
    if (h.days_after_easter == after_easter) return h.name;
  }
  // Since 1953 both are the Saturday in a seven-day window, not a fixed date.
  if (wd == std::chrono::Saturday) {
    if (month == 6 && day >= 20 && day <= 26) return "midsommardagen";
    if ((month == 10 && day == 31) || (month == 11 && day <= 6)) return "alla helgons dag";
  }
  if (rules.eves_are_holidays) {
    if (wd == std::chrono::Friday && month == 6 && day >= 19 && day <= 25) {
      return "midsommarafton";
    }
    if (month == 12 && day == 24) return "julafton";
    if (month == 12 && day == 31) return "nyårsafton";
  }
  return std::nullopt;
}

bool IsWeekend(Date d) {
  const std::chrono::weekday wd{sys_days{d}};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

bool IsWorkingDay(Date d, const CalendarRules& rules) {
  return !IsWeekend(d) && !HolidayName(d, rules).has_value();
}

Date AddCalendarDays(Date d, int n) { return Date{sys_days{d} + days{n}}; }

Date AddWorkingDays(Date from, int n, const CalendarRules& rules) {
  if (n < 0) throw std::invalid_argument("AddWorkingDays: negative number of working days");
  Date d = from;
  while (n > 0) {
    d = AddCalendarDays(d, 1);
    if (IsWorkingDay(d, rules)) --n;
  }
  return d;
}

int WorkingDaysBetween(Date from, Date to, const CalendarRules& rules) {
  int count = 0;
  for (sys_days d = sys_days{from} + days{1}; d <= sys_days{to}; d += days{1}) {
    if (IsWorkingDay(Date{d}, rules)) ++count;
  }
  return count;
}

std::string FormatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::optional<Date> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i != 4 && i != 7 && !IsDigit(s[i])) return std::nullopt;
  }
  const Date d{std::chrono::year{ParseDigits(s.substr(0, 4))},
               std::chrono::month{static_cast<unsigned>(ParseDigits(s.substr(5, 2)))},
               std::chrono::day{static_cast<unsigned>(ParseDigits(s.substr(8, 2)))}};
  if (!d.ok()) return std::nullopt;
  return d;
}

}  // namespace slussen::calendar
