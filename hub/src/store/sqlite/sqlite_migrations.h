#pragma once
// The store's schema, as an ordered list of migrations. Migration i (0-based) takes the database
// from user_version i to i+1. Never edit a published migration: append a new one.
#include <vector>

namespace slussen {

inline const std::vector<const char*>& SqliteMigrations() {
  static const std::vector<const char*> migrations = {
      // 1: events journal, per-destination outbox, dead letters.
      R"sql(
CREATE TABLE events (
  event_id        TEXT PRIMARY KEY,
  kind            TEXT NOT NULL,
  case_id         TEXT NOT NULL,
  sender_hsa_id   TEXT NOT NULL,
  schema_version  INTEGER NOT NULL,
  occurred_at_us  INTEGER NOT NULL,
  received_at_us  INTEGER NOT NULL,
  body            BLOB NOT NULL
);
CREATE INDEX events_by_case ON events(case_id);
CREATE TABLE outbox (
  seq              INTEGER PRIMARY KEY,
  destination      TEXT NOT NULL,
  event_id         TEXT NOT NULL,
  enqueued_at_us   INTEGER NOT NULL,
  delivered_at_us  INTEGER
);
CREATE INDEX outbox_pending ON outbox(destination, seq) WHERE delivered_at_us IS NULL;
CREATE INDEX outbox_by_event ON outbox(event_id);
CREATE TABLE dead_letters (
  id              INTEGER PRIMARY KEY,
  received_at_us  INTEGER NOT NULL,
  address         TEXT NOT NULL,
  event_id        TEXT,
  reasons         TEXT NOT NULL,
  body            BLOB NOT NULL,
  body_truncated  INTEGER NOT NULL DEFAULT 0
);
)sql",
      // 2: case tracking under lag 2017:612 (derived from events; rebuilt on every change).
      R"sql(
CREATE TABLE cases (
  case_id              TEXT PRIMARY KEY,
  kommunkod            TEXT NOT NULL,
  status               TEXT NOT NULL,
  updated_at_us        INTEGER NOT NULL,
  liable               INTEGER NOT NULL,
  provisional          INTEGER NOT NULL,
  liability_days       INTEGER NOT NULL,
  liability_amount_kr  INTEGER NOT NULL,
  notes                TEXT NOT NULL
);
CREATE INDEX cases_by_kommun ON cases(kommunkod, status);
CREATE TABLE deadlines (
  case_id      TEXT NOT NULL,
  deadline_id  TEXT NOT NULL,
  rule         TEXT NOT NULL,
  due_at_us    INTEGER,
  state        TEXT NOT NULL,
  met_at_us    INTEGER,
  PRIMARY KEY (case_id, deadline_id)
);
CREATE INDEX deadlines_open ON deadlines(due_at_us) WHERE met_at_us IS NULL;
)sql",
      // 3: fewer pages written per event (15.5 -> ~10 at one event per commit, measured with
      // slussen-bench; see hub/DESIGN.md "Store schema"). cases and deadlines become WITHOUT
      // ROWID tables, so a case update rewrites one b-tree page instead of a table page, its old
      // row's page and an index page; the two secondary indexes nothing queried yet are dropped
      // (the dashboard adds what it needs).
      R"sql(
CREATE TABLE cases_v3 (
  case_id              TEXT PRIMARY KEY,
  kommunkod            TEXT NOT NULL,
  status               TEXT NOT NULL,
  updated_at_us        INTEGER NOT NULL,
  liable               INTEGER NOT NULL,
  provisional          INTEGER NOT NULL,
  liability_days       INTEGER NOT NULL,
  liability_amount_kr  INTEGER NOT NULL,
  notes                TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO cases_v3 SELECT case_id, kommunkod, status, updated_at_us, liable, provisional,
  liability_days, liability_amount_kr, notes FROM cases;
DROP TABLE cases;
ALTER TABLE cases_v3 RENAME TO cases;
CREATE TABLE deadlines_v3 (
  case_id      TEXT NOT NULL,
  deadline_id  TEXT NOT NULL,
  rule         TEXT NOT NULL,
  due_at_us    INTEGER,
  state        TEXT NOT NULL,
  met_at_us    INTEGER,
  PRIMARY KEY (case_id, deadline_id)
) WITHOUT ROWID;
INSERT INTO deadlines_v3 SELECT case_id, deadline_id, rule, due_at_us, state, met_at_us
  FROM deadlines;
DROP TABLE deadlines;
ALTER TABLE deadlines_v3 RENAME TO deadlines;
)sql",
      // 4: one random-key index fewer per event. outbox_by_event (keyed by the random event id,
      // so each event of a batch dirtied its own leaf page) is replaced by the event's own
      // record of where its outbox rows are: InsertEvent writes them right after the event, so
      // they are the consecutive seqs [outbox_first_seq, outbox_first_seq + outbox_count).
      // seq is an INTEGER PRIMARY KEY (a rowid alias), stable under VACUUM.
      R"sql(
ALTER TABLE events ADD COLUMN outbox_first_seq INTEGER;
ALTER TABLE events ADD COLUMN outbox_count INTEGER NOT NULL DEFAULT 0;
UPDATE events SET
  outbox_first_seq = (SELECT min(seq) FROM outbox o WHERE o.event_id = events.event_id),
  outbox_count = (SELECT count(*) FROM outbox o WHERE o.event_id = events.event_id);
DROP INDEX outbox_by_event;
)sql",
      // 5: the time at which time alone may next change a case's deadline states or liability,
      // so that the core re-evaluates exactly the cases that are due (cases/next_evaluation.h)
      // instead of every open case on a beat. NULL: nothing left that time can change. The
      // partial index holds only cases that need it. Cases stored before v5 are all due once.
      R"sql(
