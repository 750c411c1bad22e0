#pragma once
// The core actor: the one thread that owns the store and all mutable hub state.
//
// Life of an inbound event: the transport Post()s an InboundMessage; the core takes everything
// queued (at most commit_batch_max inbound messages), decides each (decode, validate, route),
// journals the accepted ones and their outbox rows, dead-letters the refused ones, records
// delivery outcomes — all in ONE transaction (group commit) — and only after the commit tells the
// transport how to settle each inbound delivery. Then it hands the transport whatever the
// receivers have credit for. If the commit fails, every inbound message of the batch is released
// (the sender will retry) and nothing is reported as stored.
//
// The store sees two reads and one write per batch: StoredBodies() tells which events it already
// holds (the core is the only writer, so new/duplicate/conflict is decided from that read),
// CaseEvents() gives the stored events of the cases the new ones touch, then one Write() carries
// the new events, dead letters, delivery records and the new summaries of those cases (an
// agreement that counts notices when delivered adds one read, CaseAcceptances(), for the cases
// read from the store: core_notice_deliveries.cc). A store
// that latches (a failed fsync, a corruption: store.h) makes the hub release every inbound
// message from then on, log it loudly, and exit 1 at shutdown.
//
// Cases: the decoded events of recently active cases stay in a bounded cache (case_cache.h), so
// a new event costs a fold over events in memory; a miss reads the case's stored events. Each
// case row carries when time alone may next change it (cases/next_evaluation.h); one timer
// (timers.h, on the injected clock) re-evaluates the due cases in slices of at most
// kEvaluationSlice per batch, riding in the same Write as inbound events, so that deadline
// states and liability in the store follow the time without holding up inbound commits.
//
// Live statistics (stats.h) are published as an immutable snapshot at most every 100 ms and at
// every drain; any thread reads them through stats() without holding the core up.
//
// A receiver's acceptance is recorded (outbox.delivered_at_us) in the next transaction that
// stores inbound events, or on its own after `mark_flush_interval` / `mark_flush_max` / a Drain.
// Why: a transaction of its own per acceptance was one extra fsync per destination per event, and
// inbound events waited behind it. The record is bookkeeping for at-least-once delivery: if the
// hub dies before it is written, the event is delivered again after the restart, with the same
// message-id, which receivers deduplicate anyway.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "api/audit_record.h"
#include "api/core_messages.h"
#include "common/clock.h"
#include "config/config.h"
#include "core/case_cache.h"
#include "core/disk_bound.h"
#include "core/stats.h"
#include "core/timers.h"
#include "delivery/dispatcher.h"
#include "store/store.h"

namespace slussen {

struct CoreCounters {
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t released = 0;
  uint64_t delivered = 0;
  uint64_t dead_deliveries = 0;  // deliveries whose retries ended (rejected, budget spent)
  uint64_t commits = 0;
  // The store latched on a data-loss or corruption error: nothing is accepted any more.
  bool store_latched = false;
};

struct CoreTuning {
  // Longest time a receiver's acceptance waits in memory for a transaction to ride in.
  std::chrono::milliseconds mark_flush_interval{100};
  // Most acceptances waiting in memory before they get a transaction of their own.
  std::size_t mark_flush_max = 1000;
  // Least time between two published statistics snapshots, and between two reads of the
  // outbox's per-destination depth and oldest row (which correct the running counts).
  std::chrono::milliseconds stats_interval{100};
  std::chrono::milliseconds depth_refresh_interval{5000};
  // Least time between two measurements of the store's size for the disk bound (disk_bound.h);
  // 0: at every batch, without waking for it (tests).
  std::chrono::milliseconds disk_check_interval{1000};
  // Longest time what the store made durable stays unflushed (Store::Flush): invisible to the
  // store's other readers. Longer intervals let more batches share the database's pages.
  std::chrono::milliseconds flush_interval{100};
};

class Core final : public CoreInbox {
 public:
  // `config`, `store` and `output` must outlive the Core.
  Core(const Config& config, Store& store, CoreOutput& output, Clock clock, CoreTuning tuning = {});
  ~Core() override;  // stops the thread if still running
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  void Start();
  // Thread-safe: queue work for the core.
  void Post(CoreInput input) override;
  // Blocks until everything posted before this call is committed and settled.
  void Drain();
  // Drains, then stops the thread.
  void Stop();

