#include "delivery/maintenance_window.h"

#include "common/time_format.h"
#include "config/config_loader.h"
#include "testing/temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace slussen {
namespace {

using namespace std::chrono_literals;
using std::chrono::minutes;
using std::chrono::weekday;
using ::testing::Optional;
using Repeat = MaintenanceWindow::Repeat;

}  // namespace

// A failing expectation shows the span in Stockholm time rather than as bytes.
void PrintTo(const WindowSpan& s, std::ostream* os) {
  *os << "{" << FormatStockholmTime(s.start) << " .. " << FormatStockholmTime(s.end) << ", \""
      << s.name << "\"}";
}

namespace {

TimePoint Utc(int y, unsigned m, unsigned d, int hh, int mm) {
  return std::chrono::sys_days(std::chrono::year(y) / m / d) + std::chrono::hours(hh) +
         minutes(mm);
}

MaintenanceWindow Recurring(std::string name, Repeat repeat, minutes from, minutes to,
                            weekday day = std::chrono::Monday, int week = 1) {
  MaintenanceWindow w;
  w.name = std::move(name);
  w.repeat = repeat;
  w.day = day;
  w.week = week;
  w.from = from;
  w.to = to;
  return w;
}

MaintenanceWindow Once(std::string name, calendar::Date start, minutes start_time,
                       calendar::Date end, minutes end_time) {
  MaintenanceWindow w;
  w.name = std::move(name);
  w.repeat = Repeat::kOnce;
  w.start = {start, start_time};
  w.end = {end, end_time};
  return w;
}

// Halmstad's Lifecare downtime, the way the kommun announces it.
const MaintenanceWindow kLifecare = Recurring("Lifecare", Repeat::kMonthly, 8h + 30min,
                                              11h + 30min, std::chrono::Wednesday, 1);

TEST(MaintenanceWindowTest, FirstWednesdayInDecember2026IsInWinterTime) {
  const std::vector<MaintenanceWindow> w{kLifecare};
  // 2026-12-02 is the first Wednesday; 08:30-11:30 CET is 07:30-10:30 UTC.
  const WindowSpan dec{Utc(2026, 12, 2, 7, 30), Utc(2026, 12, 2, 10, 30), "Lifecare"};
  EXPECT_THAT(NextWindowStart(w, Utc(2026, 11, 29, 0, 0)), Optional(dec));
  EXPECT_EQ(ActiveWindow(w, Utc(2026, 12, 2, 7, 30) - 1s), std::nullopt);
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 2, 7, 30)), Optional(dec));
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 2, 10, 29)), Optional(dec));
  EXPECT_EQ(ActiveWindow(w, Utc(2026, 12, 2, 10, 30)), std::nullopt);
  // The second Wednesday is no window; the next is 2027-01-06.
  EXPECT_EQ(ActiveWindow(w, Utc(2026, 12, 9, 8, 0)), std::nullopt);
  EXPECT_THAT(NextWindowStart(w, Utc(2026, 12, 2, 7, 30)),
              Optional(WindowSpan{Utc(2027, 1, 6, 7, 30), Utc(2027, 1, 6, 10, 30), "Lifecare"}));
}

TEST(MaintenanceWindowTest, FirstWednesdayAcrossTheMarch2027ChangeToSummerTime) {
  const std::vector<MaintenanceWindow> w{kLifecare};
  // 2027-03-03, before the change on 2027-03-28: still CET.
  const WindowSpan march{Utc(2027, 3, 3, 7, 30), Utc(2027, 3, 3, 10, 30), "Lifecare"};
  EXPECT_THAT(NextWindowStart(w, Utc(2027, 2, 15, 12, 0)), Optional(march));
  EXPECT_THAT(ActiveWindow(w, Utc(2027, 3, 3, 9, 0)), Optional(march));
  // 2027-04-07 in CEST: 06:30-09:30 UTC, an hour earlier in UTC than in March.
  const WindowSpan april{Utc(2027, 4, 7, 6, 30), Utc(2027, 4, 7, 9, 30), "Lifecare"};
  EXPECT_THAT(NextWindowStart(w, Utc(2027, 3, 3, 10, 30)), Optional(april));
  EXPECT_THAT(ActiveWindow(w, Utc(2027, 4, 7, 6, 30)), Optional(april));
  EXPECT_EQ(ActiveWindow(w, Utc(2027, 4, 7, 9, 30)), std::nullopt);
  EXPECT_EQ(ActiveWindow(w, Utc(2027, 4, 7, 6, 29)), std::nullopt);
}

