#pragma once
// Text forms of instants for reports and tools: ISO 8601 / RFC 3339 with the Europe/Stockholm
// offset of that instant (calendar::ToStockholm), and the parsing of the same. Pure.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace slussen {

// "2026-03-30T11:59:00+02:00": Stockholm local wall time with the offset in force at `t` (+01:00
// in winter, +02:00 in summer). Seconds always; a fraction (3 or 6 digits) only when `t` has one.
std::string FormatStockholmTime(std::chrono::system_clock::time_point t);

// RFC 3339 with an explicit offset or Z, e.g. "2026-03-30T11:59:00+02:00",
// "2026-03-30T09:59:00.250Z" (google::protobuf::util::TimeUtil). nullopt if malformed or outside
// the plausible window of common/timestamp.h (1900-01-01 to 2199-12-31).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& s);

// "YYYY-MM-DD HH:MM" (or with a T between) read as Europe/Stockholm wall time
// (calendar::FromStockholm: a time in the skipped spring hour moves forward, a repeated autumn
// hour is its first occurrence). nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> ParseStockholmLocal(std::string_view s);

// Either of the above: RFC 3339 if it parses, else Stockholm local.
std::optional<std::chrono::system_clock::time_point> ParseTimeArgument(const std::string& s);

}  // namespace slussen
