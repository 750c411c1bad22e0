#pragma once
// How the hub delivers to one destination: retries, receipts and their fallback, flow control,
// maintenance windows. Plain values, read from the config's <delivery> defaults and the
// overrides inside each <kommun>, <vardcentral> and <destination> (delivery_policy_loader.h);
// the rules that act on them are in hub/src/delivery/ (retry_policy.h, maintenance_window.h).
// hub/DESIGN.md, "Delivery policy", says what each value means to the dispatcher.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/swedish_calendar.h"

namespace slussen {

struct RetryPolicy {
  std::chrono::milliseconds initial_delay{1000};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{std::chrono::minutes(10)};
  double jitter = 0.2;               // each delay is scaled by a factor in [1-jitter, 1+jitter]
  int max_attempts = 0;              // 0: no limit by count
  std::chrono::seconds max_age{0};   // 0: no limit by age (counted from the row's enqueue time)
  // What a receiver's `modified` with undeliverable-here means.
  enum class Modified { kRetry, kDeadLetter } modified_undeliverable = Modified::kDeadLetter;

  friend bool operator==(const RetryPolicy&, const RetryPolicy&) = default;
};

struct ReceiptPolicy {
  std::chrono::seconds timeout{0};  // 0: receipts are not awaited for this destination
  // Fall back this long before the event's legal deadline, if that is earlier than the timeout.
  std::chrono::seconds deadline_margin{0};
  std::string fallback;  // destination id to route to (e.g. "letter"); empty: none
  // A receipt timeout that falls inside a maintenance window of the destination: wait until the
  // window ends (extend) or fall back at once.
  enum class DuringWindow { kExtend, kFallback } during_window = DuringWindow::kExtend;

  friend bool operator==(const ReceiptPolicy&, const ReceiptPolicy&) = default;
};

// A recurring (or one-off) period during which the destination's far side is known to be down,
// in Europe/Stockholm wall-clock time. A recurring occurrence starts on a day that matches
// `repeat` at `from` and ends at `to` the same day, or the next day when `to` is at or before
// `from` (a window across midnight). Occurrences whose end is not after their start (possible
// only when a DST change swallows the window) do not exist.
struct MaintenanceWindow {
  enum class Repeat {
    kDaily,    // every day
    kWeekly,   // every `day`
    kMonthly,  // the `week`-th `day` of each month (1..4), or the last one (week == kLastWeek)
    kOnce,     // from start to end (local date-times), once
  };
  static constexpr int kLastWeek = -1;

  struct LocalDateTime {
    calendar::Date date{};
    std::chrono::minutes time{0};  // since local midnight
    friend bool operator==(const LocalDateTime&, const LocalDateTime&) = default;
  };

  std::string name;  // for alarms and the operator ("Lifecare driftfönster")
  Repeat repeat = Repeat::kDaily;
  std::chrono::weekday day{};     // kWeekly, kMonthly
  int week = 1;                   // kMonthly: 1..4, or kLastWeek
  std::chrono::minutes from{0};   // recurring: local start time of day
  std::chrono::minutes to{0};     // recurring: local end time of day
  LocalDateTime start, end;       // kOnce

  friend bool operator==(const MaintenanceWindow&, const MaintenanceWindow&) = default;
};

struct DeliveryPolicy {
  RetryPolicy retry;
  ReceiptPolicy receipt;
  // Most deliveries on their way at once for the destination, over all its receivers: sent and
  // unsettled, or waiting for a retry. Above max-unsettled-outbound, so that one receiver that
  // holds its share unsettled leaves room for the others.
  int in_flight = 10000;
  std::vector<MaintenanceWindow> windows;
  // The minimum dataset (<minimum-dataset>, minimum_dataset_loader.h): by event kind name
  // (EventKindName), the Envelope field paths (wire/field_path.h) the destination's role is not
  // entitled to; the dispatcher strips them from each delivery. No entry for a kind: the
  // destination gets the event as it was received.
  std::map<std::string, std::vector<std::string>> strip;

  friend bool operator==(const DeliveryPolicy&, const DeliveryPolicy&) = default;
};

}  // namespace slussen
