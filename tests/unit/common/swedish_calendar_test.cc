#include "common/swedish_calendar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace slussen::calendar {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;

const CalendarRules kWithEves{};
const CalendarRules kWithoutEves{.eves_are_holidays = false};

// Dates are written as text in the tables so that a failure prints something readable; a typo
// in a table fails loudly instead of silently testing another date.
Date D(std::string_view s) {
  const std::optional<Date> d = ParseDate(s);
  if (!d) throw std::invalid_argument("bad test date " + std::string(s));
  return *d;
}

// "YYYY-MM-DD HH:MM" in UTC.
TimePoint Utc(std::string_view date, int hh, int mm, int ss = 0) {
  return sys_days{D(date)} + hours{hh} + minutes{mm} + seconds{ss};
}

std::string Describe(const LocalTime& lt) {
  const auto tod = lt.time_of_day.count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d UTC+%d", FormatDate(lt.date).c_str(),
                static_cast<int>(tod / 60), static_cast<int>(tod % 60),
                static_cast<int>(lt.utc_offset.count() / 60));
  return buf;
}

// ---- Easter and holidays ------------------------------------------------------------------

TEST(SwedishCalendarEaster, KnownYears) {
  const std::vector<std::pair<int, std::string>> cases = {
      {2019, "2019-04-21"}, {2020, "2020-04-12"}, {2024, "2024-03-31"}, {2025, "2025-04-20"},
      {2026, "2026-04-05"}, {2027, "2027-03-28"}, {2038, "2038-04-25"},
      // The extremes of the Gregorian range, 22 March and 25 April, and an early year.
      {1818, "1818-03-22"}, {1943, "1943-04-25"}, {2008, "2008-03-23"}, {2285, "2285-03-22"},
  };
  for (const auto& [year, want] : cases) {
    SCOPED_TRACE(year);
    EXPECT_EQ(FormatDate(EasterSunday(year)), want);
  }
}

TEST(SwedishCalendarEaster, AlwaysASundayBetween22MarchAnd25April) {
  for (int y = 1900; y <= 2200; ++y) {
    SCOPED_TRACE(y);
    const Date e = EasterSunday(y);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(std::chrono::weekday{sys_days{e}}, std::chrono::Sunday);
    EXPECT_GE(e, Date(std::chrono::year{y} / 3 / 22));
    EXPECT_LE(e, Date(std::chrono::year{y} / 4 / 25));
  }
}

// Every named day of 2026, and by scanning the whole year, that no other day has a name.
TEST(SwedishCalendarHolidays, Every2026Holiday) {
  const std::map<std::string, std::string> want_with_eves = {
      {"2026-01-01", "nyårsdagen"},
      {"2026-01-06", "trettondedag jul"},
      {"2026-04-03", "långfredagen"},
      {"2026-04-05", "påskdagen"},
      {"2026-04-06", "annandag påsk"},
      {"2026-05-01", "första maj"},
      {"2026-05-14", "Kristi himmelsfärdsdag"},
      {"2026-05-24", "pingstdagen"},
      {"2026-06-06", "nationaldagen"},
      {"2026-06-19", "midsommarafton"},
      {"2026-06-20", "midsommardagen"},
      {"2026-10-31", "alla helgons dag"},
      {"2026-12-24", "julafton"},
      {"2026-12-25", "juldagen"},
      {"2026-12-26", "annandag jul"},
      {"2026-12-31", "nyårsafton"},
  };
  const std::vector<std::string> eves = {"2026-06-19", "2026-12-24", "2026-12-31"};

  int named_with = 0;
  int named_without = 0;
  for (Date d = D("2026-01-01"); d <= D("2026-12-31"); d = AddCalendarDays(d, 1)) {
    const std::string key = FormatDate(d);
    SCOPED_TRACE(key);
    const auto with = HolidayName(d, kWithEves);
    const auto without = HolidayName(d, kWithoutEves);
    const auto it = want_with_eves.find(key);
    if (it == want_with_eves.end()) {
      EXPECT_EQ(with, std::nullopt);
      EXPECT_EQ(without, std::nullopt);
      continue;
    }
    ++named_with;
    ASSERT_TRUE(with.has_value());
    EXPECT_EQ(*with, it->second);
    EXPECT_FALSE(IsWorkingDay(d, kWithEves));
    const bool is_eve = std::find(eves.begin(), eves.end(), key) != eves.end();
    if (is_eve) {
      EXPECT_EQ(without, std::nullopt);
    } else {
      ++named_without;
      EXPECT_EQ(without, with);
    }
  }
  EXPECT_EQ(named_with, 16);
  EXPECT_EQ(named_without, 13);
}

