#include "testing/store_reader.h"

#include <sqlite3.h>

#include <memory>
#include <stdexcept>

namespace slussen::testing {

namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Db Open(const std::string& path, StoreReader::Access access) {
  sqlite3* raw = nullptr;
  const int flags = access == StoreReader::Access::kReadOnly
                        ? SQLITE_OPEN_READONLY
                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("sqlite3_open_v2(" + path + "): " +
                             (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

Stmt Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error("prepare \"" + sql + "\": " + sqlite3_errmsg(db));
  }
  return Stmt(raw);
}

std::string Text(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_blob(s, col);
  const int n = sqlite3_column_bytes(s, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

void CheckDone(sqlite3* db, int rc, const std::string& sql) {
  if (rc != SQLITE_DONE) throw std::runtime_error("step \"" + sql + "\": " + sqlite3_errmsg(db));
}

}  // namespace

int64_t StoreReader::QueryInt(const std::string& sql) const {
  Db db = Open(path_, access_);
  Stmt st = Prepare(db.get(), sql);
  const int rc = sqlite3_step(st.get());
  if (rc != SQLITE_ROW) {
    throw std::runtime_error("query \"" + sql + "\" returned no row: " + sqlite3_errmsg(db.get()));
  }
  return sqlite3_column_int64(st.get(), 0);
}

std::vector<std::string> StoreReader::QueryStrings(const std::string& sql) const {
  Db db = Open(path_, access_);
  Stmt st = Prepare(db.get(), sql);
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) out.push_back(Text(st.get(), 0));
  CheckDone(db.get(), rc, sql);
  return out;
}

std::vector<std::vector<std::string>> StoreReader::QueryRows(const std::string& sql) const {
  Db db = Open(path_, access_);
  Stmt st = Prepare(db.get(), sql);
  std::vector<std::vector<std::string>> rows;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(st.get()); ++i) {
      row.push_back(sqlite3_column_type(st.get(), i) == SQLITE_NULL ? "NULL" : Text(st.get(), i));
    }
    rows.push_back(std::move(row));
  }
  CheckDone(db.get(), rc, sql);
  return rows;
}

void StoreReader::Exec(const std::string& sql) const {
  Db db = Open(path_, access_);
  char* err = nullptr;
  if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string message = err ? err : sqlite3_errmsg(db.get());
    sqlite3_free(err);
    throw std::runtime_error("exec \"" + sql + "\": " + message);
  }
}

std::vector<DeadLetterRow> StoreReader::DeadLetters() const {
  const std::string sql =
      "SELECT id, received_at_us, address, event_id, reasons, body, body_truncated "
      "FROM dead_letters ORDER BY id";
  Db db = Open(path_, access_);
  Stmt st = Prepare(db.get(), sql);
  std::vector<DeadLetterRow> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    DeadLetterRow row;
    row.id = sqlite3_column_int64(st.get(), 0);
    row.received_at_us = sqlite3_column_int64(st.get(), 1);
    row.address = Text(st.get(), 2);
    if (sqlite3_column_type(st.get(), 3) != SQLITE_NULL) row.event_id = Text(st.get(), 3);
    row.reasons = Text(st.get(), 4);
    row.body = Text(st.get(), 5);
    row.body_truncated = sqlite3_column_int64(st.get(), 6) != 0;
    out.push_back(std::move(row));
  }
  CheckDone(db.get(), rc, sql);
  return out;
}

HeldReadTransaction::HeldReadTransaction(const std::string& db_path) {
  Db db = Open(db_path, StoreReader::Access::kReadOnly);
  // A read transaction begins at its first read.
  const char* sql = "BEGIN; SELECT count(*) FROM sqlite_master;";
  if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("begin a read transaction: ") + sqlite3_errmsg(db.get()));
  }
  db_ = db.release();
}

void HeldReadTransaction::End() {
  if (!db_) return;
  sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

}  // namespace slussen::testing
