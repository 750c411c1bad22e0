// The audit log's hash chain: sealing, and verification naming the first changed, removed or
// reordered row (hub/DESIGN.md "Audit log and retention").
#include "audit/audit_chain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "audit/audit_verify.h"

namespace slussen {
namespace {

using ::testing::HasSubstr;

AuditRecord Row(int i) {
  AuditRecord r;
  r.at_us = 1'700'000'000'000'000 + i;
  r.actor_kind = "receiver";
  r.actor = "kommun-1380";
  r.organisation = "Halmstad (kommun 1380)";
  r.action = "delivered";
  r.case_id = "SE2321000115-SH01/ep-" + std::to_string(i);
  r.patient_key = std::string(64, 'a');
  r.what = "Inskrivningsmeddelande";
  r.ref = "event-" + std::to_string(i);
  return r;
}

std::vector<AuditRecord> Chain(int n, AuditHead from = {0, AuditGenesisHash()}) {
  std::vector<AuditRecord> rows;
  for (int i = 1; i <= n; ++i) rows.push_back(Row(i));
  SealAuditRows(from, rows);
  return rows;
}

// The rows as a store holds them, found by seq as the SQLite reader finds them.
AuditSource Source(const std::vector<AuditRecord>& stored) {
  return {[&stored](int64_t after, int limit) -> Result<std::vector<AuditRecord>> {
            std::vector<AuditRecord> sorted = stored;
            std::sort(sorted.begin(), sorted.end(),
                      [](const auto& a, const auto& b) { return a.seq < b.seq; });
            std::vector<AuditRecord> out;
            for (const auto& r : sorted) {
              if (r.seq > after && static_cast<int>(out.size()) < limit) out.push_back(r);
            }
            return out;
          },
          [&stored](const std::string& hash) -> Result<std::optional<int64_t>> {
            std::optional<int64_t> found;
            for (const auto& r : stored) {
              if (r.prev_hash == hash && (!found || r.seq < *found)) found = r.seq;
            }
            return found;
          }};
}

AuditVerdict Verify(const std::vector<AuditRecord>& stored,
                    AuditHead anchor = {0, AuditGenesisHash()},
                    std::optional<AuditHead> expected = {}) {
  auto v = VerifyAuditChain(anchor, Source(stored), expected);
  EXPECT_TRUE(v) << v.error();
  return v ? *v : AuditVerdict{};
}

TEST(AuditChain, SealLinksConsecutiveRows) {
  const auto rows = Chain(3);
  EXPECT_EQ(rows[0].seq, 1);
  EXPECT_EQ(rows[0].prev_hash, AuditGenesisHash());
  EXPECT_EQ(rows[1].prev_hash, rows[0].hash);
  EXPECT_EQ(rows[2].seq, 3);
  EXPECT_EQ(rows[2].hash.size(), 64u);
  EXPECT_EQ(rows[2].hash, AuditHash(rows[2]));
}

// The hash of a row is SHA-256 of the documented encoding, byte for byte: stored chains are
// verified against it, so neither the encoding nor the way it is hashed may drift. The expected
// value was computed outside the hub (Python's hashlib over the length-prefixed fields).
TEST(AuditChain, TheHashIsSha256OfTheDocumentedEncoding) {
  AuditRecord row = Row(1);
  row.seq = 1;
  row.prev_hash = AuditGenesisHash();
  EXPECT_EQ(AuditHash(row), "cd7568288700f92cc31664c9cc4b84076c813141311a8bf2fb42faa43ad0a0a8");
}

TEST(AuditChain, EveryColumnIsInTheHash) {
  const AuditRecord base = Chain(1)[0];
  const std::vector<void (*)(AuditRecord&)> changes = {
      [](AuditRecord& r) { r.seq += 1; },          [](AuditRecord& r) { r.at_us += 1; },
      [](AuditRecord& r) { r.actor_kind = "x"; },  [](AuditRecord& r) { r.actor = "x"; },
      [](AuditRecord& r) { r.organisation = "x"; }, [](AuditRecord& r) { r.action = "x"; },
      [](AuditRecord& r) { r.case_id = "x"; },     [](AuditRecord& r) { r.patient_key = "x"; },
      [](AuditRecord& r) { r.what = "x"; },        [](AuditRecord& r) { r.ref = "x"; },
      [](AuditRecord& r) { r.prev_hash = std::string(64, '1'); }};
  for (std::size_t i = 0; i < changes.size(); ++i) {
    AuditRecord changed = base;
    changes[i](changed);
    EXPECT_NE(AuditHash(changed), base.hash) << "change " << i;
  }
}

TEST(AuditChain, LengthPrefixesKeepNeighbouringColumnsApart) {
  AuditRecord a = Row(1), b = Row(1);
  a.actor = "kommun-13";
  a.organisation = "80";
  b.actor = "kommun-1380";
  b.organisation = "";
  EXPECT_NE(AuditHash(a), AuditHash(b));
}

TEST(AuditVerify, IntactChainHolds) {
  const auto rows = Chain(5);
  const AuditVerdict v = Verify(rows, {0, AuditGenesisHash()}, AuditHead{5, rows[4].hash});
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.rows, 5);
  EXPECT_EQ(v.head.seq, 5);
  EXPECT_EQ(v.head.hash, rows[4].hash);
  EXPECT_TRUE(Verify({}).ok) << "an empty log is intact";
}

TEST(AuditVerify, NamesAChangedColumn) {
  auto rows = Chain(5);
  rows[2].organisation = "Någon annan";
  const AuditVerdict v = Verify(rows);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 3);
  EXPECT_THAT(v.problem, HasSubstr("row 3 was changed"));
  EXPECT_EQ(v.head.seq, 2) << "the rows before it hold";
}

