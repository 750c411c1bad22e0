#pragma once
// SQLite implementation of Store: one database file in WAL mode with synchronous=FULL, so a
// committed transaction survives power loss. The schema is versioned (PRAGMA user_version) and
// migrated forward on open; see hub/DESIGN.md "Store schema". A writable store checkpoints its
// write-ahead log on a thread of its own (wal_checkpointer.h), not inside the core's commits.
#include <cstdint>
#include <memory>
#include <string>

#include "store/store.h"

struct sqlite3;

namespace slussen {

class WalCheckpointer;

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates. read_only: for inspection tools; no migration.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, bool read_only = false);
  ~SqliteStore() override;

  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  Result<InsertOutcome> InsertEvent(const EventRecord& event) override;
  Status InsertDeadLetter(const DeadLetterRecord& record) override;
  Status MarkDelivered(int64_t seq, int64_t delivered_at_us) override;
  Result<std::vector<OutboxItem>> PendingAfter(const std::string& destination, int64_t after_seq,
                                               int limit) override;
  Result<std::vector<OutboxItem>> PendingBySeq(int64_t seq) override;
  Result<StoreStats> Stats() override;
  Result<std::vector<CaseEventRow>> CaseEvents(const std::string& case_id) override;
  Result<std::vector<DeliveryRow>> CaseDeliveries(const std::string& case_id) override;
  Status UpsertCase(const CaseRecord& record, const std::vector<DeadlineRecord>& deadlines) override;

  // Checkpoints the background thread has run; 0 for a read-only store.
  uint64_t CheckpointRuns() const;

  // The schema version this build writes.
  static int SchemaVersion();

 private:
  class Statements;
  SqliteStore(sqlite3* db, std::string path);
  Status Exec(const char* sql);
  Status Migrate();
  Status Fail(const char* what) const;
  static int OnWalCommit(void* self, sqlite3* db, const char* schema, int frames);

  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Statements> stmts_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // null for a read-only store
};

}  // namespace slussen
