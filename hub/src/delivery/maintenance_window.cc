#include "delivery/maintenance_window.h"

#include <algorithm>

#include "common/swedish_calendar.h"

namespace slussen {
namespace {

using calendar::Date;
using Repeat = MaintenanceWindow::Repeat;

struct Occurrence {
  TimePoint start;
  TimePoint end;
  std::size_t index;  // into windows: ties go to the first configured
};

bool StartsOn(const MaintenanceWindow& w, Date d) {
  using namespace std::chrono;
  switch (w.repeat) {
    case Repeat::kDaily: return true;
    case Repeat::kWeekly: return weekday(sys_days(d)) == w.day;
    case Repeat::kMonthly: {
      if (weekday(sys_days(d)) != w.day) return false;
      const unsigned dom = static_cast<unsigned>(d.day());
      if (w.week == MaintenanceWindow::kLastWeek) {
        // The last one: a week later is already next month.
        return dom + 7 > static_cast<unsigned>((d.year() / d.month() / last).day());
      }
      return static_cast<int>((dom - 1) / 7 + 1) == w.week;
    }
    case Repeat::kOnce: return false;
  }
  return false;
}

// The occurrence of recurring `w` starting on local day `d`, if any. A DST change can make
// it empty (02:30-03:00 on the day summer time starts), and then it does not exist.
std::optional<Occurrence> OccurrenceOn(const MaintenanceWindow& w, std::size_t index, Date d) {
  if (!StartsOn(w, d)) return std::nullopt;
  const TimePoint start = calendar::FromStockholm(d, w.from);
  const Date end_day = w.to > w.from ? d : calendar::AddCalendarDays(d, 1);
  const TimePoint end = calendar::FromStockholm(end_day, w.to);
  if (end <= start) return std::nullopt;
  return Occurrence{start, end, index};
}

// Every occurrence that overlaps or touches [lo, hi].
std::vector<Occurrence> Touching(const std::vector<MaintenanceWindow>& windows, TimePoint lo,
                                 TimePoint hi) {
  std::vector<Occurrence> out;
  // A recurring occurrence lasts less than a day (plus an hour at most across a DST change),
  // so one touching lo starts no earlier than the local day before lo's.
  const Date first = calendar::AddCalendarDays(calendar::StockholmDate(lo), -1);
  const Date last = calendar::StockholmDate(hi);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const MaintenanceWindow& w = windows[i];
    if (w.repeat == Repeat::kOnce) {
      const TimePoint start = calendar::FromStockholm(w.start.date, w.start.time);
      const TimePoint end = calendar::FromStockholm(w.end.date, w.end.time);
      if (start < end && start <= hi && end >= lo) out.push_back({start, end, i});
      continue;
    }
    for (Date d = first; std::chrono::sys_days(d) <= std::chrono::sys_days(last);
         d = calendar::AddCalendarDays(d, 1)) {
      if (auto o = OccurrenceOn(w, i, d); o && o->start <= hi && o->end >= lo) out.push_back(*o);
    }
  }
  return out;
}

// Grows [lo, hi) by every occurrence overlapping or touching it, until nothing changes or the
// horizon past `limit_from` is reached; lo moves only when `backwards`.
void Merge(const std::vector<MaintenanceWindow>& windows, TimePoint limit_from, bool backwards,
           TimePoint& lo, TimePoint& hi) {
  const TimePoint latest = limit_from + kMergeHorizon;
  const TimePoint earliest = limit_from - kMergeHorizon;
  for (;;) {
    bool grew = false;
    for (const Occurrence& o : Touching(windows, lo, hi)) {
      if (o.end > hi) {
        hi = std::min(o.end, std::max(hi, latest));
        grew = grew || hi < latest;
      }
      if (backwards && o.start < lo) {
        lo = std::max(o.start, std::min(lo, earliest));
        grew = grew || lo > earliest;
      }
    }
    if (!grew) return;
  }
}

}  // namespace

std::optional<WindowSpan> ActiveWindow(const std::vector<MaintenanceWindow>& windows,
                                       TimePoint t) {
  std::optional<Occurrence> first;
  for (const Occurrence& o : Touching(windows, t, t)) {
    if (!(o.start <= t && t < o.end)) continue;
    if (!first || o.start < first->start || (o.start == first->start && o.index < first->index)) {
      first = o;
    }
  }
  if (!first) return std::nullopt;
  TimePoint lo = first->start;
  TimePoint hi = first->end;
  Merge(windows, t, true, lo, hi);
  return WindowSpan{lo, hi, windows[first->index].name};
}

std::optional<WindowSpan> NextWindowStart(const std::vector<MaintenanceWindow>& windows,
                                          TimePoint t) {
  // Every recurring window occurs at least once a month, so the next start lies within about
  // five weeks; one-off windows are looked at directly.
  std::optional<Occurrence> next;
  auto consider = [&](const Occurrence& o) {
    if (o.start <= t) return;
    if (!next || o.start < next->start || (o.start == next->start && o.index < next->index)) {
      next = o;
    }
  };
  const Date today = calendar::StockholmDate(t);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const MaintenanceWindow& w = windows[i];
    if (w.repeat == Repeat::kOnce) {
      const TimePoint start = calendar::FromStockholm(w.start.date, w.start.time);
      const TimePoint end = calendar::FromStockholm(w.end.date, w.end.time);
      if (start < end) consider({start, end, i});
      continue;
    }
    for (int k = 0; k <= 40; ++k) {
      const Date d = calendar::AddCalendarDays(today, k);
      if (auto o = OccurrenceOn(w, i, d); o && o->start > t) {
        consider(*o);
        break;  // later days of this window start later still
      }
    }
  }
  if (!next) return std::nullopt;
  TimePoint lo = next->start;
  TimePoint hi = next->end;
  Merge(windows, next->start, false, lo, hi);
  return WindowSpan{lo, hi, windows[next->index].name};
}

}  // namespace slussen