TEST(AuditVerify, NamesAChangedRowWhoseHashWasRecomputed) {
  auto rows = Chain(5);
  rows[2].what = "Utskrivningsmeddelande";
  rows[2].hash = AuditHash(rows[2]);  // the forger knows the encoding; the next row's link breaks
  const AuditVerdict v = Verify(rows);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 4);
}

TEST(AuditVerify, NamesARemovedMiddleRow) {
  auto rows = Chain(5);
  rows.erase(rows.begin() + 2);
  const AuditVerdict v = Verify(rows);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 3);
  EXPECT_THAT(v.problem, HasSubstr("row 3 was removed"));
}

TEST(AuditVerify, NamesARemovalHiddenByRenumbering) {
  auto rows = Chain(5);
  rows.erase(rows.begin() + 2);
  rows[2].seq = 3;
  rows[3].seq = 4;
  const AuditVerdict v = Verify(rows);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 3);
  EXPECT_THAT(v.problem, HasSubstr("row 3 does not follow row 2"));
}

TEST(AuditVerify, NamesSwappedRows) {
  auto rows = Chain(5);
  std::swap(rows[2].seq, rows[3].seq);  // rows 3 and 4 trade places
  const AuditVerdict v = Verify(rows);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 3);
  EXPECT_THAT(v.problem, HasSubstr("row 3 is out of order"));
  EXPECT_THAT(v.problem, HasSubstr("follows 2 is at 4"));
}

TEST(AuditVerify, ACutTailShowsAgainstAHeadKeptElsewhere) {
  auto rows = Chain(5);
  const AuditHead head{5, rows[4].hash};
  rows.resize(3);
  EXPECT_TRUE(Verify(rows).ok) << "the chain alone cannot see a cut tail";
  const AuditVerdict v = Verify(rows, {0, AuditGenesisHash()}, head);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 4);
  EXPECT_THAT(v.problem, HasSubstr("cut off"));
}

TEST(AuditVerify, AHeadKeptElsewhereMustBeTheSameRow) {
  auto rows = Chain(5);
  const AuditVerdict v = Verify(rows, {0, AuditGenesisHash()}, AuditHead{3, std::string(64, 'f')});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 3);
}

TEST(AuditVerify, StartsFromThePurgeAnchorThatAPurgeRowNames) {
  auto all = Chain(8);
  const AuditHead anchor{5, all[4].hash};  // a row's hash depends only on the rows before it
  all[6].action = "purge";                 // row 7 records the purge of 1..5
  all[6].ref = AuditAnchorRef(anchor);
  SealAuditRows({0, AuditGenesisHash()}, all);
  ASSERT_EQ(all[4].hash, anchor.hash);
  const std::vector<AuditRecord> kept(all.begin() + 5, all.end());  // 1..5 purged
  const AuditVerdict ok = Verify(kept, anchor);
  EXPECT_TRUE(ok.ok) << ok.problem;

  const AuditVerdict wrong = Verify(kept, {5, all[3].hash});
  EXPECT_FALSE(wrong.ok);
  EXPECT_EQ(wrong.bad_seq, 6);

  // Rows removed from the start and the anchor moved by hand: no purge row names it.
  const std::vector<AuditRecord> cut(all.begin() + 2, all.end());
  const AuditVerdict by_hand = Verify(cut, {2, all[1].hash});
  EXPECT_FALSE(by_hand.ok);
  EXPECT_THAT(by_hand.problem, HasSubstr("no purge row names that anchor"));
  const AuditVerdict not_genesis = Verify(all, {0, std::string(64, 'f')});
  EXPECT_FALSE(not_genesis.ok);
}

}  // namespace
}  // namespace slussen
