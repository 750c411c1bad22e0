#include "config/maintenance_window_reader.h"

#include <array>
#include <string>
#include <string_view>

namespace slussen::config {
namespace {

using Repeat = MaintenanceWindow::Repeat;
using xml::Attr;
using xml::Tokens;

std::optional<std::string> Token(const xmlNode* n, const char* name) {
  const auto raw = Attr(n, name);
  if (!raw) return std::nullopt;
  const auto t = Tokens(*raw);
  return t.size() == 1 ? t[0] : *raw;
}

std::optional<std::chrono::weekday> ParseWeekday(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  for (unsigned i = 0; i < kNames.size(); ++i) {
    if (s == kNames[i]) return std::chrono::weekday(i);
  }
  return std::nullopt;
}

std::optional<int> ParseWeekOfMonth(std::string_view s) {
  if (s == "first") return 1;
  if (s == "second") return 2;
  if (s == "third") return 3;
  if (s == "fourth") return 4;
  if (s == "last") return MaintenanceWindow::kLastWeek;
  return std::nullopt;
}

// "YYYY-MM-DDTHH:MM", Europe/Stockholm wall-clock time.
std::optional<MaintenanceWindow::LocalDateTime> ParseLocalDateTime(std::string_view s) {
  if (s.size() != 16 || s[10] != 'T') return std::nullopt;
  const auto date = calendar::ParseDate(s.substr(0, 10));
  const auto time = xml::ParseLocalTime(s.substr(11));
  if (!date || !time) return std::nullopt;
  return MaintenanceWindow::LocalDateTime{*date, *time};
}

}  // namespace

std::optional<MaintenanceWindow> ReadMaintenanceWindow(const xmlNode* n,
                                                       xml::Diagnostics& diag) {
  MaintenanceWindow w;
  w.name = xml::AttrOr(n, "name");
  const std::string who = "maintenance window '" + w.name + "': ";
  bool ok = true;
  auto problem = [&](const std::string& message) {
    diag.Add(n, who + message);
    ok = false;
  };
  // Which attributes the kind of window needs (true) or must not have (false).
  auto require = [&](const char* name, bool needed, const char* kind) {
    const bool present = Attr(n, name).has_value();
    if (needed && !present) problem(std::string(kind) + " needs attribute '" + name + "'");
    if (!needed && present) problem(std::string(kind) + " takes no attribute '" + name + "'");
  };

  const auto every = Token(n, "every");
  const char* kind = "a one-off window (no every)";
  if (!every) {
    w.repeat = Repeat::kOnce;
  } else if (*every == "day") {
    w.repeat = Repeat::kDaily;
    kind = "every=\"day\"";
  } else if (*every == "week") {
    w.repeat = Repeat::kWeekly;
    kind = "every=\"week\"";
  } else if (*every == "month") {
    w.repeat = Repeat::kMonthly;
    kind = "every=\"month\"";
  } else {
    problem("attribute 'every': '" + *every + "' is none of \"day\", \"week\", \"month\"");
    return std::nullopt;
  }
  const bool once = w.repeat == Repeat::kOnce;
  require("start", once, kind);
  require("end", once, kind);
  require("from", !once, kind);
  require("to", !once, kind);
  require("day", w.repeat == Repeat::kWeekly || w.repeat == Repeat::kMonthly, kind);
  require("week", w.repeat == Repeat::kMonthly, kind);
  if (!ok) return std::nullopt;

  if (once) {
    const auto start = ParseLocalDateTime(Token(n, "start").value_or(""));
    const auto end = ParseLocalDateTime(Token(n, "end").value_or(""));
    const std::string form = "' is not a date and time (YYYY-MM-DDTHH:MM)";
    if (!start) problem("start '" + xml::AttrOr(n, "start") + form);
    if (!end) problem("end '" + xml::AttrOr(n, "end") + form);
    if (!ok) return std::nullopt;
    w.start = *start;
    w.end = *end;
    const auto instant = [](const MaintenanceWindow::LocalDateTime& l) {
      return calendar::FromStockholm(l.date, l.time);
    };
    if (instant(w.end) <= instant(w.start)) problem("end must be later than start");
    return ok ? std::optional(w) : std::nullopt;
  }

  const auto from = xml::ParseLocalTime(Token(n, "from").value_or(""));
  const auto to = xml::ParseLocalTime(Token(n, "to").value_or(""));
  if (!from) problem("from '" + xml::AttrOr(n, "from") + "' is not a time of day (HH:MM)");
  if (!to) problem("to '" + xml::AttrOr(n, "to") + "' is not a time of day (HH:MM)");
  if (from && to && *from == *to) {
    problem("from and to are both " + Token(n, "from").value_or("") +
            ": a window must have a length (to before from ends it the next day)");
  }
  if (w.repeat != Repeat::kDaily) {
    const auto day = ParseWeekday(Token(n, "day").value_or(""));
    if (!day) problem("day '" + xml::AttrOr(n, "day") + "' is not a weekday (monday ... sunday)");
    if (day) w.day = *day;
  }
  if (w.repeat == Repeat::kMonthly) {
    const auto week = ParseWeekOfMonth(Token(n, "week").value_or(""));
    if (!week) {
      problem("week '" + xml::AttrOr(n, "week") +
              "' is none of \"first\", \"second\", \"third\", \"fourth\", \"last\"");
    }
    if (week) w.week = *week;
  }
  if (!ok) return std::nullopt;
  w.from = *from;
  w.to = *to;
  return w;
}

}  // namespace slussen::config
