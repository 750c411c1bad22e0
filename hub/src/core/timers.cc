#include "core/timers.h"

#include <algorithm>

namespace slussen {

void Timers::Arm(TimerId id, TimePoint due) { due_[Index(id)] = due; }

void Timers::ArmNoLaterThan(TimerId id, TimePoint due) {
  auto& slot = due_[Index(id)];
  if (!slot || due < *slot) slot = due;
}

void Timers::Disarm(TimerId id) { due_[Index(id)].reset(); }

std::optional<Timers::TimePoint> Timers::NextDue() const {
  std::optional<TimePoint> next;
  for (const auto& due : due_) {
    if (due && (!next || *due < *next)) next = due;
  }
  return next;
}

std::vector<TimerId> Timers::TakeDue(TimePoint now) {
  std::vector<std::pair<TimePoint, TimerId>> fired;
  for (std::size_t i = 0; i < due_.size(); ++i) {
    if (due_[i] && *due_[i] <= now) {
      fired.emplace_back(*due_[i], static_cast<TimerId>(i));
      due_[i].reset();
    }
  }
  std::sort(fired.begin(), fired.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<TimerId> out;
  out.reserve(fired.size());
  for (const auto& f : fired) out.push_back(f.second);
  return out;
}

}  // namespace slussen
