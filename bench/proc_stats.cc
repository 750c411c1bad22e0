#include "proc_stats.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace slussen::bench {
namespace {

// The number after `key` in a "key: value" file (/proc/PID/status, /proc/PID/io).
int64_t StatusKb(const std::string& status, const char* key) {
  const auto pos = status.find(key);
  if (pos == std::string::npos) return 0;
  std::istringstream in(status.substr(pos + std::char_traits<char>::length(key)));
  int64_t kb = 0;
  in >> kb;
  return kb;
}

}  // namespace

ProcSample SampleProcess(pid_t pid) {
  ProcSample s;
  if (pid <= 0) return s;
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat_file(base + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return s;
  // After "pid (comm)": field 3 is the state; utime and stime are fields 14 and 15.
  std::istringstream fields(stat.substr(paren + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  int64_t utime = 0;
  int64_t stime = 0;
  fields >> utime >> stime;
  if (!fields) return s;
  const long ticks = sysconf(_SC_CLK_TCK);
  s.cpu_us = (utime + stime) * 1000000 / (ticks > 0 ? ticks : 100);

  std::ifstream status_file(base + "/status");
  std::string status((std::istreambuf_iterator<char>(status_file)),
                     std::istreambuf_iterator<char>());
  s.rss_kb = StatusKb(status, "VmRSS:");
  s.hwm_kb = StatusKb(status, "VmHWM:");
  std::ifstream io_file(base + "/io");
  std::string io((std::istreambuf_iterator<char>(io_file)), std::istreambuf_iterator<char>());
  s.write_bytes = StatusKb(io, "\nwrite_bytes:");
  s.write_calls = StatusKb(io, "syscw:");
  s.ok = true;
  return s;
}

int64_t DeviceWrittenBytes(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return -1;
  std::ifstream in("/proc/diskstats");
  unsigned major_no = 0, minor_no = 0;
  std::string name;
  uint64_t f[7] = {};  // reads, merged, sectors read, ms reading, writes, merged, sectors written
  std::string rest;
  while (in >> major_no >> minor_no >> name >> f[0] >> f[1] >> f[2] >> f[3] >> f[4] >> f[5] >> f[6]) {
    std::getline(in, rest);
    if (major_no == major(st.st_dev) && minor_no == minor(st.st_dev)) {
      return static_cast<int64_t>(f[6] * 512);
    }
  }
  return -1;
}

std::vector<ProcSample> SampleProcesses(const std::vector<SutProcess>& processes) {
  std::vector<ProcSample> out;
  for (const auto& p : processes) out.push_back(SampleProcess(p.pid));
  return out;
}

}  // namespace slussen::bench
