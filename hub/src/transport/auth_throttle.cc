#include "transport/auth_throttle.h"

#include <algorithm>

namespace slussen {

int AuthThrottle::Failures(const std::string& address, int64_t now_ms) const {
  const auto it = failures_.find(address);
  if (it == failures_.end() || now_ms - it->second.last_ms >= limits_.forget_after_ms) return 0;
  return it->second.count;
}

int64_t AuthThrottle::Failed(const std::string& address, int64_t now_ms) {
  auto it = failures_.find(address);
  if (it == failures_.end()) {
    MakeRoom(now_ms);
    it = failures_.emplace(address, Entry{}).first;
  }
  Entry& e = it->second;
  if (now_ms - e.last_ms >= limits_.forget_after_ms) e.count = 0;
  e.count = std::min(e.count + 1, 1 << 20);
  e.last_ms = now_ms;
  int64_t delay = limits_.base_ms;
  for (int i = 1; i < e.count && delay < limits_.max_ms; ++i) delay *= 2;
  return std::min(delay, limits_.max_ms);
}

void AuthThrottle::MakeRoom(int64_t now_ms) {
  if (failures_.size() < limits_.max_addresses) return;
  std::erase_if(failures_, [&](const auto& kv) {
    return now_ms - kv.second.last_ms >= limits_.forget_after_ms;
  });
  if (failures_.size() < limits_.max_addresses) return;
  const auto quietest = std::min_element(failures_.begin(), failures_.end(), [](const auto& a, const auto& b) {
    return a.second.last_ms < b.second.last_ms;
  });
  failures_.erase(quietest);
}

}  // namespace slussen
