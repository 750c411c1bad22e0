#include "store/sqlite/sqlite_util.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include "store/sqlite/wal_write_buffer.h"

namespace slussen::sqlite {

ErrorCode CodeOf(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return ErrorCode::kUnknown;
    // Another connection holds a lock, memory or disk space ran out: nothing was written wrongly
    // and the same transaction may work later.
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_FULL:
    case SQLITE_INTERRUPT:
    case SQLITE_SCHEMA:
    case SQLITE_PROTOCOL:
      return ErrorCode::kUnavailable;
    case SQLITE_IOERR:
      return ErrorCode::kDataLoss;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::kCorruption;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return ErrorCode::kFailedPrecondition;
    case SQLITE_TOOBIG:
      return ErrorCode::kInvalidArgument;
    case SQLITE_NOTFOUND:
      return ErrorCode::kNotFound;
    case SQLITE_ERROR:
    case SQLITE_INTERNAL:
    case SQLITE_ABORT:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      return ErrorCode::kInternal;
    default:
      return ErrorCode::kUnknown;
  }
}

namespace {
// What kind of I/O failed, for the operator: SQLite's own message says only "disk I/O error".
const char* IoErrorKind(int rc) {
  switch (rc) {
    case SQLITE_IOERR_FSYNC: return "fsync failed";
    case SQLITE_IOERR_DIR_FSYNC: return "directory fsync failed";
    case SQLITE_IOERR_WRITE: return "write failed";
    case SQLITE_IOERR_READ: return "read failed";
    case SQLITE_IOERR_SHORT_READ: return "short read";
    case SQLITE_IOERR_TRUNCATE: return "truncate failed";
    case SQLITE_IOERR_FSTAT: return "fstat failed";
    case SQLITE_IOERR_SHMMAP: return "shared-memory map failed";
    case SQLITE_IOERR_SHMOPEN: return "shared-memory open failed";
    case SQLITE_IOERR_LOCK: return "lock failed";
    default: return nullptr;
  }
}
}  // namespace

Error StoreError(const std::string& path, const std::string& what, int rc, sqlite3* db) {
  std::string msg = "store " + path + ": " + what + ": ";
  // The connection's message is only about rc if it still has that error (a reset statement
  // clears it).
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) {
    msg += sqlite3_errmsg(db);
  } else {
    msg += sqlite3_errstr(rc);
  }
  if (const char* kind = IoErrorKind(rc)) msg += std::string(" (") + kind + ")";
  return Error{msg, CodeOf(rc)};
}

void Configure(sqlite3* db) { sqlite3_extended_result_codes(db, 1); }

void ConfigureLibrary() {
  // Memory statistics take a process-wide mutex at every sqlite3_malloc and sqlite3_free:
  // 1-2 % of the core thread at full load, for figures nothing reads. The call only has an
  // effect before SQLite is initialized (it returns SQLITE_MISUSE after), hence once, first.
  static const int once = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)once;
}

Result<sqlite3*> OpenConnection(const std::string& path, int flags) {
  ConfigureLibrary();
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, WalWriteBufferVfs());
  if (rc != SQLITE_OK) {
    Error e = StoreError(path, "cannot open", rc, db);
    sqlite3_close(db);
    return e;
  }
  Configure(db);
  return db;
}

Result<int> UserVersion(sqlite3* db, const std::string& path) {
  Stmt v;
  int rc = v.Prepare(db, "PRAGMA user_version");
  if (rc != SQLITE_OK) return StoreError(path, "cannot read the schema version", rc, db);
  rc = v.Step();
  if (rc != SQLITE_ROW) return StoreError(path, "cannot read the schema version", rc, db);
  return static_cast<int>(v.ColInt(0));
}

namespace {
// A marker is best effort: the disk may be what failed; the log says it either way.
void WriteMarker(const std::string& store_path, const std::string& file, const std::string& text) {
  std::ofstream out(file, std::ios::trunc);
  out << text << "\n";
  out.flush();
  if (!out) spdlog::error("store {}: cannot write {} (it shows in the log only)", store_path, file);
}

// The marker's text without its line end; nullopt if there is no marker.
std::optional<std::string> ReadMarker(const std::string& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string FullMarkerPath(const std::string& store_path) { return store_path + ".full"; }
}  // namespace

std::string LatchMarkerPath(const std::string& store_path) { return store_path + ".latched"; }

void WriteLatchMarker(const std::string& store_path, const std::string& reason) {
  WriteMarker(store_path, LatchMarkerPath(store_path), reason);
}

void RemoveLatchMarker(const std::string& store_path) {
  std::remove(LatchMarkerPath(store_path).c_str());
}

std::string ReadLatchMarker(const std::string& store_path) {
  auto reason = ReadMarker(LatchMarkerPath(store_path));
  if (!reason) return "";
  return reason->empty() ? "latched (no reason recorded)" : *reason;
}

void WriteFullMarker(const std::string& store_path, const std::string& reason) {
  WriteMarker(store_path, FullMarkerPath(store_path), reason);
}

void RemoveFullMarker(const std::string& store_path) {
  std::remove(FullMarkerPath(store_path).c_str());
}

std::string ReadFullMarker(const std::string& store_path) {
  auto reason = ReadMarker(FullMarkerPath(store_path));
  if (!reason) return "";
  return reason->empty() ? "full (no sizes recorded)" : *reason;
}

std::string JournalPath(const std::string& store_path) { return store_path + ".journal"; }

int SyncFiles(sqlite3* db) {
  for (int op : {SQLITE_FCNTL_JOURNAL_POINTER, SQLITE_FCNTL_FILE_POINTER}) {
    sqlite3_file* file = nullptr;
    if (int rc = sqlite3_file_control(db, "main", op, &file); rc != SQLITE_OK) return rc;
    if (file == nullptr || file->pMethods == nullptr) continue;  // not open: nothing to sync
    if (int rc = file->pMethods->xSync(file, SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY);
        rc != SQLITE_OK) {
      return rc;
    }
  }
  return SQLITE_OK;
}

Result<uint64_t> FilesBytes(const std::string& store_path) {
  std::error_code ec;
  const uint64_t db = std::filesystem::file_size(store_path, ec);
  if (ec) {
    return Error{"store " + store_path + ": cannot stat: " + ec.message(), ErrorCode::kUnavailable};
  }
  const std::string wal_path = store_path + "-wal";
  uint64_t wal = std::filesystem::file_size(wal_path, ec);
  if (ec) {
    // No log (a store closed cleanly, or one read before the writer opened it) is no error.
    if (ec != std::errc::no_such_file_or_directory) {
      return Error{"store " + wal_path + ": cannot stat: " + ec.message(), ErrorCode::kUnavailable};
    }
    wal = 0;
  }
  // The journal (hub/DESIGN.md "Durable write path") is part of the store.
  uint64_t journal = std::filesystem::file_size(JournalPath(store_path), ec);
  if (ec) journal = 0;  // none yet (a store never written by this build)
  return db + wal + journal;
}

}  // namespace slussen::sqlite
