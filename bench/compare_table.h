#pragma once
// The `compare` report: the table (one row per metric, one column per system, then the ratios
// slussen/rabbitmq, slussen/raw and slussen/journal), broker mode's cost of the extra hop
// (compare_hop.cc) and the issue-5 targets this run can judge.
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "compare_system.h"

namespace slussen::bench {

// Prints the table; returns {"slussen/rabbitmq": {metric: ratio}, "slussen/raw": {...},
// "slussen/journal": {...}}.
nlohmann::json PrintCompareTable(const std::vector<SystemRun>& runs, const CompareSettings& s,
                                 std::ostream& out);
// Prints the broker-mode table (slussen-broker beside rabbitmq and slussen: differences and
// ratios) if broker mode ran; returns {"slussen-broker - rabbitmq": {metric: difference},
// "slussen-broker/rabbitmq": {...}, "slussen-broker/slussen": {...}}, or {} if it did not run.
nlohmann::json PrintBrokerTable(const std::vector<SystemRun>& runs, const CompareSettings& s,
                                std::ostream& out);
// Prints the verdicts; returns them as JSON.
nlohmann::json PrintTargets(const std::vector<SystemRun>& runs, std::ostream& out);

}  // namespace slussen::bench
