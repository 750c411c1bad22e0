#pragma once
// Swedish calendar arithmetic for discharge planning (lag 2017:612): deadlines are counted in
// Stockholm local days and in working days, so the hub needs Europe/Stockholm time and the
// Swedish public holidays. libstdc++ 12 has the C++20 calendar types but no time-zone database,
// and the process time zone (TZ, localtime_r) is deployment state we must not depend on, so the
// Stockholm rules are computed here. Everything is a pure function of its arguments.
//
// Every Date argument must be a valid calendar date (Date::ok()); ParseDate yields only those.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace slussen::calendar {

using Date = std::chrono::year_month_day;
using TimePoint = std::chrono::system_clock::time_point;

// ---- Europe/Stockholm local time ----------------------------------------------------------
//
// CET (UTC+1) in winter, CEST (UTC+2) from the last Sunday of March 01:00 UTC until the last
// Sunday of October 01:00 UTC: the EU rule, in force since 1996. It is applied to every year,
// so instants before 1996 may be off by an hour (Sweden ended summer time in September then);
// the hub deals with current events, not history.

struct LocalTime {
  Date date;
  std::chrono::minutes time_of_day;  // since local midnight, 0..1439; seconds are truncated
  std::chrono::minutes utc_offset;   // 60 (CET) or 120 (CEST)

  friend bool operator==(const LocalTime&, const LocalTime&) = default;
};

LocalTime ToStockholm(TimePoint t);
Date StockholmDate(TimePoint t);

// The instant at which Stockholm wall clocks show `time_of_day` on `d`. Two wall-clock times
// are not one-to-one with instants:
//  - the hour skipped in March (02:00-02:59 on the last Sunday) does not exist; it is read with
//    the offset in force before the change (CET), so 02:30 gives 01:30 UTC, which clocks show as
//    03:30 CEST: the time moves forward one hour, as a clock left unadjusted would;
//  - the hour repeated in October (02:00-02:59 on the last Sunday) happens twice; the first
//    occurrence (CEST) is chosen, so a deadline at that time is never the later of the two.
// time_of_day outside [0, 24h) is allowed and counts from local midnight of `d`.
TimePoint FromStockholm(Date d, std::chrono::minutes time_of_day);

// 00:00 local time on d.
TimePoint StartOfDay(Date d);
// StartOfDay of the next day: the exclusive end of d. A day is 23 hours long when summer time
// starts and 25 hours when it ends, so never add 24h to StartOfDay.
TimePoint EndOfDay(Date d);

// ---- Holidays -----------------------------------------------------------------------------

// Gregorian Easter Sunday (Anonymous Gregorian algorithm, Meeus/Jones/Butcher).
Date EasterSunday(int year);

struct CalendarRules {
  // Midsommarafton, julafton and nyårsafton are no allmänna helgdagar in law, but nearly every
  // workplace (and every kommun's biståndshandläggare) is closed, so by default they count as
  // holidays. Påskafton and pingstafton need no rule: they are always Saturdays.
  bool eves_are_holidays = true;
};

// The Swedish name of the public holiday (lag 1989:253) or, if rules allow, the eve on d, e.g.
// "midsommarafton"; nullopt on other days. Ordinary Sundays are allmänna helgdagar too but have
// no name here: IsWeekend covers them. When two holidays fall on one day (första maj and Kristi
// himmelsfärdsdag in 2008, nationaldagen and pingstdagen in some years) the fixed-date one is
// named.
std::optional<std::string_view> HolidayName(Date d, const CalendarRules& rules);

bool IsWeekend(Date d);
// Neither a weekend nor a holiday.
bool IsWorkingDay(Date d, const CalendarRules& rules);

Date AddCalendarDays(Date d, int n);
// The n-th working day strictly after `from`; n == 0 returns `from` even if it is no working
// day. n < 0 throws std::invalid_argument: no deadline rule counts backwards, so it is a bug.
Date AddWorkingDays(Date from, int n, const CalendarRules& rules);
// The number of working days in (from, to]; 0 when to <= from. The inverse of AddWorkingDays:
// WorkingDaysBetween(f, AddWorkingDays(f, n, r), r) == n.
int WorkingDaysBetween(Date from, Date to, const CalendarRules& rules);

// YYYY-MM-DD.
std::string FormatDate(Date d);
// Exactly YYYY-MM-DD (ten characters, ASCII digits) naming a real date; nullopt otherwise.
std::optional<Date> ParseDate(std::string_view s);

}  // namespace slussen::calendar
