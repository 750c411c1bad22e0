#include "store/sqlite/wal_write_buffer.h"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "store/sqlite/sqlite_util.h"

namespace slussen::sqlite {
namespace {

// A frame is a 24-byte header (page number, commit field, salts, checksums), then its page.
constexpr int kFrameHeaderBytes = 24;

// What every connection's handle on one log shares: a write-out at a barrier that failed.
struct LogState {
  std::atomic<int> failed{SQLITE_OK};
};

struct Wrapper {
  sqlite3_vfs vfs{};
  sqlite3_vfs* base = nullptr;
  int base_file_bytes = 0;
  std::string name;
};

// Our file object, constructed in the memory SQLite gives xOpen (szOsFile bytes); the base VFS's
// file follows it.
struct File {
  sqlite3_file head{};          // what SQLite reads: our methods
  sqlite3_file* real = nullptr;
  // A main database file: the name pointer SQLite opened it with (the key its log finds it by),
  // and its connection's log while that is open.
  const char* database_name = nullptr;
  File* log = nullptr;
  // A log: its connection's database file, the state shared with other connections' handles,
  // and the buffered writes.
  File* database = nullptr;
  std::string log_name;  // the key of its state in LogStates()
  std::shared_ptr<LogState> state;
  std::unique_ptr<char[]> buffer;
  std::size_t used = 0;
  sqlite3_int64 buffer_at = 0;        // the file offset of buffer[0]
  sqlite3_int64 commit_page_at = -1;  // where the page of a buffered commit frame goes
  sqlite3_int64 last_read_at = -1;    // the offset of the last read, if nothing came since
};

constexpr std::size_t kFileBytes = (sizeof(File) + 15) / 16 * 16;
static_assert(kWalBufferBytes <= kMaxVfsWriteBytes);

std::mutex g_mutex;  // the maps below; files are otherwise used by their connection's thread
std::map<sqlite3_vfs*, std::unique_ptr<Wrapper>>& Wrappers() {
  static auto* m = new std::map<sqlite3_vfs*, std::unique_ptr<Wrapper>>;
  return *m;
}
std::map<const char*, File*>& Databases() {
  static auto* m = new std::map<const char*, File*>;
  return *m;
}
std::map<std::string, std::weak_ptr<LogState>>& LogStates() {
  static auto* m = new std::map<std::string, std::weak_ptr<LogState>>;
  return *m;
}

File* Of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* Real(sqlite3_file* f) { return Of(f)->real; }
const sqlite3_io_methods* M(sqlite3_file* f) { return Real(f)->pMethods; }

uint32_t BigEndian32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

int Failed(const File* f) {
  return f->state ? f->state->failed.load(std::memory_order_acquire) : SQLITE_OK;
}

// Writes the buffer to the file. What a failed write-out held is dropped: frames not yet
// published; where SQLite might still publish them, the failure is kept (KeepFailure).
int WriteOut(File* f) {
  if (f->used == 0) return SQLITE_OK;
  const int rc = f->real->pMethods->xWrite(f->real, f->buffer.get(), static_cast<int>(f->used),
                                           f->buffer_at);
  f->used = 0;
  return rc;
}

// --- the io methods: a log's buffer, the rest passed through ---

// A write-out that failed where SQLite might not give up the transaction for it: a read (its
// error fails a statement, not the transaction, and frames the transaction spilled would be
// committed without being on disk), a sync, a size, a truncate, a file control (whose result
// SQLite may ignore), a barrier (which cannot fail). Kept as the log's failure: every later
// read, write and sync of the log fails with it, through any connection of this process, until
// a restart. A failed write-out of a frame itself needs none of this: SQLite rolls the
// transaction back.
int KeepFailure(File* f, int rc) {
  if (!f->state) return rc;  // not a log: nothing was buffered
  f->state->failed.store(rc, std::memory_order_release);
  spdlog::error("store: writing out its write-ahead log failed ({}); every later use of the "
                "log fails, and a restart recovers from the journal",
                sqlite3_errstr(rc));
  return rc;
}

int Close(sqlite3_file* file) {
  File* f = Of(file);
  int rc = WriteOut(f);
  {
    std::lock_guard lock(g_mutex);
    if (f->database_name != nullptr) {
      auto it = Databases().find(f->database_name);
      if (it != Databases().end() && it->second == f) Databases().erase(it);
      if (f->log != nullptr) f->log->database = nullptr;
    }
    if (f->database != nullptr) f->database->log = nullptr;
    // Copies of a state are made under the mutex only: the last handle on a log takes it along.
    if (f->state && f->state.use_count() == 1) LogStates().erase(f->log_name);
  }
  const int closed = f->real->pMethods->xClose(f->real);
  f->~File();
  return rc != SQLITE_OK ? rc : closed;
}

int Read(sqlite3_file* file, void* out, int n, sqlite3_int64 at) {
  File* f = Of(file);
  if (int rc = Failed(f)) return rc;
  const auto end = f->buffer_at + static_cast<sqlite3_int64>(f->used);
  if (f->used != 0 && at < end && at + n > f->buffer_at) {
    if (int rc = WriteOut(f)) return KeepFailure(f, rc);
  }
  f->last_read_at = at;
  return M(file)->xRead(f->real, out, n, at);
}

int Write(sqlite3_file* file, const void* data, int n, sqlite3_int64 at) {
  File* f = Of(file);
  if (!f->state) return M(file)->xWrite(f->real, data, n, at);  // not a log
  if (int rc = Failed(f)) return rc;
  const auto* bytes = static_cast<const char*>(data);
  const bool header = n == kFrameHeaderBytes;
  const bool rewrite = header && at == f->last_read_at;
  f->last_read_at = -1;
  if (rewrite) {
    // A header read and written again in place (SQLite's walRewriteChecksums, after the frames
    // were written): straight through, in its place in the order.
    if (int rc = WriteOut(f)) return rc;
    return M(file)->xWrite(f->real, data, n, at);
  }
  const auto end = f->buffer_at + static_cast<sqlite3_int64>(f->used);
  const bool joins = f->used != 0 && at >= f->buffer_at && at <= end;
  const sqlite3_int64 new_end = std::max(end, at + n);
  if (!joins || static_cast<std::size_t>(new_end - f->buffer_at) > kWalBufferBytes) {
    if (int rc = WriteOut(f)) return rc;
    if (static_cast<std::size_t>(n) > kWalBufferBytes) return M(file)->xWrite(f->real, data, n, at);
    f->buffer_at = at;
  }
  if (!f->buffer) f->buffer.reset(new char[kWalBufferBytes]);
  const auto offset = static_cast<std::size_t>(at - f->buffer_at);
  std::memcpy(f->buffer.get() + offset, bytes, static_cast<std::size_t>(n));
  f->used = std::max(f->used, offset + static_cast<std::size_t>(n));
  if (header) {
    f->commit_page_at = BigEndian32(bytes + 4) != 0 ? at + kFrameHeaderBytes : -1;
  } else if (at == f->commit_page_at) {
    // The commit frame is complete: out with it, and a failure fails the commit.
    f->commit_page_at = -1;
    return WriteOut(f);
  }
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  File* f = Of(file);
  if (int rc = WriteOut(f)) return KeepFailure(f, rc);
  return M(file)->xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  File* f = Of(file);
  if (int rc = Failed(f)) return rc;
  if (int rc = WriteOut(f)) return KeepFailure(f, rc);
  return M(file)->xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  File* f = Of(file);
  if (int rc = WriteOut(f)) return KeepFailure(f, rc);
  return M(file)->xFileSize(f->real, size);
}

int Lock(sqlite3_file* f, int level) { return M(f)->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return M(f)->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return M(f)->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  File* f = Of(file);
  if (int rc = WriteOut(f)) return KeepFailure(f, rc);
  return M(file)->xFileControl(f->real, op, arg);
}
int SectorSize(sqlite3_file* f) { return M(f)->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return M(f)->xDeviceCharacteristics(Real(f)); }
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return M(f)->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return M(f)->xShmLock(Real(f), offset, n, flags);
}

// A database's barrier comes before a commit is published to other connections: nothing of its
// log may still be in the buffer then. Normally nothing is (the commit frame wrote it out).
void ShmBarrier(sqlite3_file* file) {
  File* log = Of(file)->log;
  if (log != nullptr && log->used != 0) {
    if (int rc = WriteOut(log); rc != SQLITE_OK) (void)KeepFailure(log, rc);
  }
  M(file)->xShmBarrier(Real(file));
}
int ShmUnmap(sqlite3_file* f, int del) { return M(f)->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* file, sqlite3_int64 at, int n, void** out) {
  File* f = Of(file);
  if (int rc = WriteOut(f)) return rc;
  return M(file)->xFetch(f->real, at, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 at, void* p) {
  return M(f)->xUnfetch(Real(f), at, p);
}

const sqlite3_io_methods kMethods = {
    3,        Close, Read,   Write,  Truncate, Sync, FileSize, Lock, Unlock, CheckReservedLock,
    FileControl, SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap, Fetch,
    Unfetch};

// --- the VFS: files opened through the base, every other call passed to it ---

Wrapper* W(sqlite3_vfs* vfs) { return static_cast<Wrapper*>(vfs->pAppData); }
sqlite3_vfs* Base(sqlite3_vfs* vfs) { return W(vfs)->base; }

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = new (file) File;
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kFileBytes);
  const int rc = Base(vfs)->xOpen(Base(vfs), name, f->real, flags, out_flags);
  if (f->real->pMethods == nullptr) {  // SQLite calls xClose only if pMethods is set
    f->~File();
    file->pMethods = nullptr;
    return rc;
  }
  if (rc == SQLITE_OK && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) != 0 &&
      f->real->pMethods->iVersion < 3) {
    // Shared memory and the barrier are what the buffer relies on (version 2), fetch version 3.
    f->real->pMethods->xClose(f->real);
    f->~File();
    file->pMethods = nullptr;
    return SQLITE_CANTOPEN;
  }
  std::lock_guard lock(g_mutex);
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0 && name != nullptr) {
    f->database_name = name;
    Databases()[name] = f;
  } else if ((flags & SQLITE_OPEN_WAL) != 0 && name != nullptr) {
    f->log_name = name;
    std::weak_ptr<LogState>& shared = LogStates()[f->log_name];
    f->state = shared.lock();
    if (!f->state) {
      f->state = std::make_shared<LogState>();
      shared = f->state;
    }
    // The database file this log belongs to, opened by the same connection: SQLite passes the
    // log a name from the same allocation, which sqlite3_filename_database() walks back to.
    auto it = Databases().find(sqlite3_filename_database(name));
    if (it != Databases().end()) {
      f->database = it->second;
      it->second->log = f;
    }
  }
  file->pMethods = &kMethods;
  return rc;
}

int Delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return Base(v)->xDelete(Base(v), name, sync_dir);
}
int Access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return Base(v)->xAccess(Base(v), name, flags, out);
}
int FullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return Base(v)->xFullPathname(Base(v), name, n, out);
}
void* DlOpen(sqlite3_vfs* v, const char* name) { return Base(v)->xDlOpen(Base(v), name); }
void DlError(sqlite3_vfs* v, int n, char* out) { Base(v)->xDlError(Base(v), n, out); }
void (*DlSym(sqlite3_vfs* v, void* h, const char* sym))(void) {
  return Base(v)->xDlSym(Base(v), h, sym);
}
void DlClose(sqlite3_vfs* v, void* h) { Base(v)->xDlClose(Base(v), h); }
int Randomness(sqlite3_vfs* v, int n, char* out) { return Base(v)->xRandomness(Base(v), n, out); }
int Sleep(sqlite3_vfs* v, int us) { return Base(v)->xSleep(Base(v), us); }
int CurrentTime(sqlite3_vfs* v, double* out) { return Base(v)->xCurrentTime(Base(v), out); }
int GetLastError(sqlite3_vfs* v, int n, char* out) {
  return Base(v)->xGetLastError(Base(v), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
  return Base(v)->xCurrentTimeInt64(Base(v), out);
}
int SetSystemCall(sqlite3_vfs* v, const char* name, sqlite3_syscall_ptr p) {
  return Base(v)->xSetSystemCall(Base(v), name, p);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs* v, const char* name) {
  return Base(v)->xGetSystemCall(Base(v), name);
}
const char* NextSystemCall(sqlite3_vfs* v, const char* name) {
  return Base(v)->xNextSystemCall(Base(v), name);
}

}  // namespace

