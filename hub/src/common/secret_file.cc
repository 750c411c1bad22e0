#include "common/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace slussen {

Result<std::string> ReadSecretFile(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{std::strerror(errno), ErrorCode::kNotFound};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{"not a regular file", ErrorCode::kInvalidArgument};
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Error{"readable by group or others (chmod 600 it)", ErrorCode::kFailedPrecondition};
  }
  std::string text;
  char buf[512];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() <= max_bytes) {
    text.append(buf, static_cast<std::size_t>(n));
  }
  const int read_errno = errno;
  ::close(fd);
  if (n < 0) return Error{std::strerror(read_errno), ErrorCode::kUnavailable};
  if (text.size() > max_bytes) {
    return Error{"larger than " + std::to_string(max_bytes) + " bytes",
                 ErrorCode::kInvalidArgument};
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace slussen
