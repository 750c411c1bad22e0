#pragma once
// The hub's durable state. One implementation today (SQLite, sqlite_store.h); the interface is
// what the core needs so that a second backend (PostgreSQL, broker mode) can be added.
//
// Threading: a Store is owned by the core actor and used from that one thread only.
// Errors: every call returns Status/Result; a failed Commit() leaves nothing of the transaction.
#include <cstdint>
#include <string>
#include <vector>

#include "api/records.h"
#include "common/result.h"

namespace slussen {

struct DestinationStats {
  std::string destination;
  int64_t delivered = 0;
  int64_t pending = 0;
};

// A stored event of one case, for the case logic.
struct CaseEventRow {
  std::string body;
  int64_t received_at_us = 0;
};

// The persisted summary of a case, rewritten with every event that changes it.
struct CaseRecord {
  std::string case_id;
  std::string kommunkod;
  std::string status;
  int64_t updated_at_us = 0;
  bool liable = false;
  bool provisional = false;
  int64_t liability_days = 0;
  int64_t liability_amount_kr = 0;
  std::string notes;  // one per line
};

struct DeadlineRecord {
  std::string deadline_id;
  std::string rule;
  int64_t due_at_us = 0;  // 0: not known yet
  std::string state;      // as evaluated when the case was last updated
  int64_t met_at_us = 0;  // 0: not met
};

struct DeliveryRow {
  std::string event_id;
  std::string destination;
  int64_t delivered_at_us = 0;  // 0: not delivered yet
};

struct StoreStats {
  int64_t events = 0;
  int64_t dead_letters = 0;
  std::vector<DestinationStats> destinations;
};

class Store {
 public:
  virtual ~Store() = default;

  // Transactions: the core wraps each batch of work in one (group commit).
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;  // durable when it returns OK
  virtual void Rollback() = 0;

  enum class InsertOutcome { kInserted, kDuplicate, kConflict };
  // Journals an event and enqueues one outbox row per destination. kDuplicate: the same event id
  // with the same body is already stored (nothing written). kConflict: the id is stored with a
  // different body.
  virtual Result<InsertOutcome> InsertEvent(const EventRecord& event) = 0;
  virtual Status InsertDeadLetter(const DeadLetterRecord& record) = 0;
  virtual Status MarkDelivered(int64_t seq, int64_t delivered_at_us) = 0;

  // Undelivered items of one destination with seq > after_seq, oldest first.
  virtual Result<std::vector<OutboxItem>> PendingAfter(const std::string& destination,
                                                       int64_t after_seq, int limit) = 0;
  // One undelivered item by seq; an empty vector if it was delivered meanwhile.
  virtual Result<std::vector<OutboxItem>> PendingBySeq(int64_t seq) = 0;

  virtual Result<StoreStats> Stats() = 0;

  // Cases (lag 2017:612 tracking). Reads see the current transaction's own writes.
  virtual Result<std::vector<CaseEventRow>> CaseEvents(const std::string& case_id) = 0;
  virtual Result<std::vector<DeliveryRow>> CaseDeliveries(const std::string& case_id) = 0;
  // Replaces the case's row and its deadlines.
  virtual Status UpsertCase(const CaseRecord& record, const std::vector<DeadlineRecord>& deadlines) = 0;
};

}  // namespace slussen
