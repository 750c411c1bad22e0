// SqliteStore's rows of a WriteBatch (the journal and the transaction around them:
// sqlite_store_journal.cc).
#include "store/sqlite/sqlite_store.h"

#include <map>

#include <sqlite3.h>

#include "store/sqlite/sqlite_statements.h"
#include "store/sqlite/wal_checkpointer.h"

namespace slussen {

using sqlite::ResetGuard;

// Every row the batch writes, in the open transaction; Write (sqlite_store_journal.cc) brackets
// it with a savepoint and the journal record, and replay applies a journaled batch the same way.
Status SqliteStore::ApplyBatch(const WriteBatch& batch) {
  depth_delta_.clear();
  for (const auto& e : batch.events) {
    if (auto s = InsertEvent(e); !s) return s;
  }
  for (const auto& d : batch.dead_letters) {
    if (auto s = InsertDeadLetter(d); !s) return s;
  }
  for (const auto& m : batch.delivered) {
    if (auto s = MarkDelivered(m); !s) return s;
  }
  for (const auto& f : batch.failed_attempts) {
    if (auto s = RecordFailedAttempt(f); !s) return s;
  }
  for (const auto& r : batch.receipts) {
    if (auto s = RecordReceipt(r); !s) return s;
  }
  for (const auto& t : batch.receipt_timeouts) {
    if (auto s = RecordReceiptTimeout(t); !s) return s;
  }
  for (const auto& a : batch.actions) {
    if (auto s = ApplyAction(a); !s) return s;
  }
  for (const auto& c : batch.cases) {
    if (auto s = UpsertCase(c); !s) return s;
  }
  if (!batch.purge.empty()) {
    if (auto s = Purge(batch.purge); !s) return s;
  }
  for (const auto& row : batch.audit_sealed) {
    if (auto s = SealAudit(row); !s) return s;
  }
  for (const auto& row : batch.audit) {
    if (auto s = AppendAudit(row); !s) return s;
  }
  return ApplyDepth();
}

// Every statement that can put a row into or out of the pending state (neither delivered nor
// dead) goes through here, an insert (+1) or Purge (its count); none changes a row's
// destination. StoreTest.PendingSummaryFollowsEveryWriteThatChangesARowsState holds them to a
// count over the outbox.
Result<std::optional<SqliteStore::RowPending>> SqliteStore::ReadRowPending(int64_t seq) {
  auto& st = stmts_->row_pending;
  ResetGuard g{st};
  st.Int(1, seq);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<RowPending>();
  if (rc != SQLITE_ROW) return Fail("read outbox row", rc);
  return std::optional<RowPending>(RowPending{st.ColText(0), st.ColInt(1) != 0});
}

template <typename Change>
Status SqliteStore::ChangeRow(int64_t seq, Change&& change) {
  auto before = ReadRowPending(seq);
  if (!before) return before.as_error();
  if (auto s = change(); !s) return s;
  if (!*before || sqlite3_changes(db_) == 0) return OkStatus();
  auto after = ReadRowPending(seq);
  if (!after) return after.as_error();
  if (*after && (*after)->pending != (*before)->pending) {
    depth_delta_[(*before)->destination] += (*after)->pending ? 1 : -1;
  }
  return OkStatus();
}

Status SqliteStore::ApplyDepth() {
  auto& s = *stmts_;
  for (const auto& [destination, delta] : depth_delta_) {
    if (delta == 0) continue;
    {
      ResetGuard g{s.depth_add};
      s.depth_add.Text(1, destination);
      s.depth_add.Int(2, delta);
      if (int rc = s.depth_add.Step(); rc != SQLITE_DONE) return Fail("count pending rows", rc);
    }
    if (sqlite3_changes(db_) > 0) continue;
    ResetGuard g{s.depth_insert};
    s.depth_insert.Text(1, destination);
    s.depth_insert.Int(2, delta);
    if (int rc = s.depth_insert.Step(); rc != SQLITE_DONE) return Fail("count pending rows", rc);
  }
  depth_delta_.clear();
  return OkStatus();
}

Status SqliteStore::InsertEvent(const EventRecord& e) {
  auto& s = *stmts_;
  // The core's duplicate check ran before (StoredBodies); events has no unique index on the id
  // any more (schema v14), so the batch's promise is checked here: against the recent ids (an
  // id twice in one batch), and against event_ids unless that check found the id absent.
  Result<std::optional<int64_t>> stored =
      checked_absent_.count(e.event_id) ? recent_ids_.Find(e.event_id) : EventRowOf(e.event_id);
  if (!stored) return stored.as_error();
  if (*stored) {
    return Error{"store " + path_ + ": event " + e.event_id +
                     " is already stored; a write batch holds only new events",
                 ErrorCode::kInvalidArgument};
  }
  {
    ResetGuard g{s.insert_event};
    s.insert_event.Text(1, e.event_id);
    s.insert_event.Text(2, e.kind);
    s.insert_event.Text(3, e.case_id);
    s.insert_event.Text(4, e.sender_hsa_id);
    s.insert_event.Int(5, e.schema_version);
    s.insert_event.Int(6, e.occurred_at_us);
    s.insert_event.Int(7, e.received_at_us);
    s.insert_event.Blob(8, e.body);
    if (e.patient_key.empty()) s.insert_event.Null(9); else s.insert_event.Digest(9, e.patient_key);
    if (int rc = s.insert_event.Step(); rc != SQLITE_DONE) return Fail("insert event", rc);
  }
  const sqlite3_int64 event_rowid = sqlite3_last_insert_rowid(db_);
  {
    ResetGuard g{s.insert_recent_id};
    s.insert_recent_id.Int(1, event_rowid);
    s.insert_recent_id.Text(2, e.event_id);
    if (int rc = s.insert_recent_id.Step(); rc != SQLITE_DONE) return Fail("insert event id", rc);
  }
  recent_ids_.Add(e.event_id, event_rowid);
  ++events_since_flush_;
  if (e.destinations.empty()) return OkStatus();
  // One writer, one transaction: the rows get consecutive seqs, which the event records
  // (schema v4: this replaces an index on the random event id).
  sqlite3_int64 first_seq = 0;
  for (const auto& dest : e.destinations) {
    ResetGuard g{s.insert_outbox};
    if (auto numbered = BindOutboxSeq(s.insert_outbox, 5); !numbered) return numbered.as_error();
    s.insert_outbox.Text(1, dest);
    s.insert_outbox.Int(2, e.received_at_us);
    const auto i = static_cast<std::size_t>(&dest - e.destinations.data());
    const int64_t receipt_due = i < e.receipt_due_at_us.size() ? e.receipt_due_at_us[i] : 0;
    if (receipt_due > 0) s.insert_outbox.Int(3, receipt_due); else s.insert_outbox.Null(3);
    s.insert_outbox.Int(4, event_rowid);
    if (int rc = s.insert_outbox.Step(); rc != SQLITE_DONE) return Fail("insert outbox", rc);
    ++depth_delta_[dest];
    const sqlite3_int64 seq = sqlite3_last_insert_rowid(db_);
    if (batch_first_outbox_seq_ == 0) batch_first_outbox_seq_ = seq;
    if (first_seq == 0) {
      first_seq = seq;
    } else if (seq != first_seq + static_cast<sqlite3_int64>(&dest - e.destinations.data())) {
      return Error{"store " + path_ + ": outbox rows of event " + e.event_id +
                       " did not get consecutive seqs",
                   ErrorCode::kInternal};
    }
  }
  ResetGuard g{s.event_outbox};
  s.event_outbox.Int(1, first_seq);
  s.event_outbox.Int(2, static_cast<int64_t>(e.destinations.size()));
  s.event_outbox.Int(3, event_rowid);
  if (int rc = s.event_outbox.Step(); rc != SQLITE_DONE) return Fail("record outbox of event", rc);
  return OkStatus();
}

Status SqliteStore::InsertDeadLetter(const DeadLetterRecord& r) {
  auto& st = stmts_->insert_dead;
  ResetGuard g{st};
  st.Int(1, r.received_at_us);
  st.Text(2, r.address);
  if (r.event_id.empty()) st.Null(3); else st.Text(3, r.event_id);
  st.Text(4, r.reasons);
  st.Blob(5, r.body);
  st.Int(6, r.body_truncated ? 1 : 0);
  if (r.sender.empty()) st.Null(7); else st.Text(7, r.sender);
  st.Text(8, r.reason_key);
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("insert dead letter", rc);
  return OkStatus();
}

Status SqliteStore::MarkDelivered(const DeliveryMark& mark) {
  // The hot path: a row not delivered yet was pending unless it was dead, and is delivered now;
  // a row delivered already (a second acceptance) or gone stays as it is.
  bool was_pending = false;
  std::string destination;
  {
    // Read and reset before the update changes the row under it.
    auto& row = stmts_->undelivered_row;
    ResetGuard rg{row};
    row.Int(1, mark.seq);
    const int rc = row.Step();
    if (rc == SQLITE_DONE) return OkStatus();
    if (rc != SQLITE_ROW) return Fail("mark delivered", rc);
    was_pending = row.ColInt(1) != 0;
    if (was_pending) destination = row.ColText(0);
  }
  auto& st = stmts_->mark_delivered;
  ResetGuard g{st};
  st.Int(1, mark.at_us);
  st.Int(2, mark.seq);
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("mark delivered", rc);
  if (was_pending) --depth_delta_[destination];
  return OkStatus();
}

Status SqliteStore::RecordFailedAttempt(const FailedAttempt& f) {
  auto& s = *stmts_;
  if (f.withdraws_delivery) {
    bool changed = false;
    auto withdraw = [&]() -> Status {
      ResetGuard g{s.fail_delivered};
      s.fail_delivered.Int(1, f.attempt);
      s.fail_delivered.Text(2, f.reason);
      s.fail_delivered.Int(3, f.at_us);
      s.fail_delivered.Int(4, f.seq);
      if (int rc = s.fail_delivered.Step(); rc != SQLITE_DONE) return Fail("record dead letter", rc);
      changed = sqlite3_changes(db_) > 0;
      return OkStatus();
    };
    if (auto st = ChangeRow(f.seq, withdraw); !st) return st;
    if (!changed) return OkStatus();  // dead already: no second fallback
  } else {
    auto fail = [&]() -> Status {
      ResetGuard g{s.fail_attempt};
      s.fail_attempt.Int(1, f.attempt);
      if (f.dead || f.next_attempt_at_us == 0) s.fail_attempt.Null(2); else s.fail_attempt.Int(2, f.next_attempt_at_us);
      const std::string error = f.dead ? f.reason : f.outcome + (f.condition.empty() ? "" : ": " + f.condition) +
                                                        (f.description.empty() ? "" : ": " + f.description);
      s.fail_attempt.Text(3, error);
      if (f.dead) s.fail_attempt.Int(4, f.at_us); else s.fail_attempt.Null(4);
      s.fail_attempt.Int(5, f.seq);
      if (int rc = s.fail_attempt.Step(); rc != SQLITE_DONE) return Fail("record delivery attempt", rc);
      return OkStatus();
    };
    if (auto st = ChangeRow(f.seq, fail); !st) return st;
  }
  if (f.dead && !f.fallback_to.empty()) {
    auto added = InsertAddedRow(f.seq, f.event_id, f.case_id, f.fallback_to, f.fallback_cause,
                                f.at_us);
    if (!added) return added.as_error();
    ResetGuard g{s.set_fallback};
    s.set_fallback.Int(1, *added);
    s.set_fallback.Int(2, f.seq);
    if (int rc = s.set_fallback.Step(); rc != SQLITE_DONE) return Fail("record fallback", rc);
  }
  ResetGuard g{s.insert_attempt};
  s.insert_attempt.Int(1, f.seq);
  s.insert_attempt.Int(2, f.attempt);
  s.insert_attempt.Int(3, f.at_us);
  s.insert_attempt.Text(4, f.outcome);
  s.insert_attempt.Text(5, f.condition);
  s.insert_attempt.Text(6, f.description);
  if (int rc = s.insert_attempt.Step(); rc != SQLITE_DONE) return Fail("record delivery attempt", rc);
  return OkStatus();
}

Result<int64_t> SqliteStore::InsertAddedRow(int64_t of_seq, const std::string& event_id,
                                            const std::string& case_id, const std::string& to,
                                            const std::string& cause, int64_t at_us) {
  auto& s = *stmts_;
  // The event of the row it stands in for, or (a re-route) the one named.
  Result<std::optional<int64_t>> event_row = std::optional<int64_t>();
  if (of_seq) {
    ResetGuard g{s.outbox_event_row};
    s.outbox_event_row.Int(1, of_seq);
    const int rc = s.outbox_event_row.Step();
    if (rc == SQLITE_ROW) {
      event_row = std::optional<int64_t>(s.outbox_event_row.ColInt(0));
    } else if (rc != SQLITE_DONE) {
      return Fail("read outbox row", rc);
    }
  } else {
    event_row = EventRowOf(event_id);
  }
  if (!event_row) return event_row.as_error();
  if (!*event_row) {
    return Error{"store " + path_ + ": a row added for event " + event_id + " (row " +
                     std::to_string(of_seq) + "), which is not stored",
                 ErrorCode::kInvalidArgument};
  }
  int64_t seq = 0;
  {
    ResetGuard g{s.insert_outbox};
    if (auto numbered = BindOutboxSeq(s.insert_outbox, 5); !numbered) return numbered.as_error();
    s.insert_outbox.Text(1, to);
    s.insert_outbox.Int(2, at_us);
    s.insert_outbox.Null(3);
    s.insert_outbox.Int(4, **event_row);
    if (int rc = s.insert_outbox.Step(); rc != SQLITE_DONE) return Fail("insert added row", rc);
    ++depth_delta_[to];
    seq = sqlite3_last_insert_rowid(db_);
    if (batch_first_outbox_seq_ == 0) batch_first_outbox_seq_ = seq;
  }
  ResetGuard g{s.insert_added};
  s.insert_added.Int(1, seq);
  s.insert_added.Text(2, case_id);
  s.insert_added.Text(3, event_id);
  s.insert_added.Text(4, cause);
  if (of_seq) s.insert_added.Int(5, of_seq); else s.insert_added.Null(5);
  if (int rc = s.insert_added.Step(); rc != SQLITE_DONE) return Fail("insert added row", rc);
  return seq;
}

Status SqliteStore::RecordReceipt(const ReceiptMark& r) {
  auto event_row = EventRowOf(r.event_id);
  if (!event_row) return event_row.as_error();
  auto& st = stmts_->record_receipt;
  ResetGuard g{st};
  st.Text(1, r.event_id);
  // An event not stored has no rows of its own; rows added for it are matched by its id.
  st.Int(5, event_row->value_or(0));
  st.Text(2, r.destination);
  st.Int(3, r.at_us);
  st.Text(4, r.receipt_event_id);
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("record receipt", rc);
  return OkStatus();
}

Status SqliteStore::RecordReceiptTimeout(const ReceiptTimeout& t) {
  auto& s = *stmts_;
  if (t.postpone_to_us > 0) {
    ResetGuard g{s.postpone_receipt};
    s.postpone_receipt.Int(1, t.postpone_to_us);
    s.postpone_receipt.Int(2, t.seq);
    if (int rc = s.postpone_receipt.Step(); rc != SQLITE_DONE) return Fail("postpone receipt", rc);
    return OkStatus();
  }
  int64_t fallback_seq = 0;
  if (!t.fallback_to.empty()) {
    auto added = InsertAddedRow(t.seq, t.event_id, t.case_id, t.fallback_to, t.cause, t.at_us);
    if (!added) return added.as_error();
    fallback_seq = *added;
  }
  ResetGuard g{s.receipt_overdue};
  s.receipt_overdue.Int(1, t.at_us);
  if (fallback_seq) s.receipt_overdue.Int(2, fallback_seq); else s.receipt_overdue.Null(2);
  s.receipt_overdue.Int(3, t.seq);
  if (int rc = s.receipt_overdue.Step(); rc != SQLITE_DONE) return Fail("record missing receipt", rc);
  return OkStatus();
}

Status SqliteStore::ApplyAction(const OperatorActionRecord& a) {
  auto& s = *stmts_;
  int64_t seq = a.seq;
  auto step = [&](sqlite::Stmt& st, const char* what) -> Status {
    if (int rc = st.Step(); rc != SQLITE_DONE) return Fail(what, rc);
    return OkStatus();
  };
  if (a.action == "retry-dead") {
    auto revive = [&] {
      ResetGuard g{s.revive};
      s.revive.Int(1, a.seq);
      return step(s.revive, "revive delivery");
    };
    if (auto st = ChangeRow(a.seq, revive); !st) return st;
  } else if (a.action == "mark-delivered") {
    auto deliver = [&] {
      ResetGuard g{s.manual_delivery};
      s.manual_delivery.Int(1, a.at_us);
      s.manual_delivery.Text(2, a.operator_id);
      s.manual_delivery.Text(3, a.reason);
      s.manual_delivery.Int(4, a.seq);
      return step(s.manual_delivery, "mark delivered");
    };
    if (auto st = ChangeRow(a.seq, deliver); !st) return st;
  } else if (a.action == "reroute") {
    auto added = InsertAddedRow(0, a.event_id, a.case_id, a.destination,
                                "re-routed by " + a.operator_id + ": " + a.reason, a.at_us);
    if (!added) return added.as_error();
    seq = *added;
  } else if (a.action == "pause") {
    ResetGuard g{s.pause};
    s.pause.Text(1, a.destination);
    s.pause.Int(2, a.at_us);
    s.pause.Text(3, a.operator_id);
    s.pause.Text(4, a.reason);
    if (auto st = step(s.pause, "pause destination"); !st) return st;
  } else if (a.action == "resume") {
    ResetGuard g{s.resume};
    s.resume.Text(1, a.destination);
    if (auto st = step(s.resume, "resume destination"); !st) return st;
  } else {
    return Error{"store " + path_ + ": unknown operator action " + a.action,
                 ErrorCode::kInvalidArgument};
  }
  auto& st = s.insert_action;
  ResetGuard g{st};
  st.Int(1, a.at_us);
  st.Text(2, a.action);
  st.Text(3, a.destination);
  if (seq) st.Int(4, seq); else st.Null(4);
  if (a.event_id.empty()) st.Null(5); else st.Text(5, a.event_id);
  if (a.case_id.empty()) st.Null(6); else st.Text(6, a.case_id);
  st.Text(7, a.operator_id);
  st.Text(8, a.reason);
  return step(st, "record operator action");
}

Status SqliteStore::UpsertCase(const CaseUpdate& update) {
  auto& s = *stmts_;
  const CaseRecord& r = update.record;
  {
    ResetGuard g{s.upsert_case};
    s.upsert_case.Text(1, r.case_id);
    s.upsert_case.Text(2, r.kommunkod);
    s.upsert_case.Text(3, r.status);
    s.upsert_case.Int(4, r.updated_at_us);
    s.upsert_case.Int(5, r.liable ? 1 : 0);
    s.upsert_case.Int(6, r.provisional ? 1 : 0);
    s.upsert_case.Int(7, r.liability_days);
    s.upsert_case.Int(8, r.liability_amount_kr);
    s.upsert_case.Text(9, r.notes);
    if (r.next_evaluation_at_us) s.upsert_case.Int(10, r.next_evaluation_at_us); else s.upsert_case.Null(10);
    if (r.track.empty()) s.upsert_case.Null(11); else s.upsert_case.Text(11, r.track);
    if (r.paying_kommunkod.empty()) s.upsert_case.Null(12); else s.upsert_case.Text(12, r.paying_kommunkod);
    if (int rc = s.upsert_case.Step(); rc != SQLITE_DONE) return Fail("write case", rc);
  }
  // Only the deadlines that changed are written: a case is rewritten with every event and every
  // timer, most of its deadlines as they were, and an untouched row leaves its table and index
  // pages (deadlines_by_due and the other partial indexes) clean, so the commit writes fewer
  // pages to the log.
  std::map<std::string, DeadlineRecord> stored;
  {
    auto& st = s.case_deadlines;
    ResetGuard g{st};
    st.Text(1, r.case_id);
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      DeadlineRecord d;
      d.deadline_id = st.ColText(0);
      d.rule = st.ColText(1);
      d.due_at_us = st.ColInt(2);
      d.state = st.ColText(3);
      d.met_at_us = st.ColInt(4);
      stored.emplace(d.deadline_id, std::move(d));
    }
    if (rc != SQLITE_DONE) return Fail("read deadlines", rc);
  }
  auto bind = [&](sqlite::Stmt& st, const DeadlineRecord& d) {
    st.Text(1, r.case_id);
    st.Text(2, d.deadline_id);
    st.Text(3, d.rule);
    if (d.due_at_us) st.Int(4, d.due_at_us); else st.Null(4);
    st.Text(5, d.state);
    if (d.met_at_us) st.Int(6, d.met_at_us); else st.Null(6);
  };
  for (const auto& d : update.deadlines) {
    sqlite::Stmt* st = &s.insert_deadline;
    if (auto it = stored.find(d.deadline_id); it != stored.end()) {
      const DeadlineRecord& was = it->second;
      const bool same = was.rule == d.rule && was.due_at_us == d.due_at_us &&
                        was.state == d.state && was.met_at_us == d.met_at_us;
      stored.erase(it);
      if (same) continue;
      st = &s.update_deadline;
    }
    ResetGuard g{*st};
    bind(*st, d);
    if (int rc = st->Step(); rc != SQLITE_DONE) return Fail("write deadlines", rc);
  }
  // What the case no longer has (a deadline that no longer applies).
  for (const auto& [id, was] : stored) {
    auto& st = s.delete_deadline;
    ResetGuard g{st};
    st.Text(1, r.case_id);
    st.Text(2, id);
    if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("write deadlines", rc);
  }
  return OkStatus();
}

Status SqliteStore::AppendAudit(const AuditRecord& r) {
  auto& st = stmts_->insert_audit;
  ResetGuard g{st};
  st.Int(1, r.seq);
  st.Int(2, r.at_us);
  st.Text(3, r.actor_kind);
  st.Text(4, r.actor);
  st.Text(5, r.organisation);
  st.Text(6, r.action);
  st.Text(7, r.case_id);
  st.Digest(8, r.patient_key);
  st.Text(9, r.what);
  st.Text(10, r.ref);
  st.Digest(11, r.prev_hash);
  st.Digest(12, r.hash);
  // A seq already taken means the core's head is not the store's: refuse rather than fork.
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("append to the audit log", rc);
  return OkStatus();
}

Status SqliteStore::SealAudit(const AuditRecord& r) {
  auto& st = stmts_->seal_audit;
  ResetGuard g{st};
  st.Digest(1, r.patient_key);
  st.Digest(2, r.prev_hash);
  st.Digest(3, r.hash);
  st.Int(4, r.seq);
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("seal the audit log", rc);
  return OkStatus();
}

}  // namespace slussen
