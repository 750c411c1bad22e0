#include "delivery/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace slussen {

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int failed_attempts,
                                       double random01) {
  // In double: the exponential overflows any integer after a few dozen attempts, while a double
  // goes to infinity, which the cap below turns into max_delay.
  const double initial = std::max<double>(0, static_cast<double>(policy.initial_delay.count()));
  const double cap = std::max<double>(0, static_cast<double>(policy.max_delay.count()));
  const double multiplier = std::max(1.0, policy.multiplier);
  const int exponent = std::max(1, failed_attempts) - 1;
  double base = initial == 0 ? 0 : initial * std::pow(multiplier, exponent);
  if (!(base <= cap)) base = cap;  // also catches infinity and NaN

  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  // NaN compares false with everything: treat it as the low end.
  const double r = random01 >= 0 ? std::min(random01, std::nextafter(1.0, 0.0)) : 0.0;
  const double factor = 1 - jitter + 2 * jitter * r;
  // To the nearest millisecond, so that 0.8 s (which 1 - 0.2 misses by an ulp) stays 800 ms.
  const double delay = std::min(base * factor, cap * (1 + jitter));
  return std::chrono::milliseconds(std::llround(delay));
}

bool BudgetSpent(const RetryPolicy& policy, int failed_attempts, TimePoint enqueued_at,
                 TimePoint next_attempt_at) {
  if (policy.max_attempts > 0 && failed_attempts >= policy.max_attempts) return true;
  if (policy.max_age.count() > 0 && next_attempt_at > enqueued_at + policy.max_age) return true;
  return false;
}

}  // namespace slussen