  // Only meaningful after Stop().
  CoreCounters counters() const { return counters_; }
  // Thread-safe, any time: the latest published snapshot of the live statistics.
  std::shared_ptr<const CoreStats> stats() const { return stats_board_.Read(); }

 private:
  struct Barrier {
    std::shared_ptr<std::promise<void>> done;
  };
  using Item = std::variant<CoreInput, Barrier>;
  struct Pending;  // an inbound message of the batch being processed
  using WorkingCases = std::map<std::string, DecodedCaseEvents>;  // the batch's cases, by id

  void Run();
  // Flushes the store when its interval has passed (or `now_anyway`: a barrier, the stop).
  void FlushStore(bool now_anyway);
  std::vector<Item> TakeBatch();
  std::optional<std::chrono::steady_clock::time_point> WakeAt() const;
  void Process(std::vector<Item>& items);
  // Decides new / duplicate / conflict for the batch's events from what the store holds.
  Status Classify(std::vector<Pending>& pending);
  // The batch's write.
  Result<WriteBatch> BuildWrite(std::vector<Pending>& pending,
                                std::chrono::system_clock::time_point now, WorkingCases& working);
  // The events of every case the batch changes: its new events' cases and a slice of the cases
  // due for re-evaluation. Taken from the cache or read from the store; refuses a new event
  // whose case is full (max-events-per-case).
  Status LoadCases(std::vector<Pending>& pending, WorkingCases& working);
  void AddCaseUpdates(const WorkingCases& working, std::chrono::system_clock::time_point now,
                      WriteBatch& batch);
  // Issue 15 item 5 (core_notice_deliveries.cc). Under an agreement that counts a notice of
  // 5 kap. 3 § when the kommun's system accepted it, the dispatcher is told to watch those
  // deliveries (and no others); each acceptance's case joins the batch that records it, and
  // the cases read from the store get their recorded acceptances. Otherwise nothing is done.
  bool CountsNoticeDeliveries() const;
  void WatchNoticeDeliveries();
  Status AddStoredAcceptances(const std::vector<std::string>& case_ids, WorkingCases& working);
  void AddWatchedAcceptances(WorkingCases& working);
  // kCaseEvaluation fired: the store's due cases join the queue of cases to re-evaluate.
  void FetchDueCases(std::chrono::system_clock::time_point now);
  // Arms the evaluation timer for the store's earliest due case (in 1 s if it cannot be read).
  void ArmCaseEvaluationFromStore(std::chrono::system_clock::time_point now);
  // Arms `id` at the time the store gave (microseconds; 0: nothing due), or in 1 s if it could
  // not read it (`what` names it in the log).
  void ArmFromStore(TimerId id, const Result<int64_t>& next_us, std::string_view what,
                    std::chrono::system_clock::time_point now);
  // After a commit: the worked cases go back to the cache, the evaluation timer is re-armed.
  void OnCasesCommitted(WorkingCases& working, const WriteBatch& batch,
                        std::chrono::system_clock::time_point now);
  // Receipts (core_receipts.cc): the batch's Receipts matched to their deliveries, when the new
  // deliveries' Receipts are due, and what the receipt timer found overdue.
  void CollectReceipts(const std::vector<Pending>& pending, WriteBatch& batch);
  void SetReceiptDues(WriteBatch& batch);
  void FetchDueReceipts(std::chrono::system_clock::time_point now);
  void ArmReceiptTimerFromStore(std::chrono::system_clock::time_point now);
  void OnReceiptsCommitted(const WriteBatch& batch, std::chrono::system_clock::time_point now);
  // Broker mode (core_broker_dead_letters.cc): one of the hub's publications came back from the
  // broker's dead-letter queue. Its delivery is recorded dead (and the fallback taken) with the
  // next marks, and the message settled once that is durable.
  void OnBrokerDeadLetter(const BrokerDeadLetter& dead, int64_t now_us);
  // Operators' actions (core_operator.cc).
  void AcceptCommand(OperatorCommand cmd, std::chrono::system_clock::time_point now);
  void OnCommandsDone(const Status& written);
  void RestorePausedDestinations();
  // The audit log (core_audit.cc; hub/DESIGN.md "Audit log and retention"). Its head and the
  // patient-key secret, read once (and rows migrated unsealed sealed); until that worked, no
  // batch is written (no disclosure without its record).
  Status LoadAudit();
  // The batch's audit rows: a delivery's first acceptance (a disclosure to its receiver, or to
  // the letter service), the commands' reads and extracts; then all of them sealed after the
  // committed head.
  Status AddAuditRows(WriteBatch& batch);
  // The batch's new events get their patient keys from the envelopes ingest decoded (before
  // LoadCases takes them), stored with the events for the disclosures' rows.
  void SetPatientKeys(std::vector<Pending>& pending) const;
  AuditRecord OperatorAuditRow(const OperatorCommand& cmd, int64_t at_us) const;
  Result<std::vector<AuditRecord>> ReadAuditRows(const OperatorCommand& cmd, int64_t at_us);
  // The organisation a destination discloses to, as the audit log names it; looked up once per
  // destination (the kommun table has 290 rows).
  const std::string& OrganisationOf(const std::string& destination);
  std::map<std::string, std::string> organisations_;
  // Retention (core_retention.cc): one bounded purge batch in a transaction of its own, between
  // group commits, with its audit rows; re-armed at once while more is due, else in an hour.
  void ArmRetention(std::chrono::system_clock::time_point at);
  void PurgeBatch(std::chrono::system_clock::time_point now);
  std::string PatientKeyOfBody(const std::string& body) const;
  // Statistics (core_stats.cc).
  void CountCommitted(const std::vector<Pending>& pending, const WriteBatch& batch);
  void RefreshDepth();
  void PublishStats(bool force);
  void RefuseWhileLatched(std::vector<Pending>& pending);
  void OnWriteFailed(std::vector<Pending>& pending, const Status& error);
  // What the submitted batch `number` tells once it is durable: its messages' settlements, its
  // receivers' recorded acceptances, the destinations it adds outbox rows for, its commands'
  // results (Unsettled).
  void HoldUntilDurable(int64_t number, std::vector<Pending>& pending, const WriteBatch& batch);
  // Tells what the batches the store made durable since hold; those that never will be (the
  // store latched) have their messages released. Whether anything was told.
  bool ReleaseDurable();
  // After a turn that left batches to make durable: synced on this thread if nothing else waits
  // for it (two thread wake-ups fewer per batch), else handed to the store's thread while this
  // one takes what waits.
  void SyncOrHandOver();
  void Release(std::vector<Pending>& pending);
  // Logs the latch loudly the first time, then at most once a minute.
  void ReportLatch(std::size_t released);
  void Pump();