const char* WalWriteBufferVfs() {
  ConfigureLibrary();
  sqlite3_initialize();
  std::lock_guard lock(g_mutex);
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  if (base->xOpen == &Open) return base->zName;  // already ours
  std::unique_ptr<Wrapper>& w = Wrappers()[base];
  // A VFS freed and another made at its address (the fault tests' default VFS, one per test):
  // the old wrapper stays registered, unused.
  if (w && w->base_file_bytes == base->szOsFile) return w->name.c_str();
  if (w) w.release();  // NOLINT: still registered with SQLite
  w = std::make_unique<Wrapper>();
  w->base = base;
  w->base_file_bytes = base->szOsFile;
  w->name = "slussen-wal-buffer-" + std::to_string(Wrappers().size()) + "-" + base->zName;
  sqlite3_vfs& v = w->vfs;
  v.iVersion = std::min(base->iVersion, 3);
  v.szOsFile = static_cast<int>(kFileBytes) + base->szOsFile;
  v.mxPathname = base->mxPathname;
  v.zName = w->name.c_str();
  v.pAppData = w.get();
  v.xOpen = &Open;
  v.xDelete = &Delete;
  v.xAccess = &Access;
  v.xFullPathname = &FullPathname;
  v.xDlOpen = &DlOpen;
  v.xDlError = &DlError;
  v.xDlSym = &DlSym;
  v.xDlClose = &DlClose;
  v.xRandomness = &Randomness;
  v.xSleep = &Sleep;
  v.xCurrentTime = &CurrentTime;
  v.xGetLastError = &GetLastError;
  if (v.iVersion >= 2) v.xCurrentTimeInt64 = &CurrentTimeInt64;
  if (v.iVersion >= 3) {
    v.xSetSystemCall = &SetSystemCall;
    v.xGetSystemCall = &GetSystemCall;
    v.xNextSystemCall = &NextSystemCall;
  }
  sqlite3_vfs_register(&v, /*makeDflt=*/0);
  return w->name.c_str();
}

}  // namespace slussen::sqlite
