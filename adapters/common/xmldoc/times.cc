#include "xmldoc/times.h"

#include <google/protobuf/util/time_util.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "common/swedish_calendar.h"
#include "common/timestamp.h"

namespace slussen::xmldoc {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

bool IsValid(const Timestamp& ts) {
  return ts.nanos() >= 0 && ts.nanos() <= 999'999'999 && ts.seconds() >= kTimestampMinSeconds &&
         ts.seconds() <= kTimestampMaxSeconds;
}

// ".5" is written ".500": 3, 6 or 9 digits, as protobuf's own JSON form does.
std::string Fraction(int32_t nanos) {
  if (nanos == 0) return {};
  char buf[16];
  int n;
  if (nanos % 1'000'000 == 0) {
    n = std::snprintf(buf, sizeof buf, ".%03d", nanos / 1'000'000);
  } else if (nanos % 1000 == 0) {
    n = std::snprintf(buf, sizeof buf, ".%06d", nanos / 1000);
  } else {
    n = std::snprintf(buf, sizeof buf, ".%09d", nanos);
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

std::optional<std::string> FormatTime(const Timestamp& ts) {
  if (!IsValid(ts)) return std::nullopt;
  if (!TimestampProblem(ts).empty()) return TimeUtil::ToString(ts);  // valid, but not plausible
  using namespace std::chrono;
  const sys_seconds t{seconds(ts.seconds())};
  const calendar::LocalTime local = calendar::ToStockholm(t);
  // ToStockholm truncates to minutes; the offset is whole minutes, so the seconds are the same
  // in UTC and local time.
  const auto sec = (t - floor<minutes>(t)).count();
  const auto tod = local.time_of_day.count();
  const auto off = local.utc_offset.count();
  char buf[64];
  const int n = std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(local.date.year()),
      static_cast<unsigned>(local.date.month()), static_cast<unsigned>(local.date.day()),
      static_cast<int>(tod / 60), static_cast<int>(tod % 60), static_cast<int>(sec));
  std::string out(buf, static_cast<std::size_t>(n));
  out += Fraction(ts.nanos());
  const int m = std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+',
                              static_cast<int>(std::abs(off) / 60),
                              static_cast<int>(std::abs(off) % 60));
  out.append(buf, static_cast<std::size_t>(m));
  return out;
}

std::optional<Timestamp> ParseTime(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  const auto last = text.find_last_not_of(" \t\r\n");
  const std::string s(text.substr(first, last - first + 1));
  // TimeUtil also takes a lower-case 't' or 'z' and other forms the schema refuses; the schema
  // has run first, so only well-formed times reach here, and TimeUtil does the arithmetic.
  Timestamp ts;
  if (!TimeUtil::FromString(s, &ts) || !IsValid(ts)) return std::nullopt;
  return ts;
}

}  // namespace slussen::xmldoc
