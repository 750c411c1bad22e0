// SqliteStore's audit-log reads for the core (hub/DESIGN.md "Audit log and retention"): the head
// the core seals from, the rows migrated unsealed, the patient-key secret, and what a delivery
// discloses. The rows themselves are written with the batch (sqlite_store_write.cc).
#include <sqlite3.h>

#include <string>

#include "store/sqlite/sqlite_audit_rows.h"
#include "store/sqlite/sqlite_statements.h"
#include "store/sqlite/sqlite_store.h"

namespace slussen {

using sqlite::ResetGuard;
using sqlite::Stmt;

namespace {
const std::string kSecretName = "patient_key_secret";
}  // namespace

Result<AuditHead> SqliteStore::LastAuditRow() {
  Stmt st;
  int rc = st.Prepare(db_,
                      "SELECT seq, hash FROM (SELECT seq, hash FROM audit_log WHERE hash <> '' "
                      "ORDER BY seq DESC LIMIT 1) UNION ALL SELECT * FROM (SELECT CAST(a.value AS INTEGER), h.value "
                      "FROM audit_meta a, audit_meta h WHERE a.name = 'anchor_seq' AND "
                      "h.name = 'anchor_hash') LIMIT 1");
  if (rc != SQLITE_OK) return Fail("read the audit log's head", rc);
  rc = st.Step();
  if (rc != SQLITE_ROW) return Fail("read the audit log's head", rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
  return AuditHead{st.ColInt(0), st.ColDigest(1)};
}

Result<std::vector<AuditRecord>> SqliteStore::UnsealedAuditRows() {
  Stmt st;
  int rc = st.Prepare(db_, (std::string("SELECT ") + sqlite::kAuditColumns +
                            " FROM audit_log WHERE hash = '' ORDER BY seq")
                               .c_str());
  if (rc != SQLITE_OK) return Fail("read unsealed audit rows", rc);
  std::vector<AuditRecord> out;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(sqlite::AuditRowAt(st));
  if (rc != SQLITE_DONE) return Fail("read unsealed audit rows", rc);
  return out;
}

Result<std::string> SqliteStore::AuditKey(const std::string& made) {
  {
    Stmt put;
    int rc = put.Prepare(db_, "INSERT OR IGNORE INTO audit_meta(name, value) VALUES (?, ?)");
    if (rc != SQLITE_OK) return Fail("keep the audit key", rc);
    put.Text(1, kSecretName);
    put.Text(2, made);
    if (rc = put.Step(); rc != SQLITE_DONE) return Fail("keep the audit key", rc);
    // Outside the journal: made durable here, before any patient key derived from it is.
    if (sqlite3_changes(db_) > 0 && !projection_open_) {
      if (auto s = SyncDatabase(); !s) return s.as_error();
    }
  }
  Stmt get;
  int rc = get.Prepare(db_, "SELECT value FROM audit_meta WHERE name = ?");
  if (rc != SQLITE_OK) return Fail("read the audit key", rc);
  get.Text(1, kSecretName);
  if (rc = get.Step(); rc != SQLITE_ROW) return Fail("read the audit key", rc);
  return get.ColText(0);
}

Result<std::map<std::string, std::string>> SqliteStore::FirstBodies(
    const std::vector<std::string>& case_ids) {
  std::map<std::string, std::string> out;
  Stmt st;
  // On events_by_case: the case's first event by rowid, one row read per case.
  int rc = st.Prepare(db_, "SELECT body FROM events WHERE case_id = ? ORDER BY rowid LIMIT 1");
  if (rc != SQLITE_OK) return Fail("read a case's first event", rc);
  for (const auto& case_id : case_ids) {
    ResetGuard g{st};
    st.Text(1, case_id);
    rc = st.Step();
    if (rc == SQLITE_ROW) {
      out.emplace(case_id, st.ColBlob(0));
    } else if (rc != SQLITE_DONE) {
      return Fail("read a case's first event", rc);
    }
  }
  return out;
}

Result<std::vector<OutboxDisclosure>> SqliteStore::Disclosures(const std::vector<int64_t>& seqs) {
  std::vector<OutboxDisclosure> out;
  if (seqs.empty()) return out;
  const bool snapshot = seqs.size() > 1;
  if (snapshot) {
    if (auto s = BeginRead(); !s) return s.as_error();
  }
  auto read = [&]() -> Status {
    auto& st = stmts_->disclosure;
    for (int64_t seq : seqs) {
      ResetGuard g{st};
      st.Int(1, seq);
      const int rc = st.Step();
      if (rc == SQLITE_ROW) {
        out.push_back({st.ColInt(0), st.ColText(1), st.ColText(2), st.ColText(3), st.ColText(4),
                       st.ColBlob(5), st.ColInt(6) != 0});
      } else if (rc != SQLITE_DONE) {
        return Fail("read what a delivery discloses", rc);
      }
    }
    return OkStatus();
  };
  Status s = read();
  if (snapshot) s = EndRead(std::move(s));
  if (!s) return s.as_error();
  return out;
}

}  // namespace slussen
