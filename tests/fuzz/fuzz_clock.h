#pragma once
// The fixed "now" of fuzz_inbound and of the envelope seeds made for it: a seed valid at this
// instant stays valid (and reaches routing) however late the fuzzer runs.
#include <chrono>
#include <cstdint>

namespace slussen::fuzz {

inline constexpr int64_t kNowSeconds = 1768471200;  // 2026-01-15T10:00:00Z
inline constexpr std::chrono::system_clock::time_point kNow{std::chrono::seconds{kNowSeconds}};

}  // namespace slussen::fuzz
