#pragma once
// PLACEHOLDER until the delivery-policy branch merges (it replaces this file).
#include <chrono>

#include "common/clock.h"
#include "config/delivery_policy.h"

namespace slussen {

std::chrono::milliseconds BackoffDelay(const RetryPolicy& p, int failed_attempts, double random01);
bool BudgetSpent(const RetryPolicy& p, int failed_attempts, std::chrono::system_clock::time_point enqueued_at,
                 std::chrono::system_clock::time_point next_attempt_at);

}  // namespace slussen
