#pragma once
// The hub's durable state as the core (the one writer) sees it. Backends: SQLite
// (sqlite/sqlite_store.h) today, PostgreSQL next; opened through OpenStore() (store_factory.h).
// Status, reports and the admin API read through a StoreReader (store_reader.h) on a connection
// of their own, never through this interface.
//
// The write path is one call per batch of work: the core classifies what it received (one read,
// StoredBodies), reads the cases it touches (one read, CaseEvents), computes everything the batch
// changes, and hands it over as a WriteBatch. One
// Write() is one transaction, durable when it returns OK, so that a network backend can send it
// in one round trip.
//
// Threading: a Store is owned by the core actor and used from that one thread only.
//
// Errors carry a code (common/result.h). kUnavailable is transient: the next batch tries again.
// kDataLoss (a failed fsync, an I/O error) and kCorruption latch the store: every later Write()
// fails at once with the first such error, without touching the storage, because after a failed
// fsync what the page cache holds can no longer be trusted to be what is on disk. Only a restart
// (which recovers from what is on disk) clears the latch.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/audit_record.h"
#include "api/records.h"
#include "common/result.h"

namespace slussen {

// A receiver accepted outbox row `seq` at `at_us`.
struct DeliveryMark {
  int64_t seq = 0;
  int64_t at_us = 0;
};

// A delivery attempt that did not end in `accepted`, and what follows from it: the row's failed
// attempts become `attempt`, and it is tried again at `next_attempt_at_us` or, if `dead`, never
// (it leaves the pending rows; an operator may revive it).
struct FailedAttempt {
  int64_t seq = 0;
  int attempt = 0;             // 1 for the first failure
  int64_t at_us = 0;
  std::string outcome;         // released, rejected, modified, link-lost
  std::string condition;       // the receiver's error condition, if it gave one
  std::string description;     // the receiver's description, if it gave one
  int64_t next_attempt_at_us = 0;
  bool dead = false;
  std::string reason;          // why the retries ended (dead only)
  // What the row is (for the log and the fallback; not stored again).
  std::string destination;
  std::string event_id;
  std::string case_id;
  // Dead, and the destination has a fallback: the event also goes there (a new outbox row).
  std::string fallback_to;
  std::string fallback_cause;
  // Broker mode: the row was recorded as delivered when the broker confirmed it, and the broker
  // dead-lettered it later. Its delivered mark is withdrawn with its death; a row already dead,
  // or marked delivered by an operator, is left as it is (a second dead-lettered copy).
  bool withdraws_delivery = false;
};

// A Receipt stored for the delivery of `event_id` to `destination` (the receiving system it
// names): the first one counts.
struct ReceiptMark {
  std::string event_id;
  std::string destination;
  int64_t at_us = 0;
  std::string receipt_event_id;
};

// A receiver's acceptance of one of a case's outbox rows (Store::CaseAcceptances).
struct CaseAcceptance {
  std::string event_id;
  std::string destination;
  int64_t delivered_at_us = 0;
};

// An outbox row that waits for a Receipt (Store::DueReceipts).
struct ReceiptDue {
  int64_t seq = 0;
  std::string destination;
  std::string event_id;
  std::string case_id;
  int64_t due_at_us = 0;
};

// What happens to a row whose Receipt did not come in time: it waits longer (postpone_to_us,
// e.g. to the end of the receiver's maintenance window), or is overdue, and then the event is
// also sent to `fallback_to` (a new outbox row) if that is not empty.
struct ReceiptTimeout {
  int64_t seq = 0;
  std::string destination;  // whose Receipt did not come
  int64_t at_us = 0;
  int64_t postpone_to_us = 0;
  std::string event_id;
  std::string case_id;
  std::string fallback_to;
  std::string cause;  // for the fallback row, e.g. "no receipt from kommun-1380 by ..."
};

// An operator's action (api/core_messages.h OperatorCommand) as the batch applies and records it.
struct OperatorActionRecord {
  std::string action;       // retry-dead, reroute, mark-delivered, pause, resume, read
  int64_t at_us = 0;
  std::string destination;
  int64_t seq = 0;          // the row it concerns (0: none)
  std::string event_id;
  std::string case_id;
  std::string operator_id;
  std::string reason;       // for a read: what was read
};

// One outbox row as an operator's action needs to see it.
struct OutboxRowState {
  int64_t seq = 0;
  std::string destination;
  std::string event_id;
  std::string case_id;
  int64_t delivered_at_us = 0;
  int64_t dead_at_us = 0;
  int attempts = 0;  // failed so far
};

// A case's new summary and the complete set of its deadlines (replacing the stored ones).
struct CaseUpdate {
  CaseRecord record;
  std::vector<DeadlineRecord> deadlines;
};

// An outbox row as the audit log names the disclosure of its delivery (Store::Disclosures).
struct OutboxDisclosure {
  int64_t seq = 0;
  std::string destination;
  std::string event_id;
  std::string kind;
  std::string case_id;
  std::string body;        // the stored envelope: the patient's identity is in it
  // Already recorded as delivered: a second acceptance discloses nothing new.
  bool delivered = false;
};

// What one bounded retention batch purges (Store::RetentionDue; hub/DESIGN.md "Audit log and
// retention").
struct PurgeWork {
  // Cases closed (discharged or cancelled, nothing left for time to change) before the cases
  // period: each with its events, outbox rows, delivery attempts, operators' actions, deadlines.
  std::vector<std::string> cases;
  // Dead letters (inbound refused) received before the cases period, by id.
  std::vector<int64_t> dead_letters;
  // The last of the audit log's oldest rows that are older than the audit period: rows up to it
  // are deleted and it becomes the chain's anchor. first_audit_seq: the first of them.
  std::optional<AuditHead> audit_through;
  int64_t first_audit_seq = 0;