// Midsommardagen is the Saturday 20-26 June and alla helgons dag the Saturday 31 Oct-6 Nov, so
// years where the window's first or last day is the Saturday are the edge cases.
TEST(SwedishCalendarHolidays, MidsommarAndAllaHelgonsEdgeYears) {
  struct Case {
    int year;
    std::string afton, dagen, alla_helgon;
  };
  const std::vector<Case> cases = {
      {2021, "2021-06-25", "2021-06-26", "2021-11-06"},  // last day of both windows
      {2025, "2025-06-20", "2025-06-21", "2025-11-01"},
      {2026, "2026-06-19", "2026-06-20", "2026-10-31"},  // first day of both windows
      {2027, "2027-06-25", "2027-06-26", "2027-11-06"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.year);
    EXPECT_EQ(HolidayName(D(c.afton), kWithEves), "midsommarafton");
    EXPECT_EQ(HolidayName(D(c.afton), kWithoutEves), std::nullopt);
    EXPECT_EQ(HolidayName(D(c.dagen), kWithEves), "midsommardagen");
    EXPECT_EQ(HolidayName(D(c.dagen), kWithoutEves), "midsommardagen");
    EXPECT_EQ(HolidayName(D(c.alla_helgon), kWithoutEves), "alla helgons dag");
    // Exactly one midsommardagen and one alla helgons dag per year.
    int midsommar = 0;
    int alla_helgon = 0;
    const std::chrono::year y{c.year};
    for (Date d = y / 6 / 1; d <= Date(y / 11 / 30); d = AddCalendarDays(d, 1)) {
      const auto name = HolidayName(d, kWithEves);
      midsommar += name == "midsommardagen" ? 1 : 0;
      alla_helgon += name == "alla helgons dag" ? 1 : 0;
    }
    EXPECT_EQ(midsommar, 1);
    EXPECT_EQ(alla_helgon, 1);
  }
  // The Saturdays just outside the windows are ordinary weekend days.
  EXPECT_EQ(HolidayName(D("2027-06-19"), kWithEves), std::nullopt);
  EXPECT_EQ(HolidayName(D("2026-06-27"), kWithEves), std::nullopt);
  EXPECT_EQ(HolidayName(D("2027-10-30"), kWithEves), std::nullopt);
  EXPECT_EQ(HolidayName(D("2026-11-07"), kWithEves), std::nullopt);
}

TEST(SwedishCalendarHolidays, CoincidingHolidaysStillNonWorking) {
  // Easter 2008 was 23 March, so Kristi himmelsfärdsdag fell on första maj.
  EXPECT_EQ(HolidayName(D("2008-05-01"), kWithoutEves), "första maj");
  EXPECT_FALSE(IsWorkingDay(D("2008-05-01"), kWithoutEves));
}

TEST(SwedishCalendarHolidays, Weekends) {
  EXPECT_FALSE(IsWeekend(D("2026-04-03")));  // Friday
  EXPECT_TRUE(IsWeekend(D("2026-04-04")));
  EXPECT_TRUE(IsWeekend(D("2026-04-05")));
  EXPECT_FALSE(IsWeekend(D("2026-04-06")));
  EXPECT_TRUE(IsWorkingDay(D("2026-04-02"), kWithEves));
  EXPECT_FALSE(IsWorkingDay(D("2026-04-04"), kWithEves));  // påskafton: a Saturday anyway
}

// ---- Working days -------------------------------------------------------------------------

