#pragma once
// Read-only queries against the hub's SQLite store, from tests (the hub may be running: every
// call opens the file anew, read-only, with a busy timeout, and closes it again).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  explicit StoreReader(std::string db_path) : path_(std::move(db_path)) {}

  // The single integer the query returns (e.g. SELECT count(*) ...); throws on error.
  int64_t QueryInt(const std::string& sql) const;
  // Column 0 of every row, as text (NULL -> "").
  std::vector<std::string> QueryStrings(const std::string& sql) const;
  std::vector<DeadLetterRow> DeadLetters() const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace slussen::testing
