#include "delivery/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace slussen {

std::chrono::milliseconds BackoffDelay(const RetryPolicy& p, int failed_attempts, double random01) {
  const double base = static_cast<double>(p.initial_delay.count()) *
                      std::pow(p.multiplier, std::min(std::max(failed_attempts - 1, 0), 60));
  const double capped = std::min(base, static_cast<double>(p.max_delay.count()));
  const double factor = 1.0 - p.jitter + 2.0 * p.jitter * random01;
  return std::chrono::milliseconds(static_cast<int64_t>(capped * factor));
}

bool BudgetSpent(const RetryPolicy& p, int failed_attempts, std::chrono::system_clock::time_point enqueued_at,
                 std::chrono::system_clock::time_point next_attempt_at) {
  if (p.max_attempts > 0 && failed_attempts >= p.max_attempts) return true;
  return p.max_age.count() > 0 && next_attempt_at > enqueued_at + p.max_age;
}

}  // namespace slussen
