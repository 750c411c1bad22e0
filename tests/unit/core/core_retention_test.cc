// Retention (issue 13 item 7; hub/DESIGN.md "Audit log and retention"): with the clock moved past
// the periods, the core purges a closed case's data and old dead letters, then the audit log's
// oldest rows, in bounded batches, each purge on the audit log, the chain still verifying from
// the new anchor; open cases stay.
#include "audit/audit_verify.h"
#include "store/store_factory.h"
#include "unit/core/core_test_support.h"

namespace slussen::testing {
namespace {

using std::chrono::hours;

class CoreRetentionTest : public CoreTest {
 protected:
  CoreRetentionTest() {
    config_.audit.patient_key_secret = "the audit key of this test, at least thirty-two bytes";
    config_.audit.retain_cases = hours(24 * 30);
    config_.audit.retain_audit = hours(24 * 365);
    for (auto& s : config_.senders) {
      if (s.hsa_id == kTestHospital) s.may_send.insert(EventKind::kUtskrivningsmeddelande);
    }
    config_.routes.push_back({EventKind::kUtskrivningsmeddelande, true, false, {}});
  }
  v1::Envelope OfEpisode(EventKind kind, int n, const std::string& episode) {
    EnvelopeSpec spec;
    spec.event_id = EventId(n);
    spec.episode = episode;
    spec.now = kNow;
    return ValidEnvelope(kind, spec);
  }
  AuditVerdict Verify() {
    auto reader = OpenStoreReader({"sqlite", path_});
    EXPECT_TRUE(reader) << reader.error();
    auto anchor = (*reader)->AuditAnchor();
    slussen::StoreReader& r = **reader;
    auto v = VerifyAuditChain(
        *anchor, {[&r](int64_t after, int limit) { return r.AuditRowsAfter(after, limit); },
                  [&r](const std::string& h) { return r.AuditRowAfterHash(h); }});
    EXPECT_TRUE(v) << v.error();
    return *v;
  }
  int64_t Int(const std::string& sql) { return std::stoll(Scalar(sql)); }
};

TEST_F(CoreRetentionTest, ClosedCasesAndThenOldAuditRowsArePurgedAndThePurgesAudited) {
  core_.Start();
  const v1::Envelope closed_in = OfEpisode(EventKind::kInskrivningsmeddelande, 1, "VT-closed");
  const v1::Envelope closed_out = OfEpisode(EventKind::kUtskrivningsmeddelande, 2, "VT-closed");
  const v1::Envelope open_in = OfEpisode(EventKind::kInskrivningsmeddelande, 3, "VT-open");
  PostAndDrain(Inbound(1, Bytes(closed_in)));
  PostAndDrain(Inbound(2, Bytes(closed_out)));
  PostAndDrain(Inbound(3, Bytes(open_in)));
  PostAndDrain(Inbound(4, "not an envelope"));  // a dead letter
  PostAndDrain(Demand(kKommunDestination, 10));
  for (const auto& row : Query(path_, "SELECT seq FROM outbox WHERE destination = '" +
                                          std::string(kKommunDestination) + "'")) {
    PostAndDrain(Outcome(kOutLink, std::stoll(row[0]), DeliveryOutcome::Kind::kAccepted));
  }
  core_.Drain();
  const std::string closed = CaseIdString(closed_in);
  const std::string open = CaseIdString(open_in);
  ASSERT_EQ(Scalar("SELECT status FROM cases WHERE case_id = '" + closed + "'"), "discharged");
  ASSERT_EQ(Int("SELECT count(*) FROM audit_log WHERE action = 'delivered'"), 3);
  ASSERT_EQ(Count("dead_letters"), 1);

  // Not yet: 29 days on, nothing is purged.
  SetNow(kNow + hours(24 * 29));
  core_.Drain();
  EXPECT_EQ(Int("SELECT count(*) FROM events WHERE case_id = '" + closed + "'"), 2);

  // 31 days on: the closed case's data and the dead letter go; the open case stays.
  SetNow(kNow + hours(24 * 31));
  core_.Drain();
  EXPECT_EQ(Int("SELECT count(*) FROM events WHERE case_id = '" + closed + "'"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM cases WHERE case_id = '" + closed + "'"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM deadlines WHERE case_id = '" + closed + "'"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM outbox o WHERE NOT EXISTS "
                "(SELECT 1 FROM events e WHERE e.id = o.event_row)"), 0)
      << "no outbox row is left without its event";
  EXPECT_EQ(Count("dead_letters"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM events WHERE case_id = '" + open + "'"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM cases WHERE case_id = '" + open + "'"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE action = 'purge' AND case_id = '" + closed +
                "'"), 1) << "the purge is on the audit log";
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE action = 'purge' AND what LIKE "
                "'1 dead letter%'"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE action = 'delivered' AND case_id = '" +
                closed + "'"), 2)
      << "the deliveries' audit rows outlive the case data";
  EXPECT_TRUE(Verify().ok);

