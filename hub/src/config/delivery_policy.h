#pragma once
// PLACEHOLDER until the delivery-policy branch merges (it replaces this file).
#include <chrono>
#include <string>
#include <vector>

namespace slussen {

struct RetryPolicy {
  std::chrono::milliseconds initial_delay{1000};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{std::chrono::minutes(10)};
  double jitter = 0.2;
  int max_attempts = 0;
  std::chrono::seconds max_age{0};
  enum class Modified { kRetry, kDeadLetter } modified_undeliverable = Modified::kDeadLetter;
};

struct DeliveryPolicy {
  RetryPolicy retry;
  int in_flight = 1000;
};

}  // namespace slussen
