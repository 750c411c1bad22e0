#pragma once
// The `compare` report: the table (one row per metric, one column per system, then the ratios
// slussen/rabbitmq, slussen/raw and slussen/journal) and the issue-5 targets this run can judge.
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "compare_system.h"

namespace slussen::bench {

// Prints the table; returns {"slussen/rabbitmq": {metric: ratio}, "slussen/raw": {...},
// "slussen/journal": {...}}.
nlohmann::json PrintCompareTable(const std::vector<SystemRun>& runs, const CompareSettings& s,
                                 std::ostream& out);
// Prints the verdicts; returns them as JSON.
nlohmann::json PrintTargets(const std::vector<SystemRun>& runs, std::ostream& out);

}  // namespace slussen::bench
