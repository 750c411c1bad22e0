// slussen-fake-fax: the stand-in for a fax line in the tests and the demo, used as the letter
// adapter's send command:
//
//   slussen-fake-fax --inbox DIR [--fail] --fax NUMBER FILE
//
// "Sends" FILE by copying it into DIR as fax-<NUMBER>-<name of FILE> (NUMBER with only its digits
// and '+'; written under a temp name and renamed, so a watcher never sees half a fax), prints
// "request id is <that name>" and exits 0. The line is down — exit 1 with the reason on stderr,
// nothing copied — while DIR/FAIL exists (create it to break the line, remove it to mend it), or
// when --fail is given. Wrong usage or a FILE that cannot be read: exit 2 or 1 with a message.
// It is a fax line only: nothing is printed or dialled.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr char kUsage[] = "usage: slussen-fake-fax --inbox DIR [--fail] --fax NUMBER FILE\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "slussen-fake-fax: %s\n", message.c_str());
  return 1;
}

std::string BaseName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Copies `from` to `to` through a temp file in the same directory, fsynced and renamed.
int Copy(const std::string& from, const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Fail("cannot read " + from + ": " + std::strerror(errno));
  std::string temp = to + ".XXXXXX";
  const int out = ::mkstemp(temp.data());
  if (out < 0) {
    ::close(in);
    return Fail("cannot write into the inbox: " + std::string(std::strerror(errno)));
  }
  char buf[65536];
  ssize_t n;
  bool ok = true;
  while ((n = ::read(in, buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buf + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        ok = false;
        break;
      }
      done += w;
    }
    if (!ok) break;
  }
  const int err = errno;
  ok = ok && ::fsync(out) == 0;
  ::close(out);
  ::close(in);
  if (!ok || ::rename(temp.c_str(), to.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Fail("cannot copy " + from + " into the inbox: " + std::strerror(ok ? errno : err));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string inbox, fax, file;
  bool fail = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--inbox" && i + 1 < argc) {
      inbox = argv[++i];
    } else if (arg == "--fax" && i + 1 < argc) {
      fax = argv[++i];
    } else if (arg == "--fail") {
      fail = true;
    } else if (arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!arg.empty() && arg[0] != '-' && file.empty()) {
      file = arg;
    } else {
      std::fprintf(stderr, "slussen-fake-fax: unexpected argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  std::string number;
  for (char ch : fax) {
    if ((ch >= '0' && ch <= '9') || ch == '+') number += ch;
  }
  if (inbox.empty() || file.empty() || number.empty()) {
    std::fprintf(stderr, "slussen-fake-fax: --inbox, --fax (with digits) and FILE are required\n%s",
                 kUsage);
    return 2;
  }
  struct stat st {};
  if (::stat(inbox.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Fail("inbox " + inbox + " is not a directory");
  }
  if (fail) return Fail("the fax line is down (told to fail with --fail)");
  if (::access((inbox + "/FAIL").c_str(), F_OK) == 0) {
    return Fail("the fax line is down (" + inbox + "/FAIL exists)");
  }
  const std::string name = "fax-" + number + "-" + BaseName(file);
  if (const int rc = Copy(file, inbox + "/" + name); rc != 0) return rc;
  std::printf("request id is %s\n", name.c_str());
  return 0;
}
