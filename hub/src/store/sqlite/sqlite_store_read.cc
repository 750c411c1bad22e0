// SqliteStore's reads for the core: the classification lookup, the outbox, cases.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite/sqlite_statements.h"

namespace slussen {

using sqlite::ResetGuard;

// Inside the projection's open transaction the reads see it, and take no snapshot of their own.
Status SqliteStore::BeginRead() {
  if (projection_open_) return OkStatus();
  ResetGuard g{stmts_->begin_read};
  if (int rc = stmts_->begin_read.Step(); rc != SQLITE_DONE) return Fail("begin read", rc);
  return OkStatus();
}

Status SqliteStore::EndRead(Status reads) {
  if (projection_open_) return reads;
  if (!reads) {
    Rollback();
    return reads;
  }
  ResetGuard g{stmts_->commit};
  if (int rc = stmts_->commit.Step(); rc != SQLITE_DONE) {
    Error e = Fail("end read", rc);
    Rollback();
    return e;
  }
  return OkStatus();
}

Result<std::map<std::string, std::string>> SqliteStore::StoredBodies(
    const std::vector<std::string>& event_ids) {
  std::map<std::string, std::string> found;
  const bool snapshot = event_ids.size() > 1;
  if (snapshot) {
    if (auto s = BeginRead(); !s) return s.as_error();
  }
  checked_absent_.clear();
  auto read = [&]() -> Status {
    auto& st = stmts_->event_body;
    for (const auto& id : event_ids) {
      auto row = EventRowOf(id);
      if (!row) return row.as_error();
      if (!*row) {
        checked_absent_.insert(id);
        continue;
      }
      ResetGuard g{st};
      st.Int(1, **row);
      const int rc = st.Step();
      if (rc == SQLITE_ROW) {
        found.emplace(id, st.ColBlob(0));
      } else if (rc != SQLITE_DONE) {
        return Fail("read stored events", rc);
      }
    }
    return OkStatus();
  };
  Status s = read();
  if (snapshot) s = EndRead(std::move(s));
  if (!s) return s.as_error();
  return found;
}

Result<Store::CaseEventRows> SqliteStore::CaseEvents(const std::vector<std::string>& case_ids) {
  CaseEventRows out;
  const bool snapshot = case_ids.size() > 1;
  if (snapshot) {
    if (auto s = BeginRead(); !s) return s.as_error();
  }
  auto read = [&]() -> Status {
    auto& st = stmts_->case_events;
    for (const auto& case_id : case_ids) {
      ResetGuard g{st};
      st.Text(1, case_id);
      auto& rows = out[case_id];
      int rc;
      while ((rc = st.Step()) == SQLITE_ROW) rows.push_back({st.ColBlob(0), st.ColInt(1)});
      if (rc != SQLITE_DONE) return Fail("read case events", rc);
    }
    return OkStatus();
  };
  Status s = read();
  if (snapshot) s = EndRead(std::move(s));
  if (!s) return s.as_error();
  return out;
}

Result<Store::CaseAcceptanceRows> SqliteStore::CaseAcceptances(
    const std::vector<std::string>& case_ids) {
  CaseAcceptanceRows out;
  // Prepared per call: only an agreement that counts notices when delivered asks, and then only
  // for cases not in the core's cache.
  sqlite::Stmt st;
  int rc = st.Prepare(
      db_,
      "SELECT e.event_id, o.destination, o.delivered_at_us FROM events e CROSS JOIN outbox o "
      "ON o.seq >= e.outbox_first_seq AND o.seq < e.outbox_first_seq + e.outbox_count "
      "WHERE e.case_id = ?1 AND o.delivered_at_us IS NOT NULL "
      "AND (o.manual_by IS NULL OR o.manual_by = '') ORDER BY o.seq");
  if (rc != SQLITE_OK) return Fail("read case acceptances", rc);
  const bool snapshot = case_ids.size() > 1;
  if (snapshot) {
    if (auto s = BeginRead(); !s) return s.as_error();
  }
  auto read = [&]() -> Status {
    for (const auto& case_id : case_ids) {
      ResetGuard g{st};
      st.Text(1, case_id);
      auto& rows = out[case_id];
      int step;
      while ((step = st.Step()) == SQLITE_ROW) {
        rows.push_back({st.ColText(0), st.ColText(1), st.ColInt(2)});
      }
      if (step != SQLITE_DONE) return Fail("read case acceptances", step);
    }
    return OkStatus();
  };
  Status s = read();
  if (snapshot) s = EndRead(std::move(s));
  if (!s) return s.as_error();
  return out;
}

namespace {

// The columns of kOutboxSelect (sqlite_store.cc).
OutboxItem ReadOutboxRow(sqlite::Stmt& st) {
  OutboxItem item;
  item.seq = st.ColInt(0);
  item.destination = st.ColText(1);
  item.event_id = st.ColText(2);
  item.kind = st.ColText(3);
  item.case_id = st.ColText(4);
  item.schema_version = static_cast<uint32_t>(st.ColInt(5));
  item.body = st.ColBlob(6);
  item.attempts = static_cast<int>(st.ColInt(7));
  item.next_attempt_at_us = st.ColInt(8);
  item.enqueued_at_us = st.ColInt(9);
  item.added_cause = st.ColText(10);
  item.added_for = st.ColText(11);
  item.patient_key = st.ColDigest(12);
  return item;
}

}  // namespace

Result<std::vector<OutboxItem>> SqliteStore::PendingAfter(const std::string& destination,
                                                          int64_t after_seq, int limit) {
  auto& st = stmts_->pending_after;
  ResetGuard g{st};
  st.Text(1, destination);
  st.Int(2, after_seq);
  st.Int(3, DeliverableThrough());  // no row of a batch that is not durable yet
  st.Int(4, limit);
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(ReadOutboxRow(st));
  if (rc != SQLITE_DONE) return Fail("read outbox", rc);
  return out;
}

Result<std::vector<OutboxItem>> SqliteStore::PendingBySeq(int64_t seq) {
  auto& st = stmts_->pending_by_seq;
  ResetGuard g{st};
  st.Int(1, seq);
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(ReadOutboxRow(st));
  if (rc != SQLITE_DONE) return Fail("read outbox", rc);
  return out;
}

Result<std::vector<OutboxItem>> SqliteStore::NextPendingOfCase(const std::string& destination,
                                                               const std::string& case_id,
                                                               int64_t after_seq,
                                                               int64_t up_to_seq) {
  auto& st = stmts_->next_of_case;
  ResetGuard g{st};
  st.Text(1, case_id);
  st.Text(2, destination);
  st.Int(3, after_seq);
  st.Int(4, up_to_seq);
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(ReadOutboxRow(st));
  if (rc != SQLITE_DONE) return Fail("read outbox of case", rc);
  return out;
}

Result<std::vector<DestinationPending>> SqliteStore::PendingSummary() {
  auto& st = stmts_->pending_summary;
  ResetGuard g{st};
  std::vector<DestinationPending> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColText(0), st.ColInt(1), st.ColInt(2)});
  if (rc != SQLITE_DONE) return Fail("read outbox summary", rc);
  return out;
}

