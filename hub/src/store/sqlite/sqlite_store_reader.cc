#include "store/sqlite/sqlite_store_reader.h"

#include <sqlite3.h>

#include <filesystem>
#include <set>
#include <system_error>

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_util.h"

namespace slussen {
namespace {

using sqlite::Stmt;

// How long a read waits for the hub's checkpointer to let go of the file (it holds it for a
// few milliseconds at most) before it reports the store as busy.
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Result<std::unique_ptr<SqliteStoreReader>> SqliteStoreReader::Open(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Error{"store " + path + ": no such file (the hub creates it when it first starts)",
                 ErrorCode::kNotFound};
  }
  auto opened = sqlite::OpenConnection(path, SQLITE_OPEN_READONLY);
  if (!opened) return opened.as_error();
  sqlite3* db = *opened;
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::unique_ptr<SqliteStoreReader> reader(new SqliteStoreReader(db, path));
  auto version = sqlite::UserVersion(db, path);
  if (!version) {
    Error e = version.as_error();
    if (e.code == ErrorCode::kCorruption) e.message += "; not a Slussen store, or a damaged one";
    return e;
  }
  const int want = static_cast<int>(SqliteMigrations().size());
  if (*version != want) {
    return Error{"store " + path + ": schema version " + std::to_string(*version) +
                     ", this build reads " + std::to_string(want),
                 ErrorCode::kFailedPrecondition};
  }
  return reader;
}

SqliteStoreReader::~SqliteStoreReader() { sqlite3_close(db_); }

Error SqliteStoreReader::Fail(const char* what, int rc) const {
  return sqlite::StoreError(path_, what, rc, db_);
}

Result<StoreStats> SqliteStoreReader::Stats() {
  StoreStats stats;
  Stmt q;
  int rc = q.Prepare(
      db_, "SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM dead_letters)");
  if (rc == SQLITE_OK) rc = q.Step();
  if (rc != SQLITE_ROW) return Fail("stats", rc);
  stats.events = q.ColInt(0);
  stats.dead_letters = q.ColInt(1);
  Stmt d;
  rc = d.Prepare(db_,
                 "SELECT destination, SUM(delivered_at_us IS NOT NULL), "
                 "SUM(delivered_at_us IS NULL AND dead_at_us IS NULL), "
                 "SUM(delivered_at_us IS NULL AND dead_at_us IS NOT NULL), "
                 "SUM(receipt_due_at_us IS NOT NULL) "
                 "FROM outbox GROUP BY destination ORDER BY destination");
  if (rc != SQLITE_OK) return Fail("stats", rc);
  while ((rc = d.Step()) == SQLITE_ROW) {
    stats.destinations.push_back(
        {d.ColText(0), d.ColInt(1), d.ColInt(2), d.ColInt(3), d.ColInt(4)});
  }
  if (rc != SQLITE_DONE) return Fail("stats", rc);
  stats.latched_reason = sqlite::ReadLatchMarker(path_);
  stats.full_reason = sqlite::ReadFullMarker(path_);
  auto bytes = sqlite::FilesBytes(path_);
  if (!bytes) return bytes.as_error();
  stats.bytes_on_disk = *bytes;
  return stats;
}

Result<int64_t> SqliteStoreReader::DeadLetterCount() {
  Stmt q;
  int rc = q.Prepare(db_, "SELECT COUNT(*) FROM dead_letters");
  if (rc == SQLITE_OK) rc = q.Step();
  if (rc != SQLITE_ROW) return Fail("count dead letters", rc);
  return q.ColInt(0);
}

Result<std::vector<CaseEventRow>> SqliteStoreReader::CaseEvents(const std::string& case_id) {
  Stmt st;
  int rc = st.Prepare(db_, sqlite::kCaseEventsSql);
  if (rc != SQLITE_OK) return Fail("read case events", rc);
  st.Text(1, case_id);
  std::vector<CaseEventRow> out;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColBlob(0), st.ColInt(1)});
  if (rc != SQLITE_DONE) return Fail("read case events", rc);
  return out;
}