ALTER TABLE cases ADD COLUMN next_evaluation_at_us INTEGER;
UPDATE cases SET next_evaluation_at_us = 1 WHERE status <> 'cancelled';
CREATE INDEX cases_by_next_evaluation ON cases(next_evaluation_at_us)
  WHERE next_evaluation_at_us IS NOT NULL;
)sql",
      // 6: delivery that survives a restart and ends (hub/DESIGN.md "Delivery"). Each outbox row
      // keeps its failed attempts, when it may be tried next and its last error; a row whose
      // retries ended is dead (dead_at_us) and leaves the pending index; every failed attempt
      // is kept with the receiver's own condition. Nothing here is written while deliveries
      // succeed: the happy path costs what it cost in v5.
      R"sql(
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at_us INTEGER;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN dead_at_us INTEGER;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox(destination, seq)
  WHERE delivered_at_us IS NULL AND dead_at_us IS NULL;
CREATE TABLE delivery_attempts (
  seq          INTEGER NOT NULL,
  attempt      INTEGER NOT NULL,
  at_us        INTEGER NOT NULL,
  outcome      TEXT NOT NULL,
  condition    TEXT NOT NULL,
  description  TEXT NOT NULL,
  PRIMARY KEY (seq, attempt)
) WITHOUT ROWID;
-- Receipts: a row of a destination that confirms with a Receipt waits for it until
-- receipt_due_at_us (indexed only while it waits); then the fallback row, if any, is
-- fallback_seq. receipt_at_us: when the matching Receipt was stored, even after a fallback.
ALTER TABLE outbox ADD COLUMN receipt_due_at_us INTEGER;
ALTER TABLE outbox ADD COLUMN receipt_at_us INTEGER;
ALTER TABLE outbox ADD COLUMN receipt_event_id TEXT;
ALTER TABLE outbox ADD COLUMN receipt_overdue_at_us INTEGER;
ALTER TABLE outbox ADD COLUMN fallback_seq INTEGER;
CREATE INDEX outbox_awaiting_receipt ON outbox(receipt_due_at_us)
  WHERE receipt_due_at_us IS NOT NULL;
