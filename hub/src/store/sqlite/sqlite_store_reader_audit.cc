// SqliteStoreReader's reads of the audit log (hub/DESIGN.md "Audit log and retention"): the
// access log of a case, the chain for verification, a patient's rows for the loggutdrag.
#include <sqlite3.h>

#include <string>

#include "store/sqlite/sqlite_audit_rows.h"
#include "store/sqlite/sqlite_store_reader.h"

namespace slussen {

using sqlite::Stmt;

Result<std::vector<PatientDataRead>> SqliteStoreReader::PatientDataReads(
    const std::string& case_id, std::size_t limit) {
  Stmt st;
  // On the partial index audit_reads_by_case; one case's reads sorted by time.
  int rc = st.Prepare(db_,
                      "SELECT at_us, actor, what, case_id FROM audit_log "
                      "WHERE case_id = ?1 AND action = 'read' ORDER BY at_us, seq LIMIT ?2");
  if (rc != SQLITE_OK) return Fail("read the reads of patient data", rc);
  st.Text(1, case_id);
  st.Int(2, static_cast<int64_t>(limit));
  std::vector<PatientDataRead> out;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back({st.ColInt(0), st.ColText(1), st.ColText(2), st.ColText(3)});
  }
  if (rc != SQLITE_DONE) return Fail("read the reads of patient data", rc);
  return out;
}

Result<AuditHead> SqliteStoreReader::AuditAnchor() {
  Stmt st;
  int rc = st.Prepare(db_,
                      "SELECT CAST(a.value AS INTEGER), h.value FROM audit_meta a, audit_meta h "
                      "WHERE a.name = 'anchor_seq' AND h.name = 'anchor_hash'");
  if (rc != SQLITE_OK) return Fail("read the audit log's anchor", rc);
  rc = st.Step();
  if (rc == SQLITE_DONE) {
    return Error{"store " + path_ + ": the audit log has no anchor (audit_meta was changed)",
                 ErrorCode::kCorruption};
  }
  if (rc != SQLITE_ROW) return Fail("read the audit log's anchor", rc);
  return AuditHead{st.ColInt(0), st.ColText(1)};
}

Result<std::vector<AuditRecord>> SqliteStoreReader::AuditRowsAfter(int64_t after_seq, int limit) {
  Stmt st;
  int rc = st.Prepare(db_, (std::string("SELECT ") + sqlite::kAuditColumns +
                            " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")
                               .c_str());
  if (rc != SQLITE_OK) return Fail("read the audit log", rc);
  st.Int(1, after_seq);
  st.Int(2, limit);
  std::vector<AuditRecord> out;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(sqlite::AuditRowAt(st));
  if (rc != SQLITE_DONE) return Fail("read the audit log", rc);
  return out;
}

Result<std::optional<int64_t>> SqliteStoreReader::AuditRowAfterHash(const std::string& hash) {
  Stmt st;
  // No index on prev_hash (the hot path would pay for it): a scan, asked only once a verification
  // found the chain broken.
  int rc = st.Prepare(db_, "SELECT seq FROM audit_log WHERE prev_hash = ? ORDER BY seq LIMIT 1");
  if (rc != SQLITE_OK) return Fail("read the audit log", rc);
  st.Digest(1, hash);
  rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<int64_t>();
  if (rc != SQLITE_ROW) return Fail("read the audit log", rc);
  return std::optional<int64_t>(st.ColInt(0));
}

Result<std::vector<AuditRecord>> SqliteStoreReader::AuditRowsOfPatient(
    const std::string& patient_key, std::size_t limit) {
  std::vector<AuditRecord> out;
  if (patient_key.empty()) return out;
  Stmt st;
  // On the partial index audit_by_patient.
  int rc = st.Prepare(db_, (std::string("SELECT ") + sqlite::kAuditColumns +
                            " FROM audit_log WHERE patient_key = ? AND patient_key <> '' "
                            "ORDER BY seq LIMIT ?")
                               .c_str());
  if (rc != SQLITE_OK) return Fail("read the audit log", rc);
  st.Digest(1, patient_key);
  st.Int(2, static_cast<int64_t>(limit));
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(sqlite::AuditRowAt(st));
  if (rc != SQLITE_DONE) return Fail("read the audit log", rc);
  return out;
}

}  // namespace slussen