TEST(MaintenanceWindowTest, LastSundayOfTheMonthIncludingTheDaysTheClocksChange) {
  const std::vector<MaintenanceWindow> w{Recurring("natt", Repeat::kMonthly, 1h, 4h,
                                                   std::chrono::Sunday,
                                                   MaintenanceWindow::kLastWeek)};
  // 2027-03-28: 01:00 CET is 00:00 UTC, 04:00 CEST is 02:00 UTC: two real hours.
  EXPECT_THAT(ActiveWindow(w, Utc(2027, 3, 28, 1, 0)),
              Optional(WindowSpan{Utc(2027, 3, 28, 0, 0), Utc(2027, 3, 28, 2, 0), "natt"}));
  // 2026-10-25: 01:00 CEST is 23:00 UTC the day before, 04:00 CET is 03:00 UTC: four hours.
  EXPECT_THAT(NextWindowStart(w, Utc(2026, 10, 1, 0, 0)),
              Optional(WindowSpan{Utc(2026, 10, 24, 23, 0), Utc(2026, 10, 25, 3, 0), "natt"}));
  // January 2027 has five Sundays: the last is the 31st, not the 24th.
  EXPECT_THAT(NextWindowStart(w, Utc(2027, 1, 1, 0, 0)),
              Optional(WindowSpan{Utc(2027, 1, 31, 0, 0), Utc(2027, 1, 31, 3, 0), "natt"}));
  EXPECT_EQ(ActiveWindow(w, Utc(2027, 1, 24, 1, 0)), std::nullopt);
  // February 2027 ends on a Sunday.
  EXPECT_THAT(NextWindowStart(w, Utc(2027, 1, 31, 3, 0)),
              Optional(WindowSpan{Utc(2027, 2, 28, 0, 0), Utc(2027, 2, 28, 3, 0), "natt"}));
}

TEST(MaintenanceWindowTest, FourthSundayIsNotTheLastWhenThereAreFive) {
  const std::vector<MaintenanceWindow> w{
      Recurring("fjärde", Repeat::kMonthly, 1h, 4h, std::chrono::Sunday, 4)};
  EXPECT_THAT(NextWindowStart(w, Utc(2027, 1, 1, 0, 0)),
              Optional(WindowSpan{Utc(2027, 1, 24, 0, 0), Utc(2027, 1, 24, 3, 0), "fjärde"}));
}

TEST(MaintenanceWindowTest, WeeklyWindow) {
  const std::vector<MaintenanceWindow> w{
      Recurring("tisdag", Repeat::kWeekly, 12h, 13h, std::chrono::Tuesday)};
  EXPECT_THAT(NextWindowStart(w, Utc(2026, 11, 29, 0, 0)),
              Optional(WindowSpan{Utc(2026, 12, 1, 11, 0), Utc(2026, 12, 1, 12, 0), "tisdag"}));
  EXPECT_THAT(NextWindowStart(w, Utc(2026, 12, 1, 11, 0)),
              Optional(WindowSpan{Utc(2026, 12, 8, 11, 0), Utc(2026, 12, 8, 12, 0), "tisdag"}));
}

TEST(MaintenanceWindowTest, DailyWindowAcrossMidnightEndsTheNextDay) {
  const std::vector<MaintenanceWindow> w{Recurring("natt", Repeat::kDaily, 22h, 2h)};
  // 00:30 local on 2 December belongs to the window that began at 22:00 on 1 December.
  const WindowSpan span{Utc(2026, 12, 1, 21, 0), Utc(2026, 12, 2, 1, 0), "natt"};
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 1, 23, 30)), Optional(span));
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 1, 21, 0)), Optional(span));
  EXPECT_EQ(ActiveWindow(w, Utc(2026, 12, 2, 1, 0)), std::nullopt);
  EXPECT_THAT(NextWindowStart(w, Utc(2026, 12, 2, 1, 0)),
              Optional(WindowSpan{Utc(2026, 12, 2, 21, 0), Utc(2026, 12, 3, 1, 0), "natt"}));
  // Across the year end too.
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 31, 23, 30)),
              Optional(WindowSpan{Utc(2026, 12, 31, 21, 0), Utc(2027, 1, 1, 1, 0), "natt"}));
}

TEST(MaintenanceWindowTest, AnOccurrenceSwallowedByTheSpringChangeDoesNotExist) {
  // 02:30-03:00 on 2027-03-28: 02:30 does not exist (read as CET: 01:30 UTC) and 03:00 CEST is
  // 01:00 UTC, so that night there is no window.
  const std::vector<MaintenanceWindow> w{Recurring("kort", Repeat::kDaily, 2h + 30min, 3h)};
  EXPECT_EQ(ActiveWindow(w, Utc(2027, 3, 28, 1, 15)), std::nullopt);
  EXPECT_EQ(ActiveWindow(w, Utc(2027, 3, 28, 1, 45)), std::nullopt);
  EXPECT_THAT(NextWindowStart(w, Utc(2027, 3, 27, 2, 0)),
              Optional(WindowSpan{Utc(2027, 3, 29, 0, 30), Utc(2027, 3, 29, 1, 0), "kort"}));
}

