#include "common/time_format.h"

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <cstdlib>

#include "common/swedish_calendar.h"
#include "common/timestamp.h"

namespace slussen {

std::string FormatStockholmTime(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const calendar::LocalTime local = calendar::ToStockholm(t);
  // ToStockholm truncates to minutes; take seconds and the fraction from the instant itself
  // (the offset is whole minutes, so they are the same in UTC and local time).
  const auto since_minute = t - floor<minutes>(t);
  const auto us = duration_cast<microseconds>(since_minute).count();
  const long long sec = us / 1'000'000;
  const long long frac_us = us % 1'000'000;
  const auto tod = local.time_of_day.count();
  const auto off = local.utc_offset.count();
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02lld",
                        calendar::FormatDate(local.date).c_str(), static_cast<int>(tod / 60),
                        static_cast<int>(tod % 60), sec);
  std::string out(buf, static_cast<std::size_t>(n));
  if (frac_us != 0) {
    if (frac_us % 1000 == 0) {
      n = std::snprintf(buf, sizeof buf, ".%03lld", frac_us / 1000);
    } else {
      n = std::snprintf(buf, sizeof buf, ".%06lld", frac_us);
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+',
                    static_cast<int>(std::abs(off) / 60), static_cast<int>(std::abs(off) % 60));
  out.append(buf, static_cast<std::size_t>(n));
  return out;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& s) {
  google::protobuf::Timestamp ts;
  if (s.empty() || !google::protobuf::util::TimeUtil::FromString(s, &ts)) return std::nullopt;
  // TimeUtil accepts years up to 9999, beyond what a system_clock time point holds.
  if (!TimestampProblem(ts).empty()) return std::nullopt;
  return TimestampToTimePoint(ts);
}

std::optional<std::chrono::system_clock::time_point> ParseStockholmLocal(std::string_view s) {
  // YYYY-MM-DD HH:MM, exactly 16 characters.
  if (s.size() != 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':') return std::nullopt;
  const auto date = calendar::ParseDate(s.substr(0, 10));
  if (!date) return std::nullopt;
  auto two = [&](std::size_t at) -> int {
    const char a = s[at], b = s[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    return (a - '0') * 10 + (b - '0');
  };
  const int hh = two(11), mm = two(14);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return std::nullopt;
  return calendar::FromStockholm(*date, std::chrono::minutes(hh * 60 + mm));
}

std::optional<std::chrono::system_clock::time_point> ParseTimeArgument(const std::string& s) {
  if (auto t = ParseRfc3339(s)) return t;
  return ParseStockholmLocal(s);
}

}  // namespace slussen