  const Config& config_;
  Store& store_;
  CoreOutput& output_;
  Clock clock_;
  Dispatcher dispatcher_;
  CoreCounters counters_;
  const CoreTuning tuning_;
  // While the store is full, inbound is released unread by the store (disk_bound.h).
  DiskBound disk_bound_{config_, tuning_.disk_check_interval};
  struct Mark {
    int64_t seq = 0;
    int64_t at_us = 0;
    std::string destination;  // empty if the dispatcher no longer knew it
    uint64_t conn_id = 0;     // where the acceptance came from, told once it is recorded
    uint64_t link_id = 0;
    // A notice delivered to a kommun while the agreement counts notices when delivered
    // (WatchNoticeDeliveries): its case takes the acceptance time and is evaluated again in the
    // transaction that records it.
    bool watched = false;
    // What the row carried, when the dispatcher knew it (`destination` not empty): the
    // disclosure's audit row is made from these (AddAuditRows).
    std::string event_id = {};
    std::string case_id = {};
    std::string kind = {};
    std::string patient_key = {};
  };
  // Acceptances not yet in the store (the dispatcher has forgotten them: the next transaction
  // must record them, also after a failed one), and since when the oldest has waited.
  std::vector<Mark> unrecorded_marks_;
  // Failed delivery attempts not yet in the store, recorded with the marks.
  std::vector<FailedAttempt> unrecorded_failures_;
  // Broker dead letters whose deaths are among unrecorded_failures_: settled after their commit.
  struct DeadLetterToSettle {
    uint64_t conn_id = 0;
    uint64_t token = 0;
  };
  std::vector<DeadLetterToSettle> dead_letters_to_settle_;
  bool NothingUnrecorded() const { return unrecorded_marks_.empty() && unrecorded_failures_.empty(); }
  void RecordFailure(FailedAttempt failed);
  std::chrono::steady_clock::time_point marks_since_;
  Timers timers_;
  CaseCache cache_;
  std::deque<std::string> due_cases_;  // due for re-evaluation, not yet worked on
  bool more_due_ = false;              // the last fetch of due cases was cut at its limit
  std::size_t evaluating_ = 0;         // due cases in the batch being written
  std::set<std::string> cache_admit_;  // the batch's cases that go (back) into the cache
  std::vector<ReceiptTimeout> receipt_timeouts_;  // found overdue, not yet written
  struct AcceptedCommand {
    OperatorCommand command;
    OperatorActionRecord record;
    std::vector<OperatorActionRecord> also;  // a read of several cases: a row for each other one
    // A read or an extract: its audit rows (unsealed), written instead of an action record.
    std::vector<AuditRecord> audit;
  };
  std::vector<AcceptedCommand> commands_;  // checked, for the next transaction
  void FinishCommands(std::vector<AcceptedCommand>& commands, const Status& written);
  // A batch the store applied and is making durable (Store::Submit), and what is told once it
  // is: nothing of it leaves the hub before (hub/DESIGN.md "Durable write path").
  struct Unsettled {
    int64_t number = 0;
    std::chrono::steady_clock::time_point submitted_at;
    struct Settle {
      uint64_t conn_id = 0;
      uint64_t token = 0;
      Settlement settlement;
    };
    std::vector<Settle> settlements;
    std::map<std::pair<uint64_t, uint64_t>, std::vector<int64_t>> recorded;
    std::vector<DeadLetterToSettle> dead_letters;
    std::set<std::string> enqueued;  // destinations with new rows
    std::vector<AcceptedCommand> commands;
    uint64_t accepted = 0;
    uint64_t duplicates = 0;
    uint64_t rejected = 0;
    uint64_t delivered = 0;
  };
  std::deque<Unsettled> unsettled_;  // in the order submitted
  bool more_receipts_due_ = false;                // the last fetch was cut at its limit

