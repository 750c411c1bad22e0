#include "fsync_probe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace slussen::bench {

FsyncResult MeasureFsync(const std::string& dir, int count) {
  FsyncResult r;
  r.dir = dir;
  const std::string path = dir + "/slussen-bench-fsync.probe";
  const int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    r.error = "open " + path + ": " + std::strerror(errno);
    return r;
  }
  std::vector<char> block(4096, 'f');
  for (int i = 0; i < count; ++i) {
    block[0] = static_cast<char>(i);
    const auto t0 = std::chrono::steady_clock::now();
    // Appending, like a write-ahead log: each sync also has to persist the file size.
    if (pwrite(fd, block.data(), block.size(), static_cast<off_t>(i) * 4096) !=
            static_cast<ssize_t>(block.size()) ||
        fdatasync(fd) != 0) {
      r.error = std::string("write/fdatasync: ") + std::strerror(errno);
      break;
    }
    r.us.Record(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count());
  }
  close(fd);
  unlink(path.c_str());
  r.ok = r.error.empty();
  return r;
}

void SettleDisk() { sync(); }

}  // namespace slussen::bench