Result<std::vector<DeliveryRow>> SqliteStoreReader::CaseDeliveries(const std::string& case_id) {
  // The events' own rows (their seq ranges) and the rows added later (fallbacks, re-routes).
  Stmt st;
  int rc = st.Prepare(
      db_,
      "WITH rows(seq, cause) AS ("
      " SELECT o.seq, '' FROM events e CROSS JOIN outbox o ON o.seq >= e.outbox_first_seq AND "
      "  o.seq < e.outbox_first_seq + e.outbox_count WHERE e.case_id = ?1 "
      " UNION ALL SELECT seq, cause FROM outbox_added WHERE case_id = ?1) "
      "SELECT e.event_id, o.destination, o.delivered_at_us, o.attempts, o.last_error, "
      " o.dead_at_us, o.receipt_due_at_us, o.receipt_overdue_at_us, o.receipt_at_us, "
      " (SELECT f.destination FROM outbox f WHERE f.seq = o.fallback_seq), rows.cause, "
      " o.manual_by, o.manual_reason, o.seq "
      "FROM rows JOIN outbox o ON o.seq = rows.seq JOIN events e ON e.id = o.event_row "
      "ORDER BY o.seq");
  if (rc != SQLITE_OK) return Fail("read case deliveries", rc);
  st.Text(1, case_id);
  std::vector<DeliveryRow> out;
  std::vector<int64_t> seqs;  // of out's rows
  while ((rc = st.Step()) == SQLITE_ROW) {
    DeliveryRow row;
    row.event_id = st.ColText(0);
    row.destination = st.ColText(1);
    row.delivered_at_us = st.ColInt(2);
    row.attempts = static_cast<int>(st.ColInt(3));
    row.last_error = st.ColText(4);
    row.dead_at_us = st.ColInt(5);
    row.receipt_due_at_us = st.ColInt(6);
    row.receipt_overdue_at_us = st.ColInt(7);
    row.receipt_at_us = st.ColInt(8);
    row.fallback_to = st.ColText(9);
    row.added_cause = st.ColText(10);
    row.manual_by = st.ColText(11);
    row.manual_reason = st.ColText(12);
    seqs.push_back(st.ColInt(13));
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return Fail("read case deliveries", rc);
  Stmt actions;
  rc = actions.Prepare(db_,
                       "SELECT seq, at_us, action, operator, reason FROM delivery_actions "
                       "WHERE case_id = ? AND seq IS NOT NULL ORDER BY id");
  if (rc != SQLITE_OK) return Fail("read delivery actions", rc);
  actions.Text(1, case_id);
  while ((rc = actions.Step()) == SQLITE_ROW) {
    const int64_t seq = actions.ColInt(0);
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      if (seqs[i] == seq) {
        out[i].actions.push_back(
            {actions.ColInt(1), actions.ColText(2), actions.ColText(3), actions.ColText(4)});
      }
    }
  }
  if (rc != SQLITE_DONE) return Fail("read delivery actions", rc);
  return out;
}

Result<std::optional<StoredCase>> SqliteStoreReader::Case(const std::string& case_id) {
  // Both reads in one snapshot, so the deadlines belong to the row.
  if (int rc = sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr); rc != SQLITE_OK) {
    return Fail("read case", rc);
  }
  // Declared before the statements, so that they are finalized before the snapshot ends.
  struct EndRead {
    sqlite3* db;
    ~EndRead() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
  } end_read{db_};
  Stmt row, deadlines;
  int rc;
  rc = row.Prepare(db_,
                   "SELECT case_id, kommunkod, status, updated_at_us, liable, provisional, "
                   "liability_days, liability_amount_kr, notes, coalesce(paying_kommunkod, ''), "
                   "coalesce(track, '') FROM cases WHERE case_id = ?");
  if (rc != SQLITE_OK) return Fail("read case", rc);
  row.Text(1, case_id);
  rc = row.Step();
  if (rc == SQLITE_DONE) return std::optional<StoredCase>();
  if (rc != SQLITE_ROW) return Fail("read case", rc);
  StoredCase c;
  c.record = {row.ColText(0), row.ColText(1), row.ColText(2), row.ColInt(3), row.ColInt(4) != 0,
              row.ColInt(5) != 0, row.ColInt(6), row.ColInt(7), row.ColText(8)};
  c.record.paying_kommunkod = row.ColText(9);
  c.record.track = row.ColText(10);
  rc = deadlines.Prepare(db_,
                         "SELECT deadline_id, rule, due_at_us, state, met_at_us FROM deadlines "
                         "WHERE case_id = ? ORDER BY deadline_id");
  if (rc != SQLITE_OK) return Fail("read deadlines", rc);
  deadlines.Text(1, case_id);
  while ((rc = deadlines.Step()) == SQLITE_ROW) {
    c.deadlines.push_back({deadlines.ColText(0), deadlines.ColText(1), deadlines.ColInt(2),
                           deadlines.ColText(3), deadlines.ColInt(4)});
  }
  if (rc != SQLITE_DONE) return Fail("read deadlines", rc);
  return std::optional<StoredCase>(std::move(c));
}

