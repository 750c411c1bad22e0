// SqliteStore's numbering of outbox rows (schema v15, hub/DESIGN.md "Store schema"): a seq is
// never given twice, not even after a retention purge took the newest rows away.
#include <sqlite3.h>

#include <algorithm>

#include "store/sqlite/sqlite_statements.h"
#include "store/sqlite/sqlite_store.h"

namespace slussen {

using sqlite::ResetGuard;

Status SqliteStore::LoadOutboxSeqFloor() {
  auto& st = stmts_->outbox_seq_floor;
  ResetGuard g{st};
  int rc = st.Step();
  if (rc != SQLITE_ROW) return Fail("read the outbox seq floor", rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
  outbox_seq_floor_ = st.ColInt(0);
  return OkStatus();
}

Result<int64_t> SqliteStore::HighestOutboxSeq() {
  auto& st = stmts_->max_outbox_seq;
  ResetGuard g{st};
  if (int rc = st.Step(); rc != SQLITE_ROW) return Fail("read the highest outbox seq", rc);
  return st.ColInt(0);
}

Status SqliteStore::SetOutboxSeqFloor(int64_t seq) {
  auto& st = stmts_->set_outbox_seq_floor;
  ResetGuard g{st};
  st.Int(1, seq);
  if (int rc = st.Step(); rc != SQLITE_DONE) return Fail("keep the outbox seq floor", rc);
  outbox_seq_floor_ = seq;
  return OkStatus();
}

Status SqliteStore::RaiseOutboxSeqFloor() {
  auto highest = HighestOutboxSeq();
  if (!highest) return highest.as_error();
  if (*highest <= outbox_seq_floor_) return OkStatus();
  return SetOutboxSeqFloor(*highest);
}

Status SqliteStore::BindOutboxSeq(sqlite::Stmt& insert, int index) {
  if (outbox_seq_floor_ == 0) {  // the usual case: SQLite's next, the highest + 1
    insert.Null(index);
    return OkStatus();
  }
  auto highest = HighestOutboxSeq();
  if (!highest) return highest.as_error();
  insert.Int(index, std::max(*highest, outbox_seq_floor_) + 1);
  return SetOutboxSeqFloor(0);  // the row is above the floor: the next ones follow it
}

}  // namespace slussen
