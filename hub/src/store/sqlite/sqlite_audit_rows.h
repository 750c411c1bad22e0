#pragma once
// The audit log's columns as the writer and the reader select them. Internal to the SQLite backend.
#include "api/audit_record.h"
#include "store/sqlite/sqlite_util.h"

namespace slussen::sqlite {

inline constexpr const char* kAuditColumns =
    "seq, at_us, actor_kind, actor, organisation, action, case_id, patient_key, what, ref, "
    "prev_hash, hash";

// The row `st` is on, selected with kAuditColumns first.
inline AuditRecord AuditRowAt(Stmt& st) {
  AuditRecord r;
  r.seq = st.ColInt(0);
  r.at_us = st.ColInt(1);
  r.actor_kind = st.ColText(2);
  r.actor = st.ColText(3);
  r.organisation = st.ColText(4);
  r.action = st.ColText(5);
  r.case_id = st.ColText(6);
  r.patient_key = st.ColDigest(7);
  r.what = st.ColText(8);
  r.ref = st.ColText(9);
  r.prev_hash = st.ColDigest(10);
  r.hash = st.ColDigest(11);
  return r;
}

}  // namespace slussen::sqlite