TEST(SwedishCalendarWorkingDays, AddWorkingDays) {
  struct Case {
    std::string from;
    int n;
    bool eves;
    std::string want;
  };
  const std::vector<Case> cases = {
      // Skärtorsdagen + 1: långfredagen, påskafton, påskdagen, annandag påsk are skipped.
      {"2026-04-02", 1, true, "2026-04-07"},
      {"2026-04-02", 0, true, "2026-04-02"},
      {"2026-04-04", 0, true, "2026-04-04"},  // n = 0 returns a non-working day unchanged
      {"2026-04-04", 1, true, "2026-04-07"},
      {"2026-04-02", 3, true, "2026-04-09"},
      // Midsommar 2026: Thursday 18 June + 1 skips Friday (afton) only when eves are holidays.
      {"2026-06-18", 1, true, "2026-06-22"},
      {"2026-06-18", 1, false, "2026-06-19"},
      // Julafton 2026 is a Thursday, juldagen Friday, annandag jul Saturday.
      {"2026-12-23", 1, true, "2026-12-28"},
      {"2026-12-23", 1, false, "2026-12-24"},
      {"2026-12-23", 2, false, "2026-12-28"},
      // Across nyårsafton (Thursday) and nyårsdagen (Friday) into 2027.
      {"2026-12-30", 1, true, "2027-01-04"},
      {"2026-12-30", 1, false, "2026-12-31"},
      // Kristi himmelsfärdsdag, Thursday 14 May 2026.
      {"2026-05-13", 1, true, "2026-05-15"},
      {"2026-05-08", 5, true, "2026-05-18"},  // 11, 12, 13, 15, 18
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.from + " + " + std::to_string(c.n) + (c.eves ? " (eves on)" : " (eves off)"));
    const CalendarRules& rules = c.eves ? kWithEves : kWithoutEves;
    EXPECT_EQ(FormatDate(AddWorkingDays(D(c.from), c.n, rules)), c.want);
  }
  EXPECT_THROW(AddWorkingDays(D("2026-04-02"), -1, kWithEves), std::invalid_argument);
}

TEST(SwedishCalendarWorkingDays, WorkingDaysBetween) {
  struct Case {
    std::string from, to;
    bool eves;
    int want;
  };
  const std::vector<Case> cases = {
      {"2026-04-02", "2026-04-07", true, 1},
      {"2026-04-02", "2026-04-06", true, 0},
      {"2026-04-02", "2026-04-02", true, 0},  // (from, from] is empty
      {"2026-04-07", "2026-04-02", true, 0},  // backwards: empty
      {"2026-04-01", "2026-04-02", true, 1},  // `to` counts, `from` does not
      {"2026-06-18", "2026-06-22", true, 1},
      {"2026-06-18", "2026-06-22", false, 2},
      {"2026-12-23", "2026-12-31", true, 3},   // 28, 29, 30
      {"2026-12-23", "2026-12-31", false, 5},  // 24, 28, 29, 30, 31
      // 2026: 261 weekdays; 7 holidays on weekdays, plus 3 eves (all Thursdays/Fridays).
      {"2025-12-31", "2026-12-31", true, 251},
      {"2025-12-31", "2026-12-31", false, 254},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("(" + c.from + ", " + c.to + "]" + (c.eves ? " eves" : " no eves"));
    EXPECT_EQ(WorkingDaysBetween(D(c.from), D(c.to), c.eves ? kWithEves : kWithoutEves), c.want);
  }
}

TEST(SwedishCalendarWorkingDays, AddAndBetweenAreInverse) {
  for (const CalendarRules& rules : {kWithEves, kWithoutEves}) {
    for (Date from = D("2026-03-25"); from <= D("2027-01-10"); from = AddCalendarDays(from, 3)) {
      for (int n = 0; n <= 12; ++n) {
        SCOPED_TRACE(FormatDate(from) + " + " + std::to_string(n));
        const Date to = AddWorkingDays(from, n, rules);
        EXPECT_EQ(WorkingDaysBetween(from, to, rules), n);
        if (n > 0) {
          EXPECT_TRUE(IsWorkingDay(to, rules));
        }
      }
    }
  }
}

TEST(SwedishCalendarDates, AddCalendarDays) {
  EXPECT_EQ(FormatDate(AddCalendarDays(D("2026-12-30"), 3)), "2027-01-02");
  EXPECT_EQ(FormatDate(AddCalendarDays(D("2024-02-28"), 1)), "2024-02-29");
  EXPECT_EQ(FormatDate(AddCalendarDays(D("2026-03-01"), -1)), "2026-02-28");
}

