// LD_PRELOAD library for integration fault tests: while the file named by the environment
// variable SLUSSEN_TEST_FAIL_FSYNC_WHILE exists, fsync and fdatasync fail with EIO, as on a disk
// that reports a write error. Lets a test make the real `slussen` binary's store commit fail
// without any test hook in the hub.
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

namespace {

bool ShouldFail() {
  const char* flag = getenv("SLUSSEN_TEST_FAIL_FSYNC_WHILE");
  return flag != nullptr && access(flag, F_OK) == 0;
}

using SyncFn = int (*)(int);

SyncFn Next(const char* name) { return reinterpret_cast<SyncFn>(dlsym(RTLD_NEXT, name)); }

}  // namespace

extern "C" int fsync(int fd) {
  static const SyncFn real = Next("fsync");
  if (ShouldFail()) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}

extern "C" int fdatasync(int fd) {
  static const SyncFn real = Next("fdatasync");
  if (ShouldFail()) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}
