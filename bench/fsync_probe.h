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

// Writes out everything the machine has not written yet (sync(2)), before a system under test
// starts, so that what an earlier system, run or build wrote or deleted is not charged to the
// next one. On this development VM (ext4 mounted with `discard`, no ext4 journal) runs right
// after a deleted store stalled: `latency --rate 1000` four times in a row had p99 74, 36, 2.1
// and 2.2 ms, and 2.3, 2.4, 2.0 and 1.9 ms with a sync before each run. It does not remove the
// disk's own stalls, which come in longer runs too (bench/README.md "The disk's fsync tail").
void SettleDisk();

}  // namespace slussen::bench
