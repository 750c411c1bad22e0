#pragma once
// The hub's live statistics (core/stats.h) in the Prometheus text exposition format (0.0.4), for
// GET /metrics. Names and labels are listed in hub/DESIGN.md "Admin API"; every label value is
// escaped as the format requires.
#include <cstdint>
#include <string>

#include <vector>

#include "core/stats.h"
#include "store/store_reader.h"

namespace slussen::admin {

// `now_us`: for ages (the oldest pending event per destination). `unmet`: the store's count of
// deadlines at risk or missed (null: the store could not be read; the family is left out rather
// than reported as zero).
std::string RenderMetrics(const CoreStats& stats, int64_t now_us,
                          const std::vector<UnmetDeadlineCount>* unmet);

}  // namespace slussen::admin