TEST(SwedishCalendarDates, FormatAndParse) {
  EXPECT_EQ(FormatDate(D("2026-01-05")), "2026-01-05");
  EXPECT_EQ(FormatDate(Date(std::chrono::year{987} / 6 / 7)), "0987-06-07");
  for (const char* ok : {"2026-01-01", "2024-02-29", "2026-12-31", "1999-09-09"}) {
    SCOPED_TRACE(ok);
    const auto d = ParseDate(ok);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(FormatDate(*d), ok);
  }
  for (const char* bad : {"", "2026-02-29", "2026-13-01", "2026-00-10", "2026-01-00",
                          "2026-04-31", "2026-1-01", "2026-01-1", "2026-01-011", " 2026-01-01",
                          "2026/01/01", "20260101", "+026-01-01", "2026-+1-01", "2026-01-01T",
                          "2026-01-0a"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseDate(bad), std::nullopt);
  }
}

// ---- Europe/Stockholm time ----------------------------------------------------------------

TEST(SwedishCalendarStockholm, ToStockholm) {
  struct Case {
    TimePoint utc;
    std::string want;  // as Describe() prints it
  };
  const std::vector<Case> cases = {
      {Utc("2026-01-15", 12, 0), "2026-01-15 13:00 UTC+1"},
      {Utc("2026-07-15", 12, 0), "2026-07-15 14:00 UTC+2"},
      // Summer time starts 2026-03-29 01:00 UTC: 02:00 CET becomes 03:00 CEST.
      {Utc("2026-03-29", 0, 59, 59), "2026-03-29 01:59 UTC+1"},
      {Utc("2026-03-29", 1, 0), "2026-03-29 03:00 UTC+2"},
      // And ends 2026-10-25 01:00 UTC: 03:00 CEST becomes 02:00 CET.
      {Utc("2026-10-25", 0, 59, 59), "2026-10-25 02:59 UTC+2"},
      {Utc("2026-10-25", 1, 0), "2026-10-25 02:00 UTC+1"},
      // Late UTC evenings are already the next local day.
      {Utc("2026-07-01", 23, 30), "2026-07-02 01:30 UTC+2"},
      {Utc("2026-07-01", 21, 59), "2026-07-01 23:59 UTC+2"},
      {Utc("2026-07-01", 22, 0), "2026-07-02 00:00 UTC+2"},
      {Utc("2026-01-15", 23, 30), "2026-01-16 00:30 UTC+1"},
      {Utc("2025-12-31", 23, 0), "2026-01-01 00:00 UTC+1"},
      // Before the epoch, days and minutes are floored, not truncated towards 1970.
      {Utc("1969-12-31", 22, 59, 30), "1969-12-31 23:59 UTC+1"},
      // Other years' transitions (last Sundays: 2024-03-31/10-27, 2027-03-28/10-31).
      {Utc("2024-03-31", 1, 0), "2024-03-31 03:00 UTC+2"},
      {Utc("2024-10-27", 0, 59), "2024-10-27 02:59 UTC+2"},
      {Utc("2024-10-27", 1, 0), "2024-10-27 02:00 UTC+1"},
      {Utc("2027-03-28", 0, 59), "2027-03-28 01:59 UTC+1"},
      {Utc("2027-03-28", 1, 0), "2027-03-28 03:00 UTC+2"},
      {Utc("2027-10-31", 1, 0), "2027-10-31 02:00 UTC+1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(Describe(ToStockholm(c.utc)), c.want);
  }
  EXPECT_EQ(FormatDate(StockholmDate(Utc("2026-07-01", 23, 30))), "2026-07-02");
}

TEST(SwedishCalendarStockholm, DayLengths) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"2026-03-28", 24}, {"2026-03-29", 23}, {"2026-03-30", 24},
      {"2026-10-24", 24}, {"2026-10-25", 25}, {"2026-10-26", 24},
      {"2026-07-01", 24}, {"2026-12-31", 24},
  };
  for (const auto& [date, want_hours] : cases) {
    SCOPED_TRACE(date);
    EXPECT_EQ(EndOfDay(D(date)) - StartOfDay(D(date)), hours{want_hours});
  }
  EXPECT_EQ(StartOfDay(D("2026-03-29")), Utc("2026-03-28", 23, 0));
  EXPECT_EQ(StartOfDay(D("2026-07-01")), Utc("2026-06-30", 22, 0));
  EXPECT_EQ(EndOfDay(D("2026-10-25")), Utc("2026-10-25", 23, 0));
  EXPECT_EQ(EndOfDay(D("2026-03-28")), StartOfDay(D("2026-03-29")));
}

