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
// starts: what an earlier system, run or build left behind is not charged to the next one. On a
// filesystem mounted with `discard` (this development VM's ext4) a deleted file's blocks are
// discarded in the next journal commit, and a deleted store (hundreds of MB) held the disk's
// flushes for up to half a second: `latency --rate 1000` run four times in a row had p99 74, 36,
// 2.1 and 2.2 ms, and 2.3, 2.4, 2.0 and 1.9 ms with a sync before each run.
void SettleDisk();

}  // namespace slussen::bench
