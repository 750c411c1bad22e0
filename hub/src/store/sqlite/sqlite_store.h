#pragma once
// SQLite implementation of Store: one database file in WAL mode, kept as the projection of a
// journal (store/journal/): a batch is durable when its journal record is fdatasync'd; the
// database takes the batches in one open transaction that Flush commits without a sync, and Open
// replays what the journal holds beyond it (hub/DESIGN.md "Durable write path"). The schema is versioned (PRAGMA user_version) and
// migrated forward on open; see hub/DESIGN.md "Store schema". The store checkpoints its
// write-ahead log on a thread of its own (wal_checkpointer.h), not inside the core's commits.
//
// The latch (store.h): an I/O error (SQLITE_IOERR_*; a failed write or fdatasync of the journal)
// during a Write, or a corruption (SQLITE_CORRUPT, SQLITE_NOTADB) seen by any call,
// latches the store; so does such an error in a checkpoint, which could otherwise reset a log
// whose pages never reached the database file.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "store/sqlite/journal_appender.h"
#include "store/sqlite/recent_event_ids.h"
#include "store/sqlite/sqlite_journal.h"
#include "store/store.h"

struct sqlite3;

namespace slussen {
namespace sqlite {
class Stmt;
}

class WalCheckpointer;

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates, and reserves the journal's space
  // (JournalFile::Reserve) if `journal_reserve_bytes` > 0; 0 leaves the file as it is, growing
  // as it is written. The hub reserves JournalReserveBytes (store_factory.cc); tests and tools
  // that open throwaway stores need not write 64 MB of zeros for each.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   uint64_t journal_reserve_bytes = 0);
  // The journal's reserve for a store with disk bound `max_bytes` (0: none): the size at which
  // the journal is reused, 64 MB, or a 16th of the bound if less (the reserve counts as the
  // store's bytes).
  static uint64_t JournalReserveBytes(uint64_t max_bytes);
  ~SqliteStore() override;

  Result<std::map<std::string, std::string>> StoredBodies(
      const std::vector<std::string>& event_ids) override;
  // The durable write path (sqlite_store_journal.cc): Submit applies the batch and queues its
  // journal record for the appender's thread; Write is Submit and a wait for that record.
  Status Write(const WriteBatch& batch) override;
  Result<int64_t> Submit(const WriteBatch& batch) override;
  int64_t DurableThrough() override;
  void SetDurableListener(std::function<void()> listener) override;
  bool SyncHere() override;
  void SyncInBackground() override;
  Status Flush() override;
  bool unflushed() const override { return projection_open_; }
  Result<std::vector<OutboxItem>> PendingAfter(const std::string& destination, int64_t after_seq,
                                               int limit) override;
  Result<std::vector<OutboxItem>> PendingBySeq(int64_t seq) override;
  Result<std::vector<OutboxItem>> NextPendingOfCase(const std::string& destination,
                                                    const std::string& case_id, int64_t after_seq,
                                                    int64_t up_to_seq) override;
  Result<std::vector<DestinationPending>> PendingSummary() override;
  Result<CaseEventRows> CaseEvents(const std::vector<std::string>& case_ids) override;
  Result<CaseAcceptanceRows> CaseAcceptances(const std::vector<std::string>& case_ids) override;
  Result<std::vector<std::string>> DueCases(int64_t now_us, int limit) override;
  Result<std::vector<ReceiptDue>> DueReceipts(int64_t now_us, int limit) override;
  Result<int64_t> NextReceiptDueAt() override;
  Result<std::optional<OutboxRowState>> OutboxRow(int64_t seq) override;
  Result<std::optional<std::string>> CaseOfEvent(const std::string& event_id) override;
  Result<std::vector<std::string>> PausedDestinations() override;
  Result<int64_t> NextCaseEvaluationAt() override;
  Result<AuditHead> LastAuditRow() override;
  Result<std::vector<AuditRecord>> UnsealedAuditRows() override;
  Result<std::string> AuditKey(const std::string& made) override;
  Result<std::map<std::string, std::string>> FirstBodies(
      const std::vector<std::string>& case_ids) override;
  Result<std::vector<OutboxDisclosure>> Disclosures(const std::vector<int64_t>& seqs) override;
  Result<PurgeWork> RetentionDue(int64_t cases_before_us, int64_t audit_before_us,
                                 int limit) override;  // sqlite_store_retention.cc
  Result<uint64_t> BytesOnDisk() override;
  void ReclaimSpace() override;
  void ShowFull(const std::string& reason) override;
  bool latched() const override;
  std::string latched_reason() const override;

