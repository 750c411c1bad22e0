#pragma once
// StoreReader over a SQLite store file: its own read-only connection, so it can run beside the
// hub (another process, another thread). Each call is one statement, so it sees the last committed
// state and holds no read snapshot between calls (a long-lived snapshot would keep the hub's
// checkpointer from restarting the write-ahead log).
#include <memory>
#include <string>

#include "store/store_reader.h"

struct sqlite3;

namespace slussen {

class SqliteStoreReader final : public StoreReader {
 public:
  // Fails with kNotFound if the file does not exist (nothing is created), kCorruption if it is
  // not a database, kFailedPrecondition if its schema is not the one this build reads.
  static Result<std::unique_ptr<SqliteStoreReader>> Open(const std::string& path);
  ~SqliteStoreReader() override;
  SqliteStoreReader(const SqliteStoreReader&) = delete;
  SqliteStoreReader& operator=(const SqliteStoreReader&) = delete;

  Result<StoreStats> Stats() override;
  Result<int64_t> DeadLetterCount() override;
  Result<std::vector<CaseEventRow>> CaseEvents(const std::string& case_id) override;
  Result<std::vector<DeliveryRow>> CaseDeliveries(const std::string& case_id) override;
  Result<std::optional<StoredCase>> Case(const std::string& case_id) override;
  Result<std::vector<DeadDelivery>> DeadDeliveries(std::size_t limit, int64_t before_seq) override;
  Result<std::vector<CaseAtRisk>> CasesAtRisk(std::size_t limit,
                                              int64_t done_late_since_us) override;
  Result<std::vector<PatientDataRead>> PatientDataReads(const std::string& case_id,
                                                        std::size_t limit) override;  // …_audit.cc
  // sqlite_store_reader_audit.cc
  Result<AuditHead> AuditAnchor() override;
  Result<std::vector<AuditRecord>> AuditRowsAfter(int64_t after_seq, int limit) override;
  Result<std::optional<int64_t>> AuditRowAfterHash(const std::string& hash) override;
  Result<std::vector<AuditRecord>> AuditRowsOfPatient(const std::string& patient_key,
                                                      std::size_t limit) override;
  Result<std::vector<UnmetDeadlineCount>> UnmetDeadlineCounts() override;
  Result<std::pair<int64_t, int64_t>> UnmetCaseCounts() override;
  Result<std::vector<DestinationCount>> DeadLettersByDestination() override;
  // sqlite_store_deviations.cc
  Result<std::vector<DeviationRow>> Deviations(int64_t from_us, int64_t to_us,
                                               std::size_t limit) override;
  Result<std::vector<DeadlineOutcomeCount>> DeadlineOutcomes(int64_t from_us,
                                                             int64_t to_us) override;

 private:
  SqliteStoreReader(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Error Fail(const char* what, int rc) const;

  sqlite3* db_;
  std::string path_;
};

}  // namespace slussen
