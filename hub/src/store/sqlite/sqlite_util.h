#pragma once
// What the SQLite writer (sqlite_store.cc) and reader (sqlite_store_reader.cc) share: a prepared
// statement wrapper, the mapping of SQLite result codes onto ErrorCode, and the queries both run.
// Internal to the SQLite backend.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/hex.h"
#include "common/result.h"

namespace slussen::sqlite {

// A prepared statement, reset after each use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s_); }
  int Prepare(sqlite3* db, const char* sql) {
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
  }
  sqlite3_stmt* get() { return s_; }
  void Text(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  // Bound without a copy, so a temporary would dangle before the statement steps.
  void Text(int i, std::string&& v) = delete;
  void Blob(int i, std::string&& v) = delete;
  void Blob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  // A hex digest (a hash, a patient key) as the bytes it spells, half the size in a row and in
  // its index (schema v16); anything that is not lowercase hex, '' included, as the text it is.
  void Digest(int i, const std::string& hex) {
    char bytes[64];  // a SHA-256 or HMAC-SHA256 digest needs 32; longer hex stays text
    if (hex.size() <= 2 * sizeof bytes && DecodeLowerHex(hex, bytes)) {
      sqlite3_bind_blob(s_, i, bytes, static_cast<int>(hex.size() / 2), SQLITE_TRANSIENT);
    } else {
      Text(i, hex);
    }
  }
  void Int(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Null(int i) { sqlite3_bind_null(s_, i); }
  int Step() { return sqlite3_step(s_); }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string ColText(int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, i))) : std::string();
  }
  std::string ColBlob(int i) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, i))) : std::string();
  }
  // A column written with Digest: hex again, whichever way it was stored.
  std::string ColDigest(int i) {
    if (sqlite3_column_type(s_, i) != SQLITE_BLOB) return ColText(i);
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
    return LowerHex(std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s_, i))));
  }
  int64_t ColInt(int i) { return sqlite3_column_int64(s_, i); }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// Resets a statement when the scope ends, whatever path leaves it.
struct ResetGuard {
  Stmt& s;
  ~ResetGuard() { s.Reset(); }
};

// The ErrorCode of a SQLite (extended) result code.
ErrorCode CodeOf(int rc);

// Whether an error of this code latches a store (store.h): data loss or corruption.
inline bool Latches(ErrorCode code) {
  return code == ErrorCode::kDataLoss || code == ErrorCode::kCorruption;
}

// "store PATH: WHAT: MESSAGE (DETAIL)" with the code of `rc`; the detail names an I/O error's
// kind (an fsync, a write) when SQLite reports it.
Error StoreError(const std::string& path, const std::string& what, int rc, sqlite3* db);

// The open flags' checks every connection makes: extended result codes on (so that a failed fsync
// is told apart from other I/O errors).
void Configure(sqlite3* db);

// The most the unix VFS writes in one call: it masks a write's length with 0x1ffff
// (seekAndWriteFd), and a longer write comes back short, as SQLITE_FULL. Whatever writes through
// a VFS in large pieces (the journal, the log's write buffer) stays at or below it.
inline constexpr std::size_t kMaxVfsWriteBytes = 128 * 1024 - 1;

// Library-wide settings, applied once before SQLite is first initialized; every way in
// (OpenConnection, the checkpointer's connection, the journal's VFS lookup) calls it first.
void ConfigureLibrary();
// Opens a connection with `flags` (plus NOMUTEX: one thread per connection) and configures it; on
// failure nothing stays open and the error names the file.
Result<sqlite3*> OpenConnection(const std::string& path, int flags);

// The latch as other processes see it (`slussen --status`): "<store>.latched" holds the first
// error. Written when the store latches (best effort: the disk may be what failed; the log
// says so either way), removed when a writer opens the store again (it recovers from what is on
// disk), read by the StoreReader.
std::string LatchMarkerPath(const std::string& store_path);
void WriteLatchMarker(const std::string& store_path, const std::string& reason);
void RemoveLatchMarker(const std::string& store_path);
std::string ReadLatchMarker(const std::string& store_path);  // empty: not latched

// The disk bound as other processes see it: "<store>.full" holds the sizes while the hub refuses
// inbound because the store reached max-bytes (store.h ShowFull). Removed when the hub accepts
// again and when a writer opens the store.
void WriteFullMarker(const std::string& store_path, const std::string& reason);
void RemoveFullMarker(const std::string& store_path);
std::string ReadFullMarker(const std::string& store_path);  // empty: not full

// fdatasync of the database file and its write-ahead log through `db`'s file handles (its VFS):
// then everything committed on any connection is durable. An SQLite result code.
int SyncFiles(sqlite3* db);

// The journal file of the store at `store_path` (hub/DESIGN.md "Durable write path").
std::string JournalPath(const std::string& store_path);

// The store's size on disk: the database file, its write-ahead log and its journal (absent: 0).
// The -shm file is not counted: it is a small index of the log, mapped in memory.
Result<uint64_t> FilesBytes(const std::string& store_path);

// Reads PRAGMA user_version; an error if the file is not a database.
Result<int> UserVersion(sqlite3* db, const std::string& path);

inline constexpr const char* kCaseEventsSql =
    "SELECT body, received_at_us FROM events WHERE case_id = ? ORDER BY received_at_us";

}  // namespace slussen::sqlite