  bool empty() const { return cases.empty() && dead_letters.empty() && !audit_through; }
};

// Everything one batch of the core changes, written as one transaction.
struct WriteBatch {
  // New events, each journaled with one outbox row per destination, in this order (their outbox
  // rows get increasing seqs). The writer has checked with StoredBodies() that none is stored;
  // Write() fails (kInvalidArgument) rather than overwrite or skip one that is.
  std::vector<EventRecord> events;
  std::vector<DeadLetterRecord> dead_letters;
  // Marking a row that is already delivered keeps its first time; an unknown seq is no error.
  std::vector<DeliveryMark> delivered;
  std::vector<FailedAttempt> failed_attempts;
  std::vector<ReceiptMark> receipts;
  std::vector<ReceiptTimeout> receipt_timeouts;
  // Operators' actions, each applied (a dead row revived, a row marked delivered, a new row for
  // a re-route, a destination paused or resumed) and recorded in the same transaction.
  std::vector<OperatorActionRecord> actions;
  std::vector<CaseUpdate> cases;
  // Audit rows (hub/DESIGN.md "Audit log and retention"), sealed by the core: appended with the
  // acts they record. `audit_sealed`: rows already stored unsealed (migrated from schema v8)
  // that get their patient key, prev_hash and hash.
  std::vector<AuditRecord> audit;
  std::vector<AuditRecord> audit_sealed;
  // Retention: what this batch purges (written only in batches of their own).
  PurgeWork purge;

  bool empty() const {
    return events.empty() && dead_letters.empty() && delivered.empty() &&
           failed_attempts.empty() && receipts.empty() && receipt_timeouts.empty() &&
           actions.empty() && cases.empty() && audit.empty() && audit_sealed.empty() &&
           purge.empty();
  }
};

// Undelivered outbox rows of one destination.
struct DestinationPending {
  std::string destination;
  int64_t pending = 0;
  int64_t oldest_enqueued_at_us = 0;  // of the oldest undelivered row
};

class Store {
 public:
  virtual ~Store() = default;

