#include "common/file_group.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace slussen {

Status ShareWithGroup(const std::vector<std::string>& paths, const std::string& group,
                      unsigned mode) {
  std::vector<char> buffer(16384);
  struct group entry {};
  struct group* found = nullptr;
  int rc = 0;
  while ((rc = ::getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found)) == ERANGE &&
         buffer.size() < (1u << 20)) {
    buffer.resize(buffer.size() * 4);
  }
  if (found == nullptr) {
    return Error{"group '" + group + "' does not exist" +
                     (rc != 0 ? std::string(" (") + std::strerror(rc) + ")" : ""),
                 ErrorCode::kUnavailable};
  }
  for (const auto& path : paths) {
    if (::chown(path.c_str(), static_cast<uid_t>(-1), found->gr_gid) != 0) {
      if (errno == ENOENT) continue;
      return Error{"cannot give " + path + " to group '" + group + "': " + std::strerror(errno) +
                       (errno == EPERM ? " (the hub's user must be a member of the group)" : ""),
                   ErrorCode::kUnavailable};
    }
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
      return Error{"cannot make " + path + " readable by group '" + group + "': " +
                       std::strerror(errno),
                   ErrorCode::kUnavailable};
    }
  }
  return OkStatus();
}

}  // namespace slussen
