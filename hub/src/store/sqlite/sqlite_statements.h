#pragma once
// The writer's prepared statements (SqliteStore's), prepared once at open and shared by its
// three source files: sqlite_store.cc (open, migrate, latch), sqlite_store_write.cc (Write),
// sqlite_store_read.cc (the core's reads). Internal to the SQLite backend.
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace slussen {

class SqliteStore::Statements {
 public:
  sqlite::Stmt begin, begin_read, commit, rollback, savepoint, release, rollback_to, set_applied, insert_event, event_outbox, event_body, insert_recent_id, event_row_of, outbox_event_row,
      insert_outbox, outbox_seq_floor, set_outbox_seq_floor, max_outbox_seq, insert_dead, undelivered_row, mark_delivered, pending_after, pending_by_seq, next_of_case,
      fail_attempt, insert_attempt, insert_added, record_receipt, postpone_receipt,
      receipt_overdue, due_receipts, next_receipt_due, outbox_row, fail_delivered, case_of_event,
      paused_destinations, insert_action, revive, manual_delivery, pause, resume, set_fallback,
      pending_summary, row_pending, depth_add, depth_insert,
      case_events, due_cases, next_case_evaluation, upsert_case, case_deadlines, update_deadline, delete_deadline,
      insert_deadline, insert_audit, seal_audit, disclosure;
};

}  // namespace slussen