TEST(MaintenanceWindowTest, OneOffRange) {
  const std::vector<MaintenanceWindow> w{Once("uppgradering", calendar::Date{2026y / 12 / 30}, 18h,
                                              calendar::Date{2027y / 1 / 2}, 6h)};
  const WindowSpan span{Utc(2026, 12, 30, 17, 0), Utc(2027, 1, 2, 5, 0), "uppgradering"};
  EXPECT_THAT(NextWindowStart(w, Utc(2026, 11, 29, 0, 0)), Optional(span));
  EXPECT_THAT(ActiveWindow(w, Utc(2027, 1, 1, 12, 0)), Optional(span));
  EXPECT_EQ(ActiveWindow(w, Utc(2027, 1, 2, 5, 0)), std::nullopt);
  // Once over, it never comes back.
  EXPECT_EQ(NextWindowStart(w, Utc(2026, 12, 30, 17, 0)), std::nullopt);
  EXPECT_EQ(NextWindowStart(w, Utc(2027, 6, 1, 0, 0)), std::nullopt);
}

TEST(MaintenanceWindowTest, OverlappingWindowsMergeToTheLatestEnd) {
  const std::vector<MaintenanceWindow> w{
      Recurring("A", Repeat::kDaily, 8h, 10h),
      Recurring("B", Repeat::kWeekly, 9h + 30min, 12h, std::chrono::Wednesday)};
  // Wednesday 2026-12-02: A 07:00-09:00 UTC, B 08:30-11:00 UTC.
  const TimePoint start = Utc(2026, 12, 2, 7, 0);
  const TimePoint end = Utc(2026, 12, 2, 11, 0);
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 2, 7, 30)), Optional(WindowSpan{start, end, "A"}));
  // Inside B only: the span still starts with A, and is named by the window in force.
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 2, 9, 30)), Optional(WindowSpan{start, end, "B"}));
  EXPECT_THAT(NextWindowStart(w, Utc(2026, 12, 1, 12, 0)), Optional(WindowSpan{start, end, "A"}));
  // Thursday: A alone.
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 3, 7, 30)),
              Optional(WindowSpan{Utc(2026, 12, 3, 7, 0), Utc(2026, 12, 3, 9, 0), "A"}));
}

TEST(MaintenanceWindowTest, TouchingWindowsMerge) {
  const std::vector<MaintenanceWindow> w{Recurring("A", Repeat::kDaily, 8h, 10h),
                                         Recurring("C", Repeat::kDaily, 10h, 11h)};
  EXPECT_THAT(ActiveWindow(w, Utc(2026, 12, 2, 8, 0)),
              Optional(WindowSpan{Utc(2026, 12, 2, 7, 0), Utc(2026, 12, 2, 10, 0), "A"}));
}

TEST(MaintenanceWindowTest, WindowsCoveringAllTimeEndAtTheHorizon) {
  const std::vector<MaintenanceWindow> w{Recurring("fm", Repeat::kDaily, 0h, 12h),
                                         Recurring("em", Repeat::kDaily, 12h, 0h)};
  const TimePoint t = Utc(2026, 12, 2, 12, 0);
  const auto span = ActiveWindow(w, t);
  ASSERT_TRUE(span.has_value());
  EXPECT_GE(span->end, t + kMergeHorizon);
  EXPECT_LE(span->end, t + kMergeHorizon + std::chrono::hours(25));
  EXPECT_LE(span->start, t - kMergeHorizon);
}

// The demo config's window, read by the real loader, says what the kommun announced.
TEST(MaintenanceWindowTest, DemoConfigPausesHalmstadOnTheFirstWednesdayMorning) {
  auto cfg = LoadConfig((testing::SourceDir() / "config" / "demo.xml").string());
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  const auto& windows = cfg->PolicyFor("kommun-1380").windows;
  EXPECT_THAT(ActiveWindow(windows, Utc(2026, 12, 2, 9, 0)),
              Optional(WindowSpan{Utc(2026, 12, 2, 7, 30), Utc(2026, 12, 2, 10, 30),
                                  "Lifecare driftfönster"}));
  EXPECT_EQ(ActiveWindow(cfg->PolicyFor("kommun-1383").windows, Utc(2026, 12, 2, 9, 0)),
            std::nullopt);
}

TEST(MaintenanceWindowTest, NoWindows) {
  EXPECT_EQ(ActiveWindow({}, Utc(2026, 12, 2, 8, 0)), std::nullopt);
  EXPECT_EQ(NextWindowStart({}, Utc(2026, 12, 2, 8, 0)), std::nullopt);
}

}  // namespace
}  // namespace slussen
