#pragma once
// How long this disk takes to make 4 KB durable: write 4 KB, fdatasync, repeated, in a given
// directory (the data directory of the system under test, so the same filesystem and device).
#include <string>

#include "histogram.h"

namespace slussen::bench {

struct FsyncResult {
  bool ok = false;
  std::string error;
  std::string dir;
  Histogram us;  // one value per write+fdatasync
};

FsyncResult MeasureFsync(const std::string& dir, int count = 300);

}  // namespace slussen::bench
