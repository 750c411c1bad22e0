#include "testing/faulty_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <stdexcept>

namespace slussen::testing {
namespace {
FaultyVfs* g_instance = nullptr;

// Our file object: the io_methods pointer SQLite reads, then the real VFS's file behind it.
struct File {
  sqlite3_file base;
  sqlite3_file* real;
  int open_flags;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

int Close(sqlite3_file* f) {
  int rc = Real(f)->pMethods ? Real(f)->pMethods->xClose(Real(f)) : SQLITE_OK;
  return rc;
}
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (g_instance != nullptr) {
    if (int rc = g_instance->CountWrite(reinterpret_cast<File*>(f)->open_flags)) return rc;
  }
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

int Sync(sqlite3_file* f, int flags) {
  if (g_instance != nullptr) g_instance->WaitIfHeld(reinterpret_cast<File*>(f)->open_flags);
  if (g_instance != nullptr && g_instance->CountSync(reinterpret_cast<File*>(f)->open_flags)) {
    return SQLITE_IOERR_FSYNC;
  }
  return Real(f)->pMethods->xSync(Real(f), flags);
}

// Forwards everything but xSync and a log's xWrite. Version 3 (shared memory for WAL,
// memory-mapped I/O) as the unix VFS provides; methods the real file lacks are never called
// because SQLite checks iVersion.
const sqlite3_io_methods kMethods = {
    3,        Close,   Read,        Write,    Truncate, Sync,
    FileSize, Lock,    Unlock,      CheckReservedLock, FileControl, SectorSize,
    DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap, Fetch, Unfetch};
int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* self = static_cast<FaultyVfs*>(vfs->pAppData);
  auto* ours = reinterpret_cast<File*>(file);
  ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
  ours->base.pMethods = nullptr;
  ours->open_flags = flags;
  const int rc = self->real()->xOpen(self->real(), name, ours->real, flags, out_flags);
  // SQLite calls xClose only if pMethods is set; set it only when the real file is open.
  if (ours->real->pMethods != nullptr) ours->base.pMethods = &kMethods;
  return rc;
}
}  // namespace

bool FaultyVfs::CountSync(int open_flags) {
  bool fail = fail_syncs_.load() &&
              (!database_only_.load() || (open_flags & SQLITE_OPEN_MAIN_DB) != 0);
  if (fail) {
    uint64_t left = syncs_before_failing_.load();
    while (left > 0 && !syncs_before_failing_.compare_exchange_weak(left, left - 1)) {
    }
    if (left > 0) fail = false;
  }
  ++(fail ? failed_syncs_ : syncs_);
  return fail;
}

void FaultyVfs::HoldJournalSyncs(bool hold) {
  {
    std::lock_guard lock(hold_mu_);
    hold_ = hold;
  }
  hold_cv_.notify_all();
}

int FaultyVfs::held_syncs() const {
  std::lock_guard lock(hold_mu_);
  return held_;
}

void FaultyVfs::WaitIfHeld(int open_flags) {
  if ((open_flags & SQLITE_OPEN_MAIN_JOURNAL) == 0) return;
  std::unique_lock lock(hold_mu_);
  ++held_;
  hold_cv_.wait(lock, [&] { return !hold_; });
  --held_;
}

static_assert(FaultyVfs::kIoErrWrite == SQLITE_IOERR_WRITE);

int FaultyVfs::CountWrite(int open_flags) {
  if ((open_flags & SQLITE_OPEN_WAL) == 0) return SQLITE_OK;
  if (fail_log_writes_.load()) return log_write_error_.load();
  ++log_writes_;
  return SQLITE_OK;
}

FaultyVfs::FaultyVfs() {
  if (g_instance != nullptr) throw std::logic_error("one FaultyVfs at a time");
  sqlite3_initialize();
  real_ = sqlite3_vfs_find(nullptr);
  vfs_ = new sqlite3_vfs(*real_);
  vfs_->zName = "slussen-faulty";
  vfs_->szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
  vfs_->pAppData = this;
  vfs_->xOpen = &Open;
  vfs_->pNext = nullptr;
  // The copied methods (xDelete, xAccess, ...) call the unix VFS's functions with our vfs
  // pointer; they read only its szOsFile/pAppData for opens, which xOpen above handles.
  g_instance = this;
  sqlite3_vfs_register(vfs_, /*makeDflt=*/1);
}

FaultyVfs::~FaultyVfs() {
  sqlite3_vfs_unregister(vfs_);
  sqlite3_vfs_register(real_, /*makeDflt=*/1);
  g_instance = nullptr;
  delete vfs_;
}

}  // namespace slussen::testing