  // The stored bodies of those of `event_ids` that are stored (absent ids are not in the map).
  virtual Result<std::map<std::string, std::string>> StoredBodies(
      const std::vector<std::string>& event_ids) = 0;

  // One transaction: all of the batch or nothing of it. Durable when it returns OK.
  virtual Status Write(const WriteBatch& batch) = 0;
  // A Write that does not wait for the disk: applied (the store's reads on this connection see
  // it, its outbox rows excepted, below) and on its way to be durable, under the number it
  // returns; durable once DurableThrough() reaches that number. An error is one Write would have
  // returned for the batch's rows, and then nothing of the batch is kept. Should it never become
  // durable (a failed sync), the store latches (latched()), and nothing of it was delivered:
  // PendingAfter returns only outbox rows of durable batches. The core settles a batch's
  // messages once it is durable (hub/DESIGN.md "Durable write path"). A backend whose Write is
  // all there is keeps this default: durable when it returns.
  virtual Result<int64_t> Submit(const WriteBatch& batch) {
    if (auto s = Write(batch); !s) return s.as_error();
    return int64_t{0};
  }
  // The number of the last submitted batch that is durable, in the order they were submitted.
  virtual int64_t DurableThrough() { return INT64_MAX; }
  // Called on a thread of the store's after batches became durable or failed to; cleared with
  // an empty function, which waits for a call under way.
  virtual void SetDurableListener(std::function<void()> /*listener*/) {}
  // Where the submitted batches are made durable. SyncHere: on the calling thread, which has
  // nothing else to do (no thread hand-over; the listener is not called); false if the store's
  // own thread is at it already (then it calls the listener). SyncInBackground: on the store's
  // own thread, while the caller goes on with more work. Until one of them (or a wait: Write,
  // Flush) a submitted batch may wait.
  virtual bool SyncHere() { return false; }
  virtual void SyncInBackground() {}
  // What Write() made durable may stay invisible to the store's other connections (StoreReader:
  // status, reports, the admin API) until Flush(): the SQLite backend applies batches to its
  // database in one open transaction behind its journal and commits it here (hub/DESIGN.md
  // "Durable write path"). The core flushes at most CoreTuning::flush_interval after a Write,
  // at a barrier and at its stop. A backend whose Write commits outright has nothing to flush.
  virtual Status Flush() { return OkStatus(); }
  // Whether something written is not flushed yet.
  virtual bool unflushed() const { return false; }

  // Undelivered items of one destination with seq > after_seq, oldest first; only those of
  // durable batches (Submit).
  virtual Result<std::vector<OutboxItem>> PendingAfter(const std::string& destination,
                                                       int64_t after_seq, int limit) = 0;
  // One undelivered item by seq; an empty vector if it was delivered (or died) meanwhile.
  virtual Result<std::vector<OutboxItem>> PendingBySeq(int64_t seq) = 0;
  // The first undelivered item of `case_id` for `destination` with after_seq < seq <= up_to_seq;
  // an empty vector if there is none. (Per-case ordering: the dispatcher holds a case's later
  // rows back while an earlier one is on its way, and fetches them here when it has arrived.)
  virtual Result<std::vector<OutboxItem>> NextPendingOfCase(const std::string& destination,
                                                            const std::string& case_id,
                                                            int64_t after_seq,
                                                            int64_t up_to_seq) = 0;
  // Per destination with undelivered rows: how many, and since when the oldest waits.
  virtual Result<std::vector<DestinationPending>> PendingSummary() = 0;

