// StoreReader::Deviations over SQLite: one statement, each part on a partial index of schema v8
// (or on a table that holds only exceptions), so that a month of a large region reads what went
// wrong in it and nothing else. How each category is dated is hub/DESIGN.md "Deviation report".
#include <sqlite3.h>

#include "store/sqlite/sqlite_store_reader.h"
#include "store/sqlite/sqlite_util.h"

namespace slussen {
namespace {

// Columns: category, at_us, case_id, kommunkod, deadline_id, rule, destination, fallback_to,
// sender, reason.
// ?1 and ?2 bound the dating instant, ?3 the rows.
constexpr const char* kDeviationsSql =
    // Missed deadlines, dated by their due time. The estimate-change routine is a category of its
    // own.
    // (Each estimate passed, or moved, by more than one dygn has its own id: the first is
    // 'andrat-utskrivningsdatum', the next ones 'andrat-utskrivningsdatum:<n>'.)
    "SELECT CASE WHEN d.deadline_id = 'andrat-utskrivningsdatum' "
    "  OR d.deadline_id LIKE 'andrat-utskrivningsdatum:%' "
    "  THEN 'estimate-change-not-notified' ELSE 'deadline-missed' END, d.due_at_us, d.case_id, "
    " coalesce(c.kommunkod, ''), d.deadline_id, d.rule, '', '', '', '' "
    "FROM deadlines d INDEXED BY deadlines_missed LEFT JOIN cases c ON c.case_id = d.case_id "
    "WHERE d.state = 'missed' AND d.due_at_us >= ?1 AND d.due_at_us < ?2 "
    // Missed with no known due time (no inskrivningsmeddelande at all, so no admission time):
    // dated by the case's first event, before which the admission lay.
    "UNION ALL SELECT 'deadline-missed', m.first_us, m.case_id, coalesce(c.kommunkod, ''), "
    " m.deadline_id, m.rule, '', '', '', '' FROM ("
    " SELECT d.case_id, d.deadline_id, d.rule, "
    "  (SELECT min(e.occurred_at_us) FROM events e WHERE e.case_id = d.case_id) AS first_us "
    " FROM deadlines d INDEXED BY deadlines_missed WHERE d.state = 'missed' AND d.due_at_us IS NULL"
    ") m LEFT JOIN cases c ON c.case_id = m.case_id WHERE m.first_us >= ?1 AND m.first_us < ?2 "
    // Deliveries that died (still dead, or delivered by hand since), dated by their death.
    "UNION ALL SELECT 'dead-letter', o.dead_at_us, e.case_id, coalesce(c.kommunkod, ''), '', '', "
    " o.destination, '', '', '' "
    "FROM outbox o INDEXED BY outbox_dead_at JOIN events e ON e.id = o.event_row "
    "LEFT JOIN cases c ON c.case_id = e.case_id "
    "WHERE o.dead_at_us >= ?1 AND o.dead_at_us < ?2 "
    // Deliveries that died and that an operator revived (which clears dead_at_us): dated by the
    // attempt that ended their retries, the last one before the revival. delivery_actions holds
    // operators' actions only.
    "UNION ALL SELECT 'dead-letter', r.died_us, r.case_id, coalesce(c.kommunkod, ''), '', '', "
    " r.destination, '', '', '' FROM ("
    " SELECT a.case_id, a.destination, "
    "  (SELECT max(t.at_us) FROM delivery_attempts t WHERE t.seq = a.seq AND t.at_us <= a.at_us) "
    "   AS died_us "
    " FROM delivery_actions a WHERE a.action = 'retry-dead' AND a.at_us >= ?1) r "
    "LEFT JOIN cases c ON c.case_id = r.case_id WHERE r.died_us >= ?1 AND r.died_us < ?2 "
    // Fallbacks (a letter or fax instead of, or beside, the IT path), dated by when the fallback
    // row was added. outbox_added holds only fallbacks and re-routes.
    "UNION ALL SELECT 'fallback', f.enqueued_at_us, a.case_id, coalesce(c.kommunkod, ''), '', '', "
    " o.destination, f.destination, '', '' "
    // CROSS JOIN: SQLite keeps outbox_added outside, never scanning the outbox for it.
    "FROM outbox_added a CROSS JOIN outbox f ON f.seq = a.seq "
    "CROSS JOIN outbox o ON o.seq = a.of_seq "
    "LEFT JOIN cases c ON c.case_id = a.case_id "
    "WHERE a.of_seq IS NOT NULL AND f.enqueued_at_us >= ?1 AND f.enqueued_at_us < ?2 "
    // Receipts the hub found overdue, dated by then: late if one came after, else missing.
    "UNION ALL SELECT CASE WHEN o.receipt_at_us IS NULL THEN 'receipt-missing' "
    "  ELSE 'receipt-late' END, o.receipt_overdue_at_us, e.case_id, coalesce(c.kommunkod, ''), "
    " '', '', o.destination, '', '', '' "
    "FROM outbox o INDEXED BY outbox_receipt_overdue JOIN events e ON e.id = o.event_row "
    "LEFT JOIN cases c ON c.case_id = e.case_id "
    "WHERE o.receipt_overdue_at_us >= ?1 AND o.receipt_overdue_at_us < ?2 "
    // Inbound messages rejected, by the sender they claimed and the reason's field, dated by
    // their arrival (dead_letters holds only rejections).
    "UNION ALL SELECT 'rejected', d.received_at_us, '', '', '', '', '', '', "
    " coalesce(d.sender, ''), coalesce(d.reason_key, '') "
    "FROM dead_letters d INDEXED BY dead_letters_by_time "
    "WHERE d.received_at_us >= ?1 AND d.received_at_us < ?2 "
    "ORDER BY 2, 3 LIMIT ?3";

}  // namespace

Result<std::vector<DeviationRow>> SqliteStoreReader::Deviations(int64_t from_us, int64_t to_us,
                                                                std::size_t limit) {
  sqlite::Stmt st;
  int rc = st.Prepare(db_, kDeviationsSql);
  if (rc != SQLITE_OK) return Fail("read deviations", rc);
  st.Int(1, from_us);
  st.Int(2, to_us);
  st.Int(3, static_cast<int64_t>(limit));
  std::vector<DeviationRow> out;
  while ((rc = st.Step()) == SQLITE_ROW) {
    DeviationRow r;
    r.category = st.ColText(0);
    r.at_us = st.ColInt(1);
    r.case_id = st.ColText(2);
    r.kommunkod = st.ColText(3);
    r.deadline_id = st.ColText(4);
    r.rule = st.ColText(5);
    r.destination = st.ColText(6);
    r.fallback_to = st.ColText(7);
    r.sender = st.ColText(8);
    r.reason = st.ColText(9);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return Fail("read deviations", rc);
  return out;
}

}  // namespace slussen
