#pragma once
// SQL on the hub's SQLite store from tests, beside the hub or the store under test (which may be
// running): every call opens the file anew with a busy timeout and closes it again. Read-only
// unless asked for: tests that set up an old schema write through it too. Errors throw (and so
// fail the test) with the statement and SQLite's message.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace slussen::testing {

struct DeadLetterRow {
  int64_t id = 0;
  int64_t received_at_us = 0;
  std::string address;
  std::optional<std::string> event_id;
  std::string reasons;
  std::string body;
  bool body_truncated = false;
};

class StoreReader {
 public:
  enum class Access { kReadOnly, kReadWrite };
  explicit StoreReader(std::string db_path, Access access = Access::kReadOnly)
      : path_(std::move(db_path)), access_(access) {}

  // The single integer the query returns (e.g. SELECT count(*) ...); throws on error.
  int64_t QueryInt(const std::string& sql) const;
  // Column 0 of every row, as text (NULL -> "").
  std::vector<std::string> QueryStrings(const std::string& sql) const;
  // Every row, each column as text ("NULL" for SQL NULL).
  std::vector<std::vector<std::string>> QueryRows(const std::string& sql) const;
  // Runs a script of several statements (kReadWrite).
  void Exec(const std::string& sql) const;
  std::vector<DeadLetterRow> DeadLetters() const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Access access_;
};

// A read transaction on a connection of its own, open until End() or destruction: while it lasts,
// no checkpoint can reset or truncate the store's write-ahead log past what it reads, so the log
// grows with every commit (what a long report or a backup does to the hub's log). Throws if it
// cannot begin.
class HeldReadTransaction {
 public:
  explicit HeldReadTransaction(const std::string& db_path);
  ~HeldReadTransaction() { End(); }
  HeldReadTransaction(const HeldReadTransaction&) = delete;
  HeldReadTransaction& operator=(const HeldReadTransaction&) = delete;
  void End();

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace slussen::testing