-- Outbox rows added to an event after it was stored (a fallback, an operator's re-route): they
-- are outside the event's own seq range, so they are found by case and by event here.
CREATE TABLE outbox_added (
  seq       INTEGER PRIMARY KEY,
  case_id   TEXT NOT NULL,
  event_id  TEXT NOT NULL,
  cause     TEXT NOT NULL,
  of_seq    INTEGER
);
CREATE INDEX outbox_added_by_case ON outbox_added(case_id);
CREATE INDEX outbox_added_by_event ON outbox_added(event_id);
-- Operators' actions on delivery, each with who and why; a manual delivery is also on its row.
ALTER TABLE outbox ADD COLUMN manual_by TEXT;
ALTER TABLE outbox ADD COLUMN manual_reason TEXT;
CREATE TABLE delivery_actions (
  id           INTEGER PRIMARY KEY,
  at_us        INTEGER NOT NULL,
  action       TEXT NOT NULL,
  destination  TEXT NOT NULL,
  seq          INTEGER,
  event_id     TEXT,
  case_id      TEXT,
  operator     TEXT NOT NULL,
  reason       TEXT NOT NULL
);
CREATE INDEX delivery_actions_by_case ON delivery_actions(case_id) WHERE case_id IS NOT NULL;
-- Destinations an operator paused (a restart keeps them paused).
CREATE TABLE paused_destinations (
  destination  TEXT PRIMARY KEY,
  since_us     INTEGER NOT NULL,
  operator     TEXT NOT NULL,
  reason       TEXT NOT NULL
) WITHOUT ROWID;
)sql",
      // 7: the dead letters an operator lists (the admin API), newest first, without reading the
      // whole outbox: only rows that are dead and not delivered since are in the index.
      R"sql(
CREATE INDEX outbox_dead ON outbox(seq) WHERE dead_at_us IS NOT NULL AND delivered_at_us IS NULL;
)sql",
      // 8: the admin API. Each read of a case's data by an operator, recorded in the transaction
      // before the data is answered (the patient's access-log extract reads it by case); the
      // cases at risk found without reading every deadline ever stored; and the monthly deviation
      // report (StoreReader::Deviations) by time, on partial indexes that hold only what went
      // wrong: missed deadlines, deliveries that died, receipts found overdue, inbound messages
      // rejected. None of these indexes is written while everything goes right. And the
      // dashboard's deadline outcomes per day (StoreReader::DeadlineOutcomes) without reading
      // every deadline ever stored: only deadlines with an outcome (met or missed) are in
      // deadlines_by_due, and it covers what the count needs, so a day's query reads that day's
      // entries and nothing else. This one is written as cases are rewritten with met deadlines.
      R"sql(
CREATE TABLE patient_data_reads (
  id        INTEGER PRIMARY KEY,
  at_us     INTEGER NOT NULL,
  operator  TEXT NOT NULL,
  what      TEXT NOT NULL,
  case_id   TEXT NOT NULL
);
CREATE INDEX patient_data_reads_by_case ON patient_data_reads(case_id, at_us);
CREATE INDEX deadlines_unmet ON deadlines(state, rule, case_id)
  WHERE state IN ('missed', 'at-risk') AND met_at_us IS NULL;
CREATE INDEX deadlines_missed ON deadlines(due_at_us) WHERE state = 'missed';
CREATE INDEX outbox_dead_at ON outbox(dead_at_us) WHERE dead_at_us IS NOT NULL;
CREATE INDEX outbox_receipt_overdue ON outbox(receipt_overdue_at_us)
  WHERE receipt_overdue_at_us IS NOT NULL;