Result<std::vector<DeadDelivery>> SqliteStoreReader::DeadDeliveries(std::size_t limit,
                                                                    int64_t before_seq) {
  Stmt st;
  int rc = st.Prepare(
      db_,
      "SELECT o.seq, o.destination, e.event_id, e.kind, e.case_id, o.attempts, o.dead_at_us, "
      " o.last_error FROM outbox o INDEXED BY outbox_dead JOIN events e ON e.id = o.event_row "
      "WHERE o.dead_at_us IS NOT NULL AND o.delivered_at_us IS NULL AND o.seq < ?1 "
      "ORDER BY o.seq DESC LIMIT ?2");
  if (rc != SQLITE_OK) return Fail("read dead deliveries", rc);
  st.Int(1, before_seq > 0 ? before_seq : INT64_MAX);
  st.Int(2, static_cast<int64_t>(limit));
  std::vector<DeadDelivery> out;
  while ((rc = st.Step()) == SQLITE_ROW) {
    DeadDelivery d;
    d.seq = st.ColInt(0);
    d.destination = st.ColText(1);
    d.event_id = st.ColText(2);
    d.kind = st.ColText(3);
    d.case_id = st.ColText(4);
    d.attempts = static_cast<int>(st.ColInt(5));
    d.dead_at_us = st.ColInt(6);
    d.last_error = st.ColText(7);
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return Fail("read dead deliveries", rc);
  Stmt attempts;
  rc = attempts.Prepare(db_,
                        "SELECT attempt, at_us, outcome, condition, description "
                        "FROM delivery_attempts WHERE seq = ? ORDER BY attempt");
  if (rc != SQLITE_OK) return Fail("read delivery attempts", rc);
  for (auto& d : out) {
    attempts.Reset();
    attempts.Int(1, d.seq);
    while ((rc = attempts.Step()) == SQLITE_ROW) {
      d.history.push_back({static_cast<int>(attempts.ColInt(0)), attempts.ColInt(1),
                           attempts.ColText(2), attempts.ColText(3), attempts.ColText(4)});
    }
    if (rc != SQLITE_DONE) return Fail("read delivery attempts", rc);
  }
  return out;
}

Result<std::vector<CaseAtRisk>> SqliteStoreReader::CasesAtRisk(std::size_t limit,
                                                              int64_t done_late_since_us) {
  // Two ranked reads, each one row per case (its most urgent deadline): what is unmet now (on
  // deadlines_unmet, which holds only that), then, if there is room, what was missed and done
  // late recently (on deadlines_missed by due time). Missed-and-done-late deadlines stay in the
  // store for good, so the second read is bounded by time, not by the store's age.
  constexpr const char* kRanked =
      " first AS (SELECT *, row_number() OVER (PARTITION BY case_id ORDER BY urgency, due_at_us)"
      " AS n FROM ranked) "
      "SELECT f.case_id, c.kommunkod, c.status, c.liability_days, c.liability_amount_kr,"
      " f.deadline_id, f.rule, f.state, f.due_at_us, f.met_at_us,"
      " coalesce(c.paying_kommunkod, c.kommunkod), coalesce(c.track, '') "
      "FROM first f JOIN cases c ON c.case_id = f.case_id WHERE f.n = 1 "
      "ORDER BY f.urgency, c.liability_amount_kr DESC, f.due_at_us LIMIT ?1";
  const std::string unmet =
      std::string("WITH ranked AS (SELECT d.case_id, d.deadline_id, d.rule, d.state, d.due_at_us,"
                  " d.met_at_us, CASE WHEN d.state = 'missed' THEN 0 ELSE 1 END AS urgency"
                  " FROM deadlines d INDEXED BY deadlines_unmet"
                  " WHERE d.state IN ('missed', 'at-risk') AND d.met_at_us IS NULL),") +
      kRanked;
  const std::string done_late =
      std::string("WITH ranked AS (SELECT d.case_id, d.deadline_id, d.rule, d.state, d.due_at_us,"
                  " d.met_at_us, 2 AS urgency FROM deadlines d INDEXED BY deadlines_missed"
                  " WHERE d.state = 'missed' AND d.due_at_us >= ?2 AND d.met_at_us IS NOT NULL),") +
      kRanked;
  std::vector<CaseAtRisk> out;
  std::set<std::string> listed;
  for (const std::string* sql : {&unmet, &done_late}) {
    if (out.size() >= limit) break;
    Stmt st;
    int rc = st.Prepare(db_, sql->c_str());
    if (rc != SQLITE_OK) return Fail("read cases at risk", rc);
    // The done-late read may return cases already listed as unmet: ask for enough.
    st.Int(1, static_cast<int64_t>(sql == &unmet ? limit : limit - out.size() + listed.size()));
    if (sql == &done_late) st.Int(2, done_late_since_us);
    while ((rc = st.Step()) == SQLITE_ROW && out.size() < limit) {
      CaseAtRisk r;
      r.case_id = st.ColText(0);
      if (!listed.insert(r.case_id).second) continue;
      r.kommunkod = st.ColText(1);
      r.status = st.ColText(2);
      r.liability_days = st.ColInt(3);
      r.liability_amount_kr = st.ColInt(4);
      r.deadline_id = st.ColText(5);
      r.rule = st.ColText(6);
      r.state = st.ColText(7);
      r.due_at_us = st.ColInt(8);
      r.met_at_us = st.ColInt(9);
      r.paying_kommunkod = st.ColText(10);
      r.track = st.ColText(11);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Fail("read cases at risk", rc);
  }
  return out;
}

Result<std::vector<UnmetDeadlineCount>> SqliteStoreReader::UnmetDeadlineCounts() {
  Stmt st;
  int rc = st.Prepare(db_,
                      "SELECT rule, state, count(*) FROM deadlines INDEXED BY deadlines_unmet "
                      "WHERE state IN ('missed', 'at-risk') AND met_at_us IS NULL "
                      "GROUP BY rule, state ORDER BY rule, state");
  if (rc != SQLITE_OK) return Fail("count unmet deadlines", rc);
  std::vector<UnmetDeadlineCount> out;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColText(0), st.ColText(1), st.ColInt(2)});
  if (rc != SQLITE_DONE) return Fail("count unmet deadlines", rc);
  return out;
}

