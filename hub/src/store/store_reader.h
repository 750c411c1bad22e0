#pragma once
// Read-only access to the hub's durable state, on a connection of its own, for everything that is
// not the core: `slussen --status`, `slussen --report`, and (next) the admin API. It may run in
// another process or thread while the hub writes; each call sees a committed state. Opened with
// OpenStoreReader() (store_factory.h), which never creates or migrates anything.
//
// Threading: one StoreReader is used by one thread at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/audit_record.h"
#include "api/records.h"
#include "common/result.h"

namespace slussen {

struct DestinationStats {
  std::string destination;
  int64_t delivered = 0;
  int64_t pending = 0;           // not delivered, not dead
  int64_t dead = 0;              // retries ended, not delivered since (schema v6)
  int64_t awaiting_receipt = 0;  // delivered or not, its Receipt still awaited
};

struct StoreStats {
  int64_t events = 0;
  int64_t dead_letters = 0;
  // Non-empty while the writer has latched (store.h): the first data-loss or corruption error.
  std::string latched_reason;
  // Non-empty while the hub refuses inbound because the store reached its disk bound (store.h
  // ShowFull): the sizes, numbers only.
  std::string full_reason;
  uint64_t bytes_on_disk = 0;  // the database and its write-ahead log, now
  std::vector<DestinationStats> destinations;  // by name
};

// A case's persisted summary and its deadlines, as the core last wrote them.
struct StoredCase {
  CaseRecord record;
  std::vector<DeadlineRecord> deadlines;  // by deadline id
};

// A delivery whose retries ended and that was not delivered since: a dead letter of its
// destination, with every attempt.
struct DeadDelivery {
  int64_t seq = 0;
  std::string destination;
  std::string event_id;
  std::string kind;
  std::string case_id;
  int attempts = 0;
  int64_t dead_at_us = 0;
  std::string last_error;  // the reason its retries ended (a receiver's text: never log it raw)
  struct Attempt {
    int attempt = 0;
    int64_t at_us = 0;
    std::string outcome;      // released, rejected, modified, link-lost…
    std::string condition;    // the receiver's, for a rejection
    std::string description;
  };
  std::vector<Attempt> history;  // oldest first
};

// A case with a deadline missed or at risk, for the ranking operators look at first.
struct CaseAtRisk {
  std::string case_id;
  std::string kommunkod;
  std::string paying_kommunkod;  // 5 kap. 2 §: the kommun that pays (the kommunkod if none other)
  std::string track;             // Halland's planning track; empty: none
  std::string status;
  int64_t liability_days = 0;
  int64_t liability_amount_kr = 0;
  std::string deadline_id;  // its most urgent deadline
  std::string rule;
  std::string state;        // missed or at-risk
  int64_t due_at_us = 0;
  int64_t met_at_us = 0;    // 0: still open
};

// One operator's read of a case's data (OperatorCommand::kRecordRead): an audit row.
struct PatientDataRead {
  int64_t at_us = 0;
  std::string operator_id;
  std::string what;
  std::string case_id;
};

// How many deadlines not met are at risk or missed, per rule.
struct UnmetDeadlineCount {
  std::string rule;
  std::string state;
  int64_t count = 0;
};

// A count per destination.
struct DestinationCount {
  std::string destination;
  int64_t count = 0;
};

// One deviation the store records, for the monthly deviation report (report/deviation_report.h;
// hub/DESIGN.md "Deviation report"): what happened, to which case, when, and where.
struct DeviationRow {
  // deadline-missed, estimate-change-not-notified, dead-letter, fallback, receipt-late,
  // receipt-missing, rejected
  std::string category;
  int64_t at_us = 0;        // the instant the deviation is dated by (its month)
  std::string case_id;
  std::string kommunkod;    // of the case; empty if the store has no case row for it
  std::string deadline_id;  // deadlines: e.g. "kallelse-sip", "planeringsunderlag-svar:<event>"
  std::string rule;         // deadlines: the rule that set it, e.g. "4 kap. 3 § lag (2017:612)"
  std::string destination;  // deliveries: the destination whose delivery failed or was late
  std::string fallback_to;  // fallbacks: where the event went instead
  std::string sender;       // rejected: the sender HSA id the message claimed (empty: unknown)
  std::string reason;       // rejected: the field or part its first reason named
};

// How the deadlines that fell due in a period ended, for one rule: the dashboard's outcome chart.
struct DeadlineOutcomeCount {
  std::string rule;
  int64_t met = 0;       // met by the time it fell due
  int64_t met_late = 0;  // met after it fell due
  int64_t missed = 0;    // due and still not met

