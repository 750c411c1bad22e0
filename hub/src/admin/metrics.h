#pragma once
// The hub's live statistics (core/stats.h) in the Prometheus text exposition format (0.0.4), for
// GET /metrics. Names and labels are listed in hub/DESIGN.md "Admin API"; every label value is
// escaped as the format requires.
#include <cstdint>
#include <string>

#include "core/stats.h"

namespace slussen::admin {

// `now_us`: for ages (the oldest pending event per destination).
std::string RenderMetrics(const CoreStats& stats, int64_t now_us);

}  // namespace slussen::admin
