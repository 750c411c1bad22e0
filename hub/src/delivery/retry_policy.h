#pragma once
// The retry rules of a destination's RetryPolicy (config/delivery_policy.h) as pure functions:
// how long to wait after a failed attempt, and when retrying is over. The caller supplies the
// randomness and the times, so tests fix both.
#include <chrono>

#include "config/delivery_policy.h"

namespace slussen {

using TimePoint = std::chrono::system_clock::time_point;

// The wait before the next attempt after `failed_attempts` failures (1 for the first failure;
// less than 1 counts as 1): initial_delay * multiplier^(failed_attempts - 1), at most max_delay,
// then scaled by 1 - jitter + 2 * jitter * random01, so random01 in [0, 1) gives a factor in
// [1 - jitter, 1 + jitter). random01 outside [0, 1) is clamped into it. Never negative, never
// more than max_delay * (1 + jitter), and finite for any failed_attempts (no overflow).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int failed_attempts,
                                       double random01);

// Whether the delivery's retries are over: max_attempts (if not 0) failures have happened, or
// the next attempt at `next_attempt_at` would come later than max_age (if not 0) after the
// event was queued for the destination at `enqueued_at`.
bool BudgetSpent(const RetryPolicy& policy, int failed_attempts, TimePoint enqueued_at,
                 TimePoint next_attempt_at);

}  // namespace slussen