  // The stored events of each of the cases, in the order they were stored; every asked case is in
  // the map (with no rows if nothing of it is stored). One call for all the cases a batch touches:
  // one round trip on a network backend, one read snapshot on SQLite.
  using CaseEventRows = std::map<std::string, std::vector<CaseEventRow>>;
  virtual Result<CaseEventRows> CaseEvents(const std::vector<std::string>& case_ids) = 0;
  // The acceptances of each of the cases' events by their receivers (the event's own rows, not
  // fallbacks or re-routes, and not an operator's record of a delivery by other means); every
  // asked case is in the map. The core asks only when the agreement counts a notice when the
  // kommun's system accepted it (cases/notice_times.h), for the cases it reads from the store.
  using CaseAcceptanceRows = std::map<std::string, std::vector<CaseAcceptance>>;
  virtual Result<CaseAcceptanceRows> CaseAcceptances(const std::vector<std::string>& case_ids) = 0;
  // Cases whose next evaluation (CaseRecord::next_evaluation_at_us) is due at `now_us`, earliest
  // first, at most `limit`.
  virtual Result<std::vector<std::string>> DueCases(int64_t now_us, int limit) = 0;
  // The earliest next evaluation of any case; 0 if no case needs one.
  virtual Result<int64_t> NextCaseEvaluationAt() = 0;

  // Rows whose Receipt is due at `now_us`, earliest first, at most `limit`.
  virtual Result<std::vector<ReceiptDue>> DueReceipts(int64_t now_us, int limit) = 0;
  // The earliest time a Receipt is due; 0 if none is awaited.
  virtual Result<int64_t> NextReceiptDueAt() = 0;

  // One outbox row; nullopt if there is none with that seq.
  virtual Result<std::optional<OutboxRowState>> OutboxRow(int64_t seq) = 0;
  // The case of a stored event; nullopt if no such event is stored.
  virtual Result<std::optional<std::string>> CaseOfEvent(const std::string& event_id) = 0;
  // Destinations an operator paused and did not resume.
  virtual Result<std::vector<std::string>> PausedDestinations() = 0;

  // The audit log (hub/DESIGN.md "Audit log and retention"). Its last sealed row, or the anchor
  // if it has none (a new store: seq 0 and AuditGenesisHash()).
  virtual Result<AuditHead> LastAuditRow() = 0;
  // Rows stored unsealed (migrated from schema v8), by seq.
  virtual Result<std::vector<AuditRecord>> UnsealedAuditRows() = 0;
  // The patient-key secret kept in the store; if it has none yet, `made` is stored (in a
  // transaction of its own) and returned.
  virtual Result<std::string> AuditKey(const std::string& made) = 0;
  // The first stored event's body of each of the cases that has one (its patient, for the audit
  // rows of a read): one row per case, however many events it has.
  virtual Result<std::map<std::string, std::string>> FirstBodies(
      const std::vector<std::string>& case_ids) = 0;
  // What the delivery of each of the outbox rows `seqs` discloses (absent seqs are left out).
  virtual Result<std::vector<OutboxDisclosure>> Disclosures(const std::vector<int64_t>& seqs) = 0;

  // Retention: what the next purge batch covers, at most `limit` cases, `limit` dead letters and
  // 20 * `limit` audit rows: closed cases and dead letters from before `cases_before_us`, the
  // audit log's oldest rows from before `audit_before_us` (0: none of that kind).
  virtual Result<PurgeWork> RetentionDue(int64_t cases_before_us, int64_t audit_before_us,
                                         int limit) = 0;

  // The disk bound (hub/DESIGN.md "Disk bound"). The store's size on disk (SQLite: the database
  // file and its write-ahead log); cheap (no query), the core asks at most once a second.
  virtual Result<uint64_t> BytesOnDisk() = 0;
  // Gives back, in the background and without losing anything, what disk space the store can
  // (SQLite: a checkpoint that truncates the write-ahead log; the database file never shrinks).
  // BytesOnDisk() shows the effect later. The core asks while the store is full.
  virtual void ReclaimSpace() = 0;
  // Shows the store's readers (`slussen --status`, in another process) that the hub refuses
  // inbound because the store is full: `reason` (numbers only), or empty once it is not. A
  // writer opening the store starts with it empty.
  virtual void ShowFull(const std::string& reason) = 0;

  // Whether a data-loss or corruption error has latched the store, and the first such error.
  virtual bool latched() const = 0;
  virtual std::string latched_reason() const = 0;
};

}  // namespace slussen