  // The audit log: the secret of patient keys, the committed head, and the head the batch being
  // written seals to (the committed head moves there only once the batch is durable).
  bool audit_loaded_ = false;
  std::string audit_secret_;
  AuditHead audit_head_;
  AuditHead audit_batch_head_;

  // Statistics: counted here, published to stats_board_ as snapshots.
  StatsBoard stats_board_;
  std::map<std::string, uint64_t> rejected_by_reason_;
  LatencyHistogram commit_latency_;
  uint64_t failed_commits_ = 0;
  uint64_t cases_evaluated_by_timer_ = 0;
  struct DestinationCounters {
    uint64_t delivered = 0;
    uint64_t receipts = 0;
    uint64_t receipts_overdue = 0;
    uint64_t fallbacks = 0;
  };
  std::map<std::string, DestinationCounters> by_destination_;  // configured destinations only
  std::map<std::string, DestinationPending> depth_;  // corrected by RefreshDepth()
  bool depth_known_ = false;
  bool stats_dirty_ = false;  // something changed since the last snapshot
  bool depth_stale_ = false;  // the outbox may have changed since depth_ was counted
  std::chrono::steady_clock::time_point depth_refreshed_at_;
  std::chrono::steady_clock::time_point stats_published_at_;
  // Since when the store has something unflushed (FlushStore).
  std::optional<std::chrono::steady_clock::time_point> unflushed_since_;

  // When the latch was last logged, and what was released since.
  std::chrono::steady_clock::time_point latch_logged_at_;
  uint64_t released_since_latch_log_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  bool durable_news_ = false;  // guarded by mu_: the store's listener reported (ReleaseDurable)
  std::thread thread_;
};

}  // namespace slussen