-- Rejected inbound messages by sender and reason, by month.
ALTER TABLE dead_letters ADD COLUMN sender TEXT;
ALTER TABLE dead_letters ADD COLUMN reason_key TEXT;
CREATE INDEX dead_letters_by_time ON dead_letters(received_at_us);
CREATE INDEX deadlines_by_due ON deadlines(due_at_us, rule, state, met_at_us)
  WHERE state IN ('met', 'missed');
)sql",
      // 9: the audit log (hub/DESIGN.md "Audit log and retention"). Every disclosure of patient
      // data, appended in the transaction of the act, each row chained to the one before by its
      // hash. The core seals rows (seq, prev_hash, hash) with the head it keeps in memory; the
      // store only appends. patient_data_reads (v8) becomes the chain's first rows: copied here
      // unsealed (hash ''), sealed by the core at its first start on v9 (Core::SealMigratedAudit).
      // audit_meta: where the chain starts (the anchor: genesis, or the last purged row) and the
      // patient-key secret the hub made when the config names none. cases_closed: the retention
      // purge finds closed cases by age without reading the others.
      R"sql(
CREATE TABLE audit_log (
  seq           INTEGER PRIMARY KEY,
  at_us         INTEGER NOT NULL,
  actor_kind    TEXT NOT NULL,
  actor         TEXT NOT NULL,
  organisation  TEXT NOT NULL,
  action        TEXT NOT NULL,
  case_id       TEXT NOT NULL,
  patient_key   TEXT NOT NULL,
  what          TEXT NOT NULL,
  ref           TEXT NOT NULL,
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL
);
CREATE INDEX audit_by_patient ON audit_log(patient_key, seq) WHERE patient_key <> '';
CREATE INDEX audit_reads_by_case ON audit_log(case_id, seq) WHERE action = 'read';
CREATE TABLE audit_meta (
  name   TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO audit_meta(name, value) VALUES ('anchor_seq', '0'),
  ('anchor_hash', '0000000000000000000000000000000000000000000000000000000000000000');
INSERT INTO audit_log(seq, at_us, actor_kind, actor, organisation, action, case_id, patient_key,
  what, ref, prev_hash, hash)
  SELECT row_number() OVER (ORDER BY at_us, id), at_us, 'operator', operator, '', 'read', case_id,
    '', what, '', '', '' FROM patient_data_reads;
DROP TABLE patient_data_reads;
CREATE INDEX cases_closed ON cases(updated_at_us) WHERE status IN ('discharged', 'cancelled');
)sql",
      // 10: the case's planning track (Region Halland's samverkansrutin 2022: grönt, gult, rött;
      // NULL: none named) and the kommun that pays (5 kap. 2 §: the placing kommun when one
      // placed the patient in a särskild boendeform in another kommun; NULL for cases written
      // before v10, whose payer is their kommunkod), for the dashboard's case list. Cases are
      // rewritten with their next event or timer, which fills both in.
      R"sql(
ALTER TABLE cases ADD COLUMN track TEXT;
ALTER TABLE cases ADD COLUMN paying_kommunkod TEXT;
)sql",
      // 11: each event's patient key for the audit log (audit/patient_key.h), written with the
      // event, so that the disclosure row of each delivery needs neither a read of the body nor
      // its decoding. NULL for events stored before v11: their disclosures read the body as
      // before.
      R"sql(
ALTER TABLE events ADD COLUMN patient_key TEXT;
)sql",
      // 12: the last journal batch the database holds (hub/DESIGN.md "Durable write path"),
      // written in the same transaction as the batch's rows; a restart replays the journal's
      // batches after it.
      R"sql(
CREATE TABLE journal_applied(id INTEGER PRIMARY KEY CHECK (id = 1), batch INTEGER NOT NULL);
INSERT INTO journal_applied(id, batch) VALUES (1, 0);
)sql",
      // 13: the number of pending rows (neither delivered nor dead) per destination, so that the
      // statistics' depth is a read of a few rows instead of a count over the outbox (with 5M
      // events queued that count took 0.85 s of the core thread every 5 s: slussen-bench
      // backlog). The writer keeps it in the batch's transaction, one update per destination
      // per batch (SqliteStore::ApplyBatch); triggers cost a statement journal per row changed
      // (a third of the all-out throughput, 057ce30). Zero rows stay (a destination comes back).
      R"sql(
