#include "adapters/letter/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "adapters/letter/letter_pdf.h"
#include "common/file_group.h"

namespace slussen::adapters::letter {
namespace {

constexpr char kTempPrefix[] = ".tmp-";
constexpr auto kTempMaxAge = std::chrono::hours(1);

Error IoError(const std::string& what, const std::string& path, int err) {
  return Error{what + " " + path + ": " + std::strerror(err), ErrorCode::kUnavailable};
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return IoError("cannot create", path, errno);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return IoError("cannot stat", path, errno);
  if (!S_ISDIR(st.st_mode)) return Error{path + " is not a directory", ErrorCode::kUnavailable};
  return OkStatus();
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Error{"cannot fsync " + path + ": " + std::strerror(err), ErrorCode::kDataLoss};
  return OkStatus();
}

std::string Parent(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string Base(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Removes the regular files in `dir` for which `old(name, mtime)` holds; counts into `removed`,
// the first failure into `first_error`.
void Sweep(const std::string& dir,
           const std::function<bool(const std::string&, std::chrono::system_clock::time_point)>& old,
           int& removed, std::string& first_error) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (first_error.empty()) first_error = "cannot read " + dir + ": " + std::strerror(errno);
    return;
  }
  std::vector<std::string> doomed;
  while (const dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    const std::string path = dir + "/" + name;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const auto mtime = std::chrono::system_clock::time_point(
        std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec));
    if (old(name, mtime)) doomed.push_back(path);
  }
  ::closedir(d);
  for (const auto& path : doomed) {
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) {
      ++removed;
    } else if (first_error.empty()) {
      first_error = "cannot remove " + path + ": " + std::strerror(errno);
    }
  }
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

Result<Spool> Spool::Open(const SpoolOptions& options) {
  if (options.dir.empty()) return Error{"spool directory not set", ErrorCode::kInvalidArgument};
  if (options.keep_sent.count() < 0 || options.keep_unsent.count() < 0) {
    return Error{"spool keep times must not be negative", ErrorCode::kInvalidArgument};
  }
  // An unsent letter may be on its way to the command right now; only one older than any send
  // can take is fair game.
  if (options.keep_unsent < kTempMaxAge) {
    return Error{"spool keep time for unsent letters must be at least an hour",
                 ErrorCode::kInvalidArgument};
  }
  SpoolOptions o = options;
  while (o.dir.size() > 1 && o.dir.back() == '/') o.dir.pop_back();
  if (Status st = MakeDir(o.dir); !st.ok()) return st.as_error();
  if (Status st = MakeDir(o.dir + "/sent"); !st.ok()) return st.as_error();
  if (!o.group.empty()) {
    if (Status st = ShareWithGroup({o.dir, o.dir + "/sent"}, o.group, 0750); !st.ok()) {
      return st.as_error();
    }
  }
  return Spool(std::move(o));
}

Result<std::string> Spool::FileName(const std::string& event_id, const std::string& recipient_id) {
  if (!IsSafeFileToken(event_id)) {
    return Error{"event id cannot name a spool file", ErrorCode::kInvalidArgument};
  }
  if (!IsSafeFileToken(recipient_id)) {
    return Error{"recipient id cannot name a spool file", ErrorCode::kInvalidArgument};
  }
  return event_id + "." + recipient_id + ".pdf";
}

Result<std::string> Spool::Put(const std::string& event_id, const std::string& recipient_id,
                               const std::function<Status(const std::string&)>& write) const {
  Result<std::string> name = FileName(event_id, recipient_id);
  if (!name.ok()) return name;
  const std::string final_path = options_.dir + "/" + *name;
  std::string temp = options_.dir + "/" + kTempPrefix + *name + ".XXXXXX";
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return IoError("cannot create a temp file in", options_.dir, errno);
  ::close(fd);
  auto fail = [&](Error e) -> Result<std::string> {
    ::unlink(temp.c_str());
    return e;
  };
  if (Status st = write(temp); !st.ok()) return fail(st.as_error());
  // The writer may have replaced the file (rename); the mode is ours to set either way.
  if (::chmod(temp.c_str(), 0600) != 0) return fail(IoError("cannot chmod", temp, errno));
  if (!options_.group.empty()) {
    if (Status st = ShareWithGroup({temp}, options_.group); !st.ok()) return fail(st.as_error());
  }
  if (Status st = SyncPath(temp, O_RDONLY); !st.ok()) return fail(st.as_error());
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    return fail(IoError("cannot rename to", final_path, errno));
  }
  if (Status st = SyncPath(options_.dir, O_RDONLY | O_DIRECTORY); !st.ok()) return st.as_error();
  return final_path;
}

Result<std::string> Spool::PutLetter(const slussen::v1::Envelope& event,
                                     const LetterContext& context) const {
  return Put(event.event_id(), context.to.id, [&](const std::string& temp) {
    return WriteLetterPdf(temp, event, context);
  });
}

Result<std::string> Spool::MarkSent(const std::string& path) const {
  if (Parent(path) != options_.dir || Base(path).rfind(kTempPrefix, 0) == 0 ||
      !EndsWith(path, ".pdf")) {
    return Error{path + " is not a letter in spool " + options_.dir, ErrorCode::kInvalidArgument};
  }
  if (options_.keep_sent.count() == 0) {
    if (::unlink(path.c_str()) != 0) return IoError("cannot remove", path, errno);
    if (Status st = SyncPath(options_.dir, O_RDONLY | O_DIRECTORY); !st.ok()) return st.as_error();
    return std::string();
  }
  const std::string target = sent_dir() + "/" + Base(path);
  if (::rename(path.c_str(), target.c_str()) != 0) return IoError("cannot move", path, errno);
  // The sent file's age starts now: the retention counts from the send, not the rendering.
  ::utimensat(AT_FDCWD, target.c_str(), nullptr, 0);
  if (Status st = SyncPath(sent_dir(), O_RDONLY | O_DIRECTORY); !st.ok()) return st.as_error();
  if (Status st = SyncPath(options_.dir, O_RDONLY | O_DIRECTORY); !st.ok()) return st.as_error();
  return target;
}

Result<int> Spool::Cleanup(std::chrono::system_clock::time_point now) const {
  int removed = 0;
  std::string error;
  Sweep(options_.dir,
        [&](const std::string& name, std::chrono::system_clock::time_point mtime) {
          if (name.rfind(kTempPrefix, 0) == 0) return now - mtime > kTempMaxAge;
          return EndsWith(name, ".pdf") && now - mtime > options_.keep_unsent;
        },
        removed, error);
  Sweep(sent_dir(),
        [&](const std::string& name, std::chrono::system_clock::time_point mtime) {
          return EndsWith(name, ".pdf") && now - mtime > options_.keep_sent;
        },
        removed, error);
  if (!error.empty()) return Error{error, ErrorCode::kUnavailable};
  return removed;
}

}  // namespace slussen::adapters::letter
