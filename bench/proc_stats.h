#pragma once
// CPU time and memory of a process (the system under test), from /proc.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sut.h"

namespace slussen::bench {

struct ProcSample {
  bool ok = false;
  int64_t cpu_us = 0;       // utime + stime of all its threads (/proc/PID/stat fields 14, 15)
  int64_t rss_kb = 0;       // VmRSS (/proc/PID/status)
  int64_t hwm_kb = 0;       // VmHWM: peak resident set since the process started
  int64_t write_bytes = 0;  // bytes it caused to be written to storage (/proc/PID/io)
  int64_t write_calls = 0;  // write system calls (syscw)
};

ProcSample SampleProcess(pid_t pid);

// Bytes written to the block device that holds `path` since boot (/proc/diskstats, sectors
// written × 512); -1 if it cannot be told. Unlike a process's write_bytes it counts what the disk
// is sent: the file system's own metadata (inodes, allocation) included, and only the blocks of
// a page-cache folio that changed, where write_bytes counts every folio dirtied whole. The whole
// device: on a quiet machine, the system under test and little else.
int64_t DeviceWrittenBytes(const std::string& path);
// One sample per process, in order.
std::vector<ProcSample> SampleProcesses(const std::vector<SutProcess>& processes);

}  // namespace slussen::bench