CREATE TABLE outbox_depth (
  destination  TEXT PRIMARY KEY,
  pending      INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO outbox_depth(destination, pending)
  SELECT destination, COUNT(*) FROM outbox
  WHERE delivered_at_us IS NULL AND dead_at_us IS NULL GROUP BY destination;
)sql",
      // 14: the duplicate check without a b-tree on the random event id in the write path
      // (hub/DESIGN.md "Event ids"). events loses its event_id primary key, whose index took
      // half of the pages SQLite wrote per event (each event of a flush dirtied a leaf of its
      // own) and gains an id that VACUUM keeps and no later event reuses (AUTOINCREMENT: a
      // merge drops the recent ids up to the highest it merged); the outbox refers to its event
      // by that id.
      // An event's id is found in event_ids (sorted, written in merges of tens of thousands of
      // ids at a time, so that a merge dirties each leaf once) or, until merged, in
      // event_ids_recent (appended in id order; the writer keeps it in memory too).
      R"sql(
CREATE TABLE events_v14 (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id         TEXT NOT NULL,
  kind             TEXT NOT NULL,
  case_id          TEXT NOT NULL,
  sender_hsa_id    TEXT NOT NULL,
  schema_version   INTEGER NOT NULL,
  occurred_at_us   INTEGER NOT NULL,
  received_at_us   INTEGER NOT NULL,
  body             BLOB NOT NULL,
  outbox_first_seq INTEGER,
  outbox_count     INTEGER NOT NULL DEFAULT 0,
  patient_key      TEXT
);
INSERT INTO events_v14(id, event_id, kind, case_id, sender_hsa_id, schema_version, occurred_at_us,
  received_at_us, body, outbox_first_seq, outbox_count, patient_key)
  SELECT rowid, event_id, kind, case_id, sender_hsa_id, schema_version, occurred_at_us,
  received_at_us, body, outbox_first_seq, outbox_count, patient_key FROM events ORDER BY rowid;
ALTER TABLE outbox ADD COLUMN event_row INTEGER;
UPDATE outbox SET event_row = (SELECT rowid FROM events WHERE events.event_id = outbox.event_id);
DROP TABLE events;
ALTER TABLE events_v14 RENAME TO events;
CREATE INDEX events_by_case ON events(case_id);
CREATE TABLE event_ids (
  event_id   TEXT PRIMARY KEY,
  event_row  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO event_ids(event_id, event_row) SELECT event_id, id FROM events ORDER BY event_id;
CREATE TABLE event_ids_recent (
  event_row  INTEGER PRIMARY KEY,
  event_id   TEXT NOT NULL
);
)sql",
      // 15: an outbox seq is never given twice (hub/DESIGN.md "Store schema"). A new row takes
      // the highest seq + 1, so a retention purge of the newest rows let the next row take a seq
      // that a destination's cursor had passed, and it waited for a restart. A purge keeps the
      // highest seq it saw here, in its own transaction (so that a replay numbers the rows the
      // same), and the next row is numbered above it (SqliteStore::BindOutboxSeq).
      R"sql(
CREATE TABLE outbox_seq_floor(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
INSERT INTO outbox_seq_floor(id, seq) VALUES (1, 0);
)sql",
      // 16: fewer bytes per event (hub/DESIGN.md "Store schema"). The audit log's hashes and
      // patient keys, and the events' patient keys, are kept as the 32 bytes they spell rather
      // than 64 hex digits (sqlite::Stmt::Digest; '' stays text, so the partial index still
      // leaves it out; slussen_digest is registered for this migration, SqliteStore::Migrate);
      // each delivery's audit row shrinks by a third. The audit log is converted, since its
      // patient index is searched by the packed key; older events keep their keys as text,
      // which ColDigest reads alike, so that the upgrade does not rewrite every event's page.
      // The outbox loses its copy of the event id: every reader joins the event's row
      // (event_row, v14) and takes the id from there.
      R"sql(
UPDATE audit_log SET patient_key = slussen_digest(patient_key),
  prev_hash = slussen_digest(prev_hash), hash = slussen_digest(hash);
ALTER TABLE outbox DROP COLUMN event_id;
)sql",
  };
  return migrations;
}

}  // namespace slussen
