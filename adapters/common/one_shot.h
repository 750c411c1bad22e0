#pragma once
// A value that is set once by one thread and awaited, with a timeout, by another. The client's
// container thread completes public calls through these; a second Set() is ignored, so every
// path that can finish an operation (outcome, link error, connection loss) may simply try.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace slussen::client {

// Turns a user-supplied timeout into a deadline without overflowing on huge values.
inline std::chrono::steady_clock::time_point DeadlineAfter(std::chrono::milliseconds timeout) {
  constexpr auto kMax = std::chrono::hours(24 * 365);
  if (timeout > kMax) timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kMax);
  if (timeout.count() < 0) timeout = std::chrono::milliseconds(0);
  return std::chrono::steady_clock::now() + timeout;
}

template <class T>
class OneShot {
 public:
  // Returns false if a value was already set.
  bool Set(T value) {
    std::lock_guard<std::mutex> lock(mu_);
    if (value_) return false;
    value_ = std::move(value);
    cv_.notify_all();
    return true;
  }

  std::optional<T> WaitUntil(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline, [this] { return value_.has_value(); });
    return value_;
  }

  std::optional<T> WaitFor(std::chrono::milliseconds timeout) {
    return WaitUntil(DeadlineAfter(timeout));
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> value_;
};

}  // namespace slussen::client
