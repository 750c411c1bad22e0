#pragma once
// The core actor's one timer facility, on the injected clock: delivery retries today, the
// re-evaluation of cases as time passes, and next receipt timeouts, maintenance windows and
// alarms. Each timer has a fixed identity and at most one due time (arming again moves it), so a
// timer can never pile up copies of itself. Owned by the core thread; not thread-safe.
//
// Why the injected clock: what these timers do is business (a deadline passes, a retry falls
// due), and tests move time by setting the clock and waking the core (Core::Drain), instead of
// sleeping. Pacing of disk writes (the acceptance flush) stays on the steady clock.
#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "common/clock.h"

namespace slussen {

enum class TimerId : std::size_t {
  kDeliveryRetry,     // the dispatcher's earliest due retry
  kCaseEvaluation,    // stored deadline states and liability of open cases fall due
  kReceiptDue,        // the earliest delivery whose Receipt is due (then the fallback)
  kRetention,         // the next purge batch of data past its retention (core_retention.cc)
  kCount,
};

class Timers {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Sets (or moves) the timer to fire at `due`.
  void Arm(TimerId id, TimePoint due);
  // Arms the timer only if it is not armed or armed later than `due`.
  void ArmNoLaterThan(TimerId id, TimePoint due);
  void Disarm(TimerId id);
  bool armed(TimerId id) const { return due_[Index(id)].has_value(); }

  // The earliest armed due time.
  std::optional<TimePoint> NextDue() const;
  // Disarms and returns every timer due at `now`, earliest first.
  std::vector<TimerId> TakeDue(TimePoint now);

 private:
  static std::size_t Index(TimerId id) { return static_cast<std::size_t>(id); }
  std::array<std::optional<TimePoint>, static_cast<std::size_t>(TimerId::kCount)> due_{};
};

}  // namespace slussen