  friend bool operator==(const DeadlineOutcomeCount&, const DeadlineOutcomeCount&) = default;
};

class StoreReader {
 public:
  virtual ~StoreReader() = default;

  virtual Result<StoreStats> Stats() = 0;
  virtual Result<int64_t> DeadLetterCount() = 0;
  // The stored events of a case, in the order they were stored (empty: no such case).
  virtual Result<std::vector<CaseEventRow>> CaseEvents(const std::string& case_id) = 0;
  // Every outbox row of the case's events, in seq order.
  virtual Result<std::vector<DeliveryRow>> CaseDeliveries(const std::string& case_id) = 0;
  // The case row and its deadlines; nullopt if the store has no row for the case.
  virtual Result<std::optional<StoredCase>> Case(const std::string& case_id) = 0;
  // Dead deliveries, newest (highest seq) first, at most `limit`, only those with seq below
  // `before_seq` (0: from the newest): a page, and the next page from its last seq.
  virtual Result<std::vector<DeadDelivery>> DeadDeliveries(std::size_t limit,
                                                           int64_t before_seq) = 0;
  // Cases by legal and money risk, one row per case (its most urgent deadline), at most `limit`:
  // a deadline missed and still open first, then at risk, then missed but done late with its due
  // time at or after `done_late_since_us`; within each, the larger payment liability first, then
  // the earlier due time. Costs what is unmet now plus the recent done-late ones, not the store's
  // whole history.
  virtual Result<std::vector<CaseAtRisk>> CasesAtRisk(std::size_t limit,
                                                      int64_t done_late_since_us) = 0;
  // The recorded reads of the case's data, oldest first, at most `limit`.
  virtual Result<std::vector<PatientDataRead>> PatientDataReads(const std::string& case_id,
                                                                std::size_t limit) = 0;
  // The audit log (hub/DESIGN.md "Audit log and retention"): where its chain starts (seq 0 and
  // the genesis hash, or the last purged row), its rows after `after_seq` by seq (at most
  // `limit`), the seq of the row whose prev_hash is `hash`, and one patient's rows by seq.
  virtual Result<AuditHead> AuditAnchor() = 0;
  virtual Result<std::vector<AuditRecord>> AuditRowsAfter(int64_t after_seq, int limit) = 0;
  virtual Result<std::optional<int64_t>> AuditRowAfterHash(const std::string& hash) = 0;
  virtual Result<std::vector<AuditRecord>> AuditRowsOfPatient(const std::string& patient_key,
                                                              std::size_t limit) = 0;
  // Deadlines at risk or missed and not met, counted by rule and state (on the partial index of
  // those two states: pending deadlines are not counted, as no index of them is kept).
  virtual Result<std::vector<UnmetDeadlineCount>> UnmetDeadlineCounts() = 0;
  // How many cases have a deadline missed and not met, and how many one at risk (a case with
  // both counts in both), on the partial index of unmet deadlines.
  virtual Result<std::pair<int64_t, int64_t>> UnmetCaseCounts() = 0;
  // Dead deliveries not delivered since, per destination (on the partial index outbox_dead).
  virtual Result<std::vector<DestinationCount>> DeadLettersByDestination() = 0;
  // The deviations dated in [from_us, to_us), earliest first, at most `limit` (ask one more than
  // you can take to know there were more). Read on partial indexes (schema v8) that hold only
  // rows that went wrong, so a month costs what went wrong in it, not the size of the store.
  virtual Result<std::vector<DeviationRow>> Deviations(int64_t from_us, int64_t to_us,
                                                       std::size_t limit) = 0;
  // The deadlines due in [from_us, to_us) that have an outcome (met, or missed), counted by rule,
  // by rule name. Reads only those deadlines (an index by due time), so a day costs what that
  // day's deadlines cost, whatever the store's age.
  virtual Result<std::vector<DeadlineOutcomeCount>> DeadlineOutcomes(int64_t from_us,
                                                                     int64_t to_us) = 0;
};

}  // namespace slussen
