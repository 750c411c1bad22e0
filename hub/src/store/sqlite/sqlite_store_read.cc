// SqliteStore's reads for the core: the classification lookup, the outbox, cases.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite/sqlite_statements.h"

namespace slussen {

using sqlite::ResetGuard;

Result<std::map<std::string, std::string>> SqliteStore::StoredBodies(
    const std::vector<std::string>& event_ids) {
  std::map<std::string, std::string> found;
  if (event_ids.empty()) return found;
  auto& s = *stmts_;
  // One read transaction for all lookups rather than one per statement (each takes and drops
  // the WAL read lock).
  const bool snapshot = event_ids.size() > 1;
  if (snapshot) {
    ResetGuard g{s.begin_read};
    if (int rc = s.begin_read.Step(); rc != SQLITE_DONE) return Fail("begin read", rc);
  }
  int rc = SQLITE_DONE;
  for (const auto& id : event_ids) {
    ResetGuard g{s.event_body};
    s.event_body.Text(1, id);
    rc = s.event_body.Step();
    if (rc == SQLITE_ROW) {
      found.emplace(id, s.event_body.ColBlob(0));
    } else if (rc != SQLITE_DONE) {
      break;
    }
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    Error e = Fail("read stored events", rc);
    Rollback();
    return e;
  }
  if (snapshot) {
    ResetGuard g{s.commit};
    if (int crc = s.commit.Step(); crc != SQLITE_DONE) {
      Error e = Fail("end read", crc);
      Rollback();
      return e;
    }
  }
  return found;
}

Result<std::vector<OutboxItem>> SqliteStore::PendingAfter(const std::string& destination,
                                                          int64_t after_seq, int limit) {
  auto& st = stmts_->pending_after;
  ResetGuard g{st};
  st.Text(1, destination);
  st.Int(2, after_seq);
  st.Int(3, limit);
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    OutboxItem item;
    item.seq = st.ColInt(0);
    item.destination = st.ColText(1);
    item.event_id = st.ColText(2);
    item.kind = st.ColText(3);
    item.case_id = st.ColText(4);
    item.schema_version = static_cast<uint32_t>(st.ColInt(5));
    item.body = st.ColBlob(6);
    out.push_back(std::move(item));
  }
  if (rc != SQLITE_DONE) return Fail("read outbox", rc);
  return out;
}

Result<std::vector<OutboxItem>> SqliteStore::PendingBySeq(int64_t seq) {
  auto& st = stmts_->pending_by_seq;
  ResetGuard g{st};
  st.Int(1, seq);
  std::vector<OutboxItem> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back({st.ColInt(0), st.ColText(1), st.ColText(2), st.ColText(3), st.ColText(4),
                   static_cast<uint32_t>(st.ColInt(5)), st.ColBlob(6)});
  }
  if (rc != SQLITE_DONE) return Fail("read outbox", rc);
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

Result<std::vector<CaseEventRow>> SqliteStore::CaseEvents(const std::string& case_id) {
  auto& st = stmts_->case_events;
  ResetGuard g{st};
  st.Text(1, case_id);
  std::vector<CaseEventRow> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColBlob(0), st.ColInt(1)});
  if (rc != SQLITE_DONE) return Fail("read case events", rc);
  return out;
}

Result<std::vector<std::string>> SqliteStore::OpenCaseIds() {
  auto& st = stmts_->open_cases;
  ResetGuard g{st};
  std::vector<std::string> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(st.ColText(0));
  if (rc != SQLITE_DONE) return Fail("read open cases", rc);
  return out;
}

}  // namespace slussen
