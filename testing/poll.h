#pragma once
// Waiting in a test for a condition with no notification (rows appearing in the store, a queue
// draining): polls `pred` until it holds or `timeout` passes. A generous timeout only bounds a
// failing test; nothing asserts how fast the condition came.
#include <chrono>
#include <functional>
#include <thread>

namespace slussen::testing {

inline bool PollUntil(const std::function<bool()>& pred,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30),
                      std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace slussen::testing
