#pragma once
// One system's part of `compare`: start it, probe its disk, warm it up, the all-out runs, the
// fixed rates, stop it.
#include <cstdint>
#include <string>
#include <vector>

#include "fsync_probe.h"
#include "phase.h"

namespace slussen::bench {

class PayloadFactory;
class Sut;

struct CompareSettings {
  uint64_t events = 100000;
  int repeat = 3;
  std::vector<double> rates{1000, 5000};
  double rate_seconds = 20;
  int window = 1000;
  int fsync_count = 300;  // half before the load, half after
  uint64_t warmup = 5000;
};

struct SystemRun {
  std::string name;
  std::string skipped;  // why it did not run
  std::string error;    // why it stopped early
  FsyncResult fsync;
  std::vector<PhaseResult> all_out;
  std::vector<PhaseResult> rates;
  int64_t peak_rss_kb = 0;

  bool ran() const { return skipped.empty(); }
  bool ok() const;
  const PhaseResult* Median() const;  // the all-out run with the median input rate
  const PhaseResult* AtRate(double rate) const;
};

SystemRun RunSystem(Sut& sut, const PayloadFactory& payloads, const CompareSettings& s);

}  // namespace slussen::bench
