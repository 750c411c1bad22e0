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

// The AMQP listener's connection counters (transport/transport_counters.h, copied).
struct ConnectionCounts {
  uint64_t open = 0;
  uint64_t accepted = 0;
  uint64_t refused = 0;        // at max-connections
  uint64_t failed = 0;         // closed for breaking the protocol
  uint64_t idle_timeouts = 0;
  uint64_t oversized_deliveries = 0;
  uint64_t unauthorized = 0;   // refused: no adapter for the login, or wrong credentials
  uint64_t links_unauthorized = 0;  // attaches refused by the adapter's entitlements
};

// What one scrape shows. The store's counts are null when the store could not be read: their
// families are left out rather than reported as zero.
struct MetricsInput {
  const CoreStats* stats = nullptr;
  int64_t now_us = 0;  // for ages (the oldest pending event per destination)
  ConnectionCounts connections;
  const std::vector<UnmetDeadlineCount>* unmet_deadlines = nullptr;
  const std::vector<DestinationCount>* dead_letters = nullptr;
  // How the deadlines that fell due in the last 24 hours ended, per rule.
  const std::vector<DeadlineOutcomeCount>* outcomes_24h = nullptr;
};

std::string RenderMetrics(const MetricsInput& in);

}  // namespace slussen::admin