Result<std::pair<int64_t, int64_t>> SqliteStoreReader::UnmetCaseCounts() {
  Stmt st;
  int rc = st.Prepare(db_,
                      "SELECT state, count(DISTINCT case_id) FROM deadlines INDEXED BY "
                      "deadlines_unmet WHERE state IN ('missed', 'at-risk') AND met_at_us IS NULL "
                      "GROUP BY state");
  if (rc != SQLITE_OK) return Fail("count cases at risk", rc);
  std::pair<int64_t, int64_t> counts{0, 0};
  while ((rc = st.Step()) == SQLITE_ROW) {
    (st.ColText(0) == "missed" ? counts.first : counts.second) = st.ColInt(1);
  }
  if (rc != SQLITE_DONE) return Fail("count cases at risk", rc);
  return counts;
}

Result<std::vector<DestinationCount>> SqliteStoreReader::DeadLettersByDestination() {
  Stmt st;
  int rc = st.Prepare(db_,
                      "SELECT destination, count(*) FROM outbox INDEXED BY outbox_dead "
                      "WHERE dead_at_us IS NOT NULL AND delivered_at_us IS NULL "
                      "GROUP BY destination ORDER BY destination");
  if (rc != SQLITE_OK) return Fail("count dead letters", rc);
  std::vector<DestinationCount> out;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.ColText(0), st.ColInt(1)});
  if (rc != SQLITE_DONE) return Fail("count dead letters", rc);
  return out;
}

Result<std::vector<DeadlineOutcomeCount>> SqliteStoreReader::DeadlineOutcomes(int64_t from_us,
                                                                            int64_t to_us) {
  Stmt st;
  // The WHERE repeats the index's own condition word for word: SQLite uses a partial index
  // only when the query implies it, and INDEXED BY turns a plan without it into an error.
  int rc = st.Prepare(
      db_,
      "SELECT rule, sum(state = 'met'), sum(state = 'missed' AND met_at_us IS NOT NULL),"
      " sum(state = 'missed' AND met_at_us IS NULL) "
      "FROM deadlines INDEXED BY deadlines_by_due "
      "WHERE state IN ('met', 'missed') AND due_at_us >= ?1 AND due_at_us < ?2 "
      "GROUP BY rule ORDER BY rule");
  if (rc != SQLITE_OK) return Fail("read deadline outcomes", rc);
  st.Int(1, from_us);
  st.Int(2, to_us);
  std::vector<DeadlineOutcomeCount> out;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back({st.ColText(0), st.ColInt(1), st.ColInt(2), st.ColInt(3)});
  }
  if (rc != SQLITE_DONE) return Fail("read deadline outcomes", rc);
  return out;
}

}  // namespace slussen