  // A year and a bit on: the audit rows older than a year go from the start of the chain; the
  // chain verifies from the last purged row, and that purge is itself a row.
  const int64_t head_before = Int("SELECT max(seq) FROM audit_log");
  SetNow(kNow + hours(24 * 366));
  core_.Drain();
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE action = 'delivered'"), 0);
  EXPECT_EQ(Int("SELECT value FROM audit_meta WHERE name = 'anchor_seq'"), 3)
      << "the deliveries (1-3) were older than a year; the purges of day 31 are not";
  EXPECT_EQ(Int("SELECT count(*) FROM audit_log WHERE action = 'purge' AND what LIKE "
                "'audit rows 1 to 3%'"), 1);
  const AuditVerdict v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.head.seq, head_before + 1);
  EXPECT_EQ(Int("SELECT count(*) FROM cases WHERE case_id = '" + open + "'"), 1)
      << "an open case is never purged";
}

// A purge that takes the newest outbox rows away must not let the next row take a seq again:
// the destination's cursor has passed those seqs, and a row numbered at or below it would wait
// for a restart (schema v15).
TEST_F(CoreRetentionTest, ARowAddedAfterThePurgeOfTheNewestRowsIsNumberedAboveThemAndDelivered) {
  core_.Start();
  const v1::Envelope in = OfEpisode(EventKind::kInskrivningsmeddelande, 1, "VT-closed");
  const v1::Envelope out = OfEpisode(EventKind::kUtskrivningsmeddelande, 2, "VT-closed");
  PostAndDrain(Inbound(1, Bytes(in)));
  PostAndDrain(Inbound(2, Bytes(out)));
  PostAndDrain(Demand(kKommunDestination, 10));
  for (const auto& row : Query(path_, "SELECT seq FROM outbox WHERE destination = '" +
                                          std::string(kKommunDestination) + "'")) {
    PostAndDrain(Outcome(kOutLink, std::stoll(row[0]), DeliveryOutcome::Kind::kAccepted));
  }
  const int64_t highest = Int("SELECT max(seq) FROM outbox");
  const std::size_t delivered_before = output_.delivers().size();

  SetNow(kNow + hours(24 * 31));
  core_.Drain();
  ASSERT_EQ(Count("outbox"), 0) << "the closed case was the newest, and its rows are purged";

  const v1::Envelope next = OfEpisode(EventKind::kInskrivningsmeddelande, 3, "VT-next");
  PostAndDrain(Inbound(3, Bytes(next)));
  EXPECT_GT(Int("SELECT min(seq) FROM outbox"), highest) << "no seq is given twice";
  bool sent = false;
  const auto delivers = output_.delivers();
  for (std::size_t i = delivered_before; i < delivers.size(); ++i) {
    for (const auto& item : delivers[i].items) sent |= item.event_id == next.event_id();
  }
  EXPECT_TRUE(sent) << "the new row reaches the receiver whose cursor passed the purged seqs";
  // The next row is numbered as usual again.
  PostAndDrain(Inbound(4, Bytes(OfEpisode(EventKind::kInskrivningsmeddelande, 4, "VT-after"))));
  EXPECT_EQ(Int("SELECT seq FROM outbox_seq_floor"), 0);
  EXPECT_EQ(Int("SELECT count(DISTINCT seq) FROM outbox"), Count("outbox"));
}

}  // namespace
}  // namespace slussen::testing
