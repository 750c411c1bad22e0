#pragma once
// The hub configuration the benchmark runs Slussen with: listener on 127.0.0.1 port 0, store in
// the given directory, and for each (kommunkod, vårdcentral HSA-id) pair exactly those two
// destinations, so that every event of a patient of that kommun listed at that vårdcentral fans
// out to exactly two receivers. One hospital sender, every hospital kind routed to kommun and
// primary care.
#include <string>
#include <utility>
#include <vector>

namespace slussen::bench {

// Writes `dir`/bench-hub.xml and returns its path.
std::string WriteHubConfig(const std::string& dir,
                           const std::vector<std::pair<std::string, std::string>>& kommun_vc);

inline std::string KommunAddress(const std::string& kod) { return "out/kommun-" + kod; }
inline std::string VardcentralAddress(const std::string& hsa) { return "out/vc-" + hsa; }

}  // namespace slussen::bench