TEST(SwedishCalendarStockholm, FromStockholmGapAndOverlap) {
  struct Case {
    std::string date;
    int hh, mm;
    TimePoint want;
  };
  const std::vector<Case> cases = {
      {"2026-01-15", 13, 0, Utc("2026-01-15", 12, 0)},
      {"2026-07-15", 14, 0, Utc("2026-07-15", 12, 0)},
      // March: 01:59 CET exists, 02:00-02:59 do not and are read as CET, 03:00 is CEST.
      {"2026-03-29", 1, 59, Utc("2026-03-29", 0, 59)},
      {"2026-03-29", 2, 0, Utc("2026-03-29", 1, 0)},
      {"2026-03-29", 2, 30, Utc("2026-03-29", 1, 30)},
      {"2026-03-29", 2, 59, Utc("2026-03-29", 1, 59)},
      {"2026-03-29", 3, 0, Utc("2026-03-29", 1, 0)},
      {"2026-03-29", 3, 30, Utc("2026-03-29", 1, 30)},
      // October: 02:00-02:59 happen twice; the first (CEST) is chosen. 03:00 is CET only.
      {"2026-10-25", 1, 59, Utc("2026-10-24", 23, 59)},
      {"2026-10-25", 2, 0, Utc("2026-10-25", 0, 0)},
      {"2026-10-25", 2, 30, Utc("2026-10-25", 0, 30)},
      {"2026-10-25", 2, 59, Utc("2026-10-25", 0, 59)},
      {"2026-10-25", 3, 0, Utc("2026-10-25", 2, 0)},
      // time_of_day past 24h counts on from local midnight.
      {"2026-07-01", 25, 0, Utc("2026-07-01", 23, 0)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.date + " " + std::to_string(c.hh) + ":" + std::to_string(c.mm));
    EXPECT_EQ(FromStockholm(D(c.date), hours{c.hh} + minutes{c.mm}), c.want);
  }
  // A nonexistent March time comes back one hour later on the wall clock.
  EXPECT_EQ(Describe(ToStockholm(FromStockholm(D("2026-03-29"), hours{2} + minutes{30}))),
            "2026-03-29 03:30 UTC+2");
  // The second October 02:30 maps back to the first.
  const TimePoint second = Utc("2026-10-25", 1, 30);
  EXPECT_EQ(Describe(ToStockholm(second)), "2026-10-25 02:30 UTC+1");
  EXPECT_EQ(FromStockholm(D("2026-10-25"), hours{2} + minutes{30}), second - hours{1});
}

// Every UTC minute of 2026 survives ToStockholm -> FromStockholm, except the second pass
// through the repeated October hour, which by design maps to the first.
TEST(SwedishCalendarStockholm, RoundTripEveryMinuteOf2026) {
  const TimePoint repeat_begin = Utc("2026-10-25", 1, 0);
  const TimePoint repeat_end = Utc("2026-10-25", 2, 0);
  int mismatches = 0;
  for (TimePoint t = Utc("2026-01-01", 0, 0); t < Utc("2027-01-01", 0, 0); t += minutes{1}) {
    const LocalTime lt = ToStockholm(t);
    const TimePoint back = FromStockholm(lt.date, lt.time_of_day);
    const TimePoint want = t >= repeat_begin && t < repeat_end ? t - hours{1} : t;
    if (back != want && ++mismatches <= 5) {
      ADD_FAILURE() << Describe(lt) << " round-trips to a different instant";
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// Every local minute of the transition days that exists survives the opposite round trip.
TEST(SwedishCalendarStockholm, LocalRoundTripOnTransitionDays) {
  for (const char* date : {"2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31"}) {
    for (int m = 0; m < 24 * 60; ++m) {
      const bool skipped = std::string_view(date).substr(5, 2) == "03" && m >= 120 && m < 180;
      if (skipped) continue;
      SCOPED_TRACE(std::string(date) + " minute " + std::to_string(m));
      const LocalTime lt = ToStockholm(FromStockholm(D(date), minutes{m}));
      ASSERT_EQ(FormatDate(lt.date), date);
      ASSERT_EQ(lt.time_of_day, minutes{m});
    }
  }
}

TEST(SwedishCalendarStockholm, SubMinutePrecisionIsTruncated) {
  const TimePoint t = Utc("2026-07-01", 10, 15, 59) + std::chrono::milliseconds{999};
  EXPECT_EQ(ToStockholm(t).time_of_day, hours{12} + minutes{15});
}

}  // namespace
}  // namespace slussen::calendar
