#pragma once
// When a destination's maintenance windows (config/delivery_policy.h) are in force, as instants.
// Windows are Europe/Stockholm wall-clock times, turned into instants with the Swedish calendar
// (common/swedish_calendar.h), so they follow CET/CEST and never the process time zone.
//
// An occurrence of a window covers [start, end): it is in force at its start and over at its
// end. Occurrences of all the windows that overlap or touch form one span, since a destination
// paused until 10:00 and again from 10:00 is paused throughout; a chain of them is followed at
// most kMergeHorizon past the occurrence it starts from (windows that cover all time would
// otherwise never end), and the span then ends there, to be asked again.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/delivery_policy.h"

namespace slussen {

using TimePoint = std::chrono::system_clock::time_point;

inline constexpr std::chrono::hours kMergeHorizon{24 * 62};

struct WindowSpan {
  TimePoint start;
  TimePoint end;
  std::string name;  // of the occurrence the span was found by (the earliest-starting one)

  friend bool operator==(const WindowSpan&, const WindowSpan&) = default;
};

// The span in force at `t`: start is the earliest start of the occurrences merged into it, end
// the latest end; name is that of the earliest-starting occurrence containing t (the first in
// `windows` on a tie). nullopt when no window is in force at t.
std::optional<WindowSpan> ActiveWindow(const std::vector<MaintenanceWindow>& windows, TimePoint t);

// The first occurrence that starts strictly after `t`, with the end of the span it begins
// (occurrences overlapping or touching it later merged in, as in ActiveWindow). nullopt when
// none ever does (only one-off windows, all in the past).
std::optional<WindowSpan> NextWindowStart(const std::vector<MaintenanceWindow>& windows,
                                          TimePoint t);

}  // namespace slussen