  // Checkpoints the background thread has run.
  uint64_t CheckpointRuns() const;
  // Searches of event_ids for an id (the duplicate check's, and a lookup's), and whether the
  // filter that spares most of them is built (recent_event_ids.h).
  uint64_t EventIdSearches() const { return event_id_searches_; }
  bool EventIdFilterReady() const { return recent_ids_.filter_ready(); }

  // The schema version this build writes.
  static int SchemaVersion();
  // The journal file of the store at `store_path` (hub/DESIGN.md "Durable write path").
  static std::string JournalPath(const std::string& store_path);

 private:
  class Statements;
  SqliteStore(sqlite3* db, std::string path);
  Status Exec(const char* sql);
  Status Migrate();
  // The error of `rc` in `what`; latches the store if it is a corruption.
  Error Fail(const char* what, int rc);
  // The durable write path (sqlite_store_journal.cc).
  Status ApplyBatch(const WriteBatch& batch);  // sqlite_store_write.cc
  Status Step(sqlite::Stmt& stmt, const char* what);
  Status SetAppliedBatch(int64_t number);
  // Until every submitted batch is durable; latches the store if one never will be.
  Status WaitDurable(int64_t number);
  // The appender failed: the store latches, and the projection holds what the journal does.
  void OnJournalFailure(const Error& error);
  // The highest outbox seq the dispatcher may read: below the first row of the oldest batch
  // that is not durable yet (INT64_MAX if all are).
  int64_t DeliverableThrough();
  // Undoes a failed Write's rows (and recovers the projection if SQLite dropped all of it).
  Status Undo(Status failed);
  // Ends the open transaction without keeping it; the projection is back at the last commit.
  void DropProjection();
  // After SQLite rolled the open transaction back by itself: drops it and replays the journal's
  // batches since the last commit (the store latches if that fails). Not again from within: the
  // replay's own commit failing the same way (a disk still full) ends the recovery.
  void RecoverProjection();
  // fdatasync of the database file and its log: what is committed is durable without the journal.
  Status SyncDatabase();
  Status OpenJournal(uint64_t reserve_bytes);
  // The journal's records beyond the database, read again, through batch `through` (the last
  // durable one: a record written but not synced is not replayed while the hub runs).
  Status ReplayJournal(int64_t through);
  Status Replay(const std::vector<JournalFile::Record>& records, int64_t through = INT64_MAX);
  Status ReplayRecords(const std::vector<JournalFile::Record>& records, int64_t through);
  void CloseJournal();
  Status InsertEvent(const EventRecord& event);
  // The events row of `event_id` (schema v14: the recent ids in memory, then event_ids);
  // nullopt if it is not stored.
  Result<std::optional<int64_t>> EventRowOf(const std::string& event_id);
  // What the writer keeps in memory of the rows (recent_ids_, outbox_seq_floor_) read again
  // after rows were rolled back; a failure latches the store (the duplicate check would miss
  // what it no longer knows, and new outbox rows could not be numbered).
  void ReloadAfterRollback();
  // The outbox's numbering (sqlite_store_outbox_seq.cc, schema v15).
  Status LoadOutboxSeqFloor();
  Result<int64_t> HighestOutboxSeq();
  Status SetOutboxSeqFloor(int64_t seq);
  // Binds parameter `index` of an outbox INSERT to the row's seq: NULL (SQLite's next, the
  // highest + 1) unless a purge took the highest rows away since the last row was added; then
  // one above what the purge saw, and the floor is cleared, since the row is above it.
  Status BindOutboxSeq(sqlite::Stmt& insert, int index);
  // Before a purge deletes rows: the floor rises to the highest seq given so far.
  Status RaiseOutboxSeqFloor();
  Status InsertDeadLetter(const DeadLetterRecord& record);
  Status MarkDelivered(const DeliveryMark& mark);
  Status RecordFailedAttempt(const FailedAttempt& failed);
  Status RecordReceipt(const ReceiptMark& receipt);
  Status RecordReceiptTimeout(const ReceiptTimeout& timeout);
  Status ApplyAction(const OperatorActionRecord& action);
  // A new outbox row of `event_id` for `to`, added after the event was stored (outbox_added:
  // a fallback for row `of_seq`, or with of_seq 0 a re-route); returns its seq.
  Result<int64_t> InsertAddedRow(int64_t of_seq, const std::string& event_id,
                                 const std::string& case_id, const std::string& to,
                                 const std::string& cause, int64_t at_us);
  // outbox_depth (schema v13): the pending state of row `seq` (nullopt: no such row), and
  // running `change` on it with the change in its destination's depth noted for the batch.
  struct RowPending {
    std::string destination;
    bool pending = false;
  };
  Result<std::optional<RowPending>> ReadRowPending(int64_t seq);
  template <typename Change>
  Status ChangeRow(int64_t seq, Change&& change);
  Status ApplyDepth();  // the batch's noted changes, one statement per destination
  Status UpsertCase(const CaseUpdate& update);
  Status AppendAudit(const AuditRecord& row);
  Status Purge(const PurgeWork& purge);  // sqlite_store_retention.cc
  Status SealAudit(const AuditRecord& row);
  void Rollback();
  // A read transaction around several reads, so that they take the log's read lock once (each
  // statement on its own takes and drops it). EndRead ends it after `reads`, whatever they gave.
  Status BeginRead();
  Status EndRead(Status reads);
  void Latch(const Error& error);
  static int OnWalCommit(void* self, sqlite3* db, const char* schema, int frames);

  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Statements> stmts_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::optional<Error> latch_;  // the first data-loss or corruption error
  std::unique_ptr<JournalFile> journal_;
  // After journal_: the thread that appends to it stops before the file closes.
  JournalAppender appender_;
  // The projection's transaction is open (Write began it, Flush commits it).
  bool projection_open_ = false;
  bool recovering_ = false;  // RecoverProjection is replaying
  bool savepoint_ = false;  // the Write under way set a savepoint (not the transaction's first)
  int64_t applied_batch_ = 0;    // the last batch applied, committed or in the open transaction
  int64_t committed_batch_ = 0;  // the last batch committed
  // The first outbox row each submitted batch added, of those not known durable yet, in order;
  // and the first row the batch being applied added (0: none yet).
  std::deque<std::pair<int64_t, int64_t>> undurable_outbox_;
  int64_t batch_first_outbox_seq_ = 0;
  // The event ids not yet merged into event_ids (recent_event_ids.h), and the events written
  // since the last flush (a merge step keeps ahead of them).
  RecentEventIds recent_ids_;
  // outbox_seq_floor's seq, as the open transaction sees it (schema v15).
  int64_t outbox_seq_floor_ = 0;
  std::size_t events_since_flush_ = 0;
  uint64_t event_id_searches_ = 0;
  // The ids the last StoredBodies found not stored; InsertEvent of the next Write need not
  // search event_ids for them again (nothing between the two adds to it but this writer).
  std::unordered_set<std::string> checked_absent_;
  // What the batch under way changes in outbox_depth, per destination (ApplyBatch).
  std::map<std::string, int64_t> depth_delta_;
};

}  // namespace slussen