Result<std::vector<std::string>> SqliteStore::DueCases(int64_t now_us, int limit) {
  auto& st = stmts_->due_cases;
  ResetGuard g{st};
  st.Int(1, now_us);
  st.Int(2, limit);
  std::vector<std::string> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(st.ColText(0));
  if (rc != SQLITE_DONE) return Fail("read due cases", rc);
  return out;
}

Result<int64_t> SqliteStore::NextCaseEvaluationAt() {
  auto& st = stmts_->next_case_evaluation;
  ResetGuard g{st};
  const int rc = st.Step();
  if (rc != SQLITE_ROW) return Fail("read next case evaluation", rc);
  return st.ColInt(0);  // NULL (no case) reads as 0
}

Result<std::vector<ReceiptDue>> SqliteStore::DueReceipts(int64_t now_us, int limit) {
  auto& st = stmts_->due_receipts;
  ResetGuard g{st};
  st.Int(1, now_us);
  st.Int(2, limit);
  std::vector<ReceiptDue> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back({st.ColInt(0), st.ColText(1), st.ColText(2), st.ColText(3), st.ColInt(4)});
  }
  if (rc != SQLITE_DONE) return Fail("read receipts due", rc);
  return out;
}

Result<int64_t> SqliteStore::NextReceiptDueAt() {
  auto& st = stmts_->next_receipt_due;
  ResetGuard g{st};
  const int rc = st.Step();
  if (rc == SQLITE_ROW) return st.ColInt(0);  // NULL (none awaited) reads as 0
  return Fail("read next receipt due", rc);
}

Result<std::optional<OutboxRowState>> SqliteStore::OutboxRow(int64_t seq) {
  auto& st = stmts_->outbox_row;
  ResetGuard g{st};
  st.Int(1, seq);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<OutboxRowState>();
  if (rc != SQLITE_ROW) return Fail("read outbox row", rc);
  return std::optional<OutboxRowState>(
      OutboxRowState{st.ColInt(0), st.ColText(1), st.ColText(2), st.ColText(3), st.ColInt(4),
                     st.ColInt(5), static_cast<int>(st.ColInt(6))});
}

Result<std::optional<int64_t>> SqliteStore::EventRowOf(const std::string& event_id) {
  if (auto recent = recent_ids_.Find(event_id)) return recent;
  if (recent_ids_.SurelyAbsent(event_id)) return std::optional<int64_t>();
  ++event_id_searches_;
  auto& st = stmts_->event_row_of;
  ResetGuard g{st};
  st.Text(1, event_id);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<int64_t>();
  if (rc != SQLITE_ROW) return Fail("look up event id", rc);
  return std::optional<int64_t>(st.ColInt(0));
}

Result<std::optional<std::string>> SqliteStore::CaseOfEvent(const std::string& event_id) {
  auto row = EventRowOf(event_id);
  if (!row) return row.as_error();
  if (!*row) return std::optional<std::string>();
  auto& st = stmts_->case_of_event;
  ResetGuard g{st};
  st.Int(1, **row);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Fail("read event", rc);
  return std::optional<std::string>(st.ColText(0));
}

Result<std::vector<std::string>> SqliteStore::PausedDestinations() {
  auto& st = stmts_->paused_destinations;
  ResetGuard g{st};
  std::vector<std::string> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(st.ColText(0));
  if (rc != SQLITE_DONE) return Fail("read paused destinations", rc);
  return out;
}

}  // namespace slussen
