// SqliteStore's retention (hub/DESIGN.md "Audit log and retention"): what the next bounded purge
// batch covers, and the purge itself inside the batch's transaction. Statements are prepared per
// call: a purge runs at most a few times a second while there is a backlog, never on the hot path.
#include <sqlite3.h>

#include <string>
#include <utility>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_util.h"

namespace slussen {

using sqlite::Stmt;

namespace {

// The outbox rows of a case: its events' own seq ranges and the rows added later.
constexpr const char* kCaseSeqs =
    "(SELECT o.seq FROM events e JOIN outbox o ON o.seq >= e.outbox_first_seq AND "
    "o.seq < e.outbox_first_seq + e.outbox_count WHERE e.case_id = ?1 "
    "UNION SELECT seq FROM outbox_added WHERE case_id = ?1)";

}  // namespace

Result<PurgeWork> SqliteStore::RetentionDue(int64_t cases_before_us, int64_t audit_before_us,
                                            int limit) {
  PurgeWork work;
  if (cases_before_us > 0) {
    Stmt st;
    // On the partial index cases_closed (schema v9).
    int rc = st.Prepare(db_,
                        "SELECT case_id FROM cases WHERE status IN ('discharged', 'cancelled') "
                        "AND updated_at_us < ? AND next_evaluation_at_us IS NULL "
                        "ORDER BY updated_at_us LIMIT ?");
    if (rc != SQLITE_OK) return Fail("find cases to purge", rc);
    st.Int(1, cases_before_us);
    st.Int(2, limit);
    while ((rc = st.Step()) == SQLITE_ROW) work.cases.push_back(st.ColText(0));
    if (rc != SQLITE_DONE) return Fail("find cases to purge", rc);
    Stmt dl;
    rc = dl.Prepare(db_,
                    "SELECT id FROM dead_letters WHERE received_at_us < ? "
                    "ORDER BY received_at_us LIMIT ?");
    if (rc != SQLITE_OK) return Fail("find dead letters to purge", rc);
    dl.Int(1, cases_before_us);
    dl.Int(2, limit);
    while ((rc = dl.Step()) == SQLITE_ROW) work.dead_letters.push_back(dl.ColInt(0));
    if (rc != SQLITE_DONE) return Fail("find dead letters to purge", rc);
  }
  if (audit_before_us > 0) {
    Stmt st;
    // From the start of the chain: rows are in time order, so the first one not old enough ends
    // the purge. Unsealed rows (a migration not yet sealed) are never purged.
    int rc = st.Prepare(db_, "SELECT seq, hash, at_us FROM audit_log ORDER BY seq LIMIT ?");
    if (rc != SQLITE_OK) return Fail("find audit rows to purge", rc);
    st.Int(1, static_cast<int64_t>(limit) * 20);
    while ((rc = st.Step()) == SQLITE_ROW) {
      if (st.ColInt(2) >= audit_before_us) break;
      std::string hash = st.ColDigest(1);
      if (hash.empty()) break;
      if (!work.audit_through) work.first_audit_seq = st.ColInt(0);
      work.audit_through = AuditHead{st.ColInt(0), std::move(hash)};
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Fail("find audit rows to purge", rc);
  }
  return work;
}

Status SqliteStore::Purge(const PurgeWork& purge) {
  auto exec = [&](const std::string& sql, auto bind) -> Status {
    Stmt st;
    int rc = st.Prepare(db_, sql.c_str());
    if (rc != SQLITE_OK) return Fail("purge", rc);
    bind(st);
    if (rc = st.Step(); rc != SQLITE_DONE) return Fail("purge", rc);
    return OkStatus();
  };
  // Dependants first: the outbox rows are found through the events and outbox_added.
  const std::string per_case[] = {
      std::string("DELETE FROM delivery_attempts WHERE seq IN ") + kCaseSeqs,
      std::string("DELETE FROM outbox WHERE seq IN ") + kCaseSeqs,
      "DELETE FROM outbox_added WHERE case_id = ?1",
      "DELETE FROM delivery_actions WHERE case_id = ?1",
      "DELETE FROM event_ids WHERE event_id IN (SELECT event_id FROM events WHERE case_id = ?1)",
      "DELETE FROM event_ids_recent WHERE event_row IN (SELECT id FROM events WHERE case_id = ?1)",
      "DELETE FROM events WHERE case_id = ?1",
      "DELETE FROM deadlines WHERE case_id = ?1",
      "DELETE FROM cases WHERE case_id = ?1",
  };
  // Pending rows of a purged case (retention purges closed cases, which may still have some)
  // leave outbox_depth with them.
  const std::string pending_of_case =
      std::string("SELECT destination, COUNT(*) FROM outbox WHERE seq IN ") + kCaseSeqs +
      " AND delivered_at_us IS NULL AND dead_at_us IS NULL GROUP BY destination";
  Stmt pending;
  Stmt ids_of_case;
  if (!purge.cases.empty()) {
    if (int rc = pending.Prepare(db_, pending_of_case.c_str()); rc != SQLITE_OK) {
      return Fail("purge", rc);
    }
    if (int rc = ids_of_case.Prepare(db_, "SELECT event_id FROM events WHERE case_id = ?");
        rc != SQLITE_OK) {
      return Fail("purge", rc);
    }
  }
  // The rows about to go may be the newest: the next row is numbered above them (schema v15).
  if (!purge.cases.empty()) {
    if (auto s = RaiseOutboxSeqFloor(); !s) return s;
  }
  for (const auto& case_id : purge.cases) {
    {
      // Out of the duplicate check's memory too (a rollback reloads it from the table).
      sqlite::ResetGuard g{ids_of_case};
      ids_of_case.Text(1, case_id);
      int rc;
      while ((rc = ids_of_case.Step()) == SQLITE_ROW) recent_ids_.Erase(ids_of_case.ColText(0));
      if (rc != SQLITE_DONE) return Fail("purge", rc);
    }
    {
      sqlite::ResetGuard g{pending};
      pending.Text(1, case_id);
      int rc;
      while ((rc = pending.Step()) == SQLITE_ROW) {
        depth_delta_[pending.ColText(0)] -= pending.ColInt(1);
      }
      if (rc != SQLITE_DONE) return Fail("purge", rc);
    }
    for (const auto& sql : per_case) {
      if (auto s = exec(sql, [&](Stmt& st) { st.Text(1, case_id); }); !s) return s;
    }
  }
  for (int64_t id : purge.dead_letters) {
    if (auto s = exec("DELETE FROM dead_letters WHERE id = ?", [&](Stmt& st) { st.Int(1, id); });
        !s) {
      return s;
    }
  }
  if (purge.audit_through) {
    const AuditHead& a = *purge.audit_through;
    if (auto s = exec("DELETE FROM audit_log WHERE seq <= ?", [&](Stmt& st) { st.Int(1, a.seq); });
        !s) {
      return s;
    }
    const std::string seq = std::to_string(a.seq);
    if (auto s = exec("UPDATE audit_meta SET value = ? WHERE name = 'anchor_seq'",
                      [&](Stmt& st) { st.Text(1, seq); });
        !s) {
      return s;
    }
    if (auto s = exec("UPDATE audit_meta SET value = ? WHERE name = 'anchor_hash'",
                      [&](Stmt& st) { st.Text(1, a.hash); });
        !s) {
      return s;
    }
  }
  return OkStatus();
}

}  // namespace slussen
