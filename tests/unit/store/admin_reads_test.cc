// The admin API's reads of a real store: the cases at risk in rank order (unmet now, then done
// late recently; one row per case), the unmet deadlines per rule and state, and the recorded
// reads of a case's data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "audit/audit_chain.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_store_reader.h"
#include "testing/store_writes.h"
#include "testing/temp_dir.h"

namespace slussen {
namespace {

using ::testing::ElementsAre;

constexpr char kRule[] = "2 kap. 3 §";

class AdminReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(path_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
  }
  void WriteCase(const std::string& id, int64_t amount_kr, std::vector<DeadlineRecord> deadlines) {
    CaseUpdate u;
    u.record.case_id = id;
    u.record.kommunkod = "1380";
    u.record.status = "admitted";
    u.record.liability_amount_kr = amount_kr;
    u.deadlines = std::move(deadlines);
    WriteBatch batch;
    batch.cases.push_back(std::move(u));
    ASSERT_TRUE(slussen::testing::WriteFlushed(*store_, batch));
  }
  std::unique_ptr<SqliteStoreReader> Reader() {
    auto reader = SqliteStoreReader::Open(path_);
    EXPECT_TRUE(reader) << reader.error();
    return reader ? std::move(*reader) : nullptr;
  }
  std::vector<std::string> RankedIds(std::size_t limit, int64_t done_late_since) {
    auto cases = Reader()->CasesAtRisk(limit, done_late_since);
    EXPECT_TRUE(cases) << cases.error();
    std::vector<std::string> ids;
    if (cases) {
      for (const auto& c : *cases) ids.push_back(c.case_id + ":" + c.deadline_id);
    }
    return ids;
  }

  slussen::testing::TempDir dir_{"slussen-admin-reads"};
  std::string path_ = dir_.File("hub.db");
  std::unique_ptr<SqliteStore> store_;
};

// Missed and open first (the larger liability first), then at risk, then done late, and only
// those done late that fell due since the bound; a case once, by its most urgent deadline.
TEST_F(AdminReadsTest, CasesAtRiskAreRankedAndDoneLateOnesAreBoundedByTime) {
  WriteCase("at-risk", 0, {{"sip", kRule, 500, "at-risk", 0}});
  WriteCase("missed-small", 100, {{"ink", kRule, 300, "missed", 0}});
  WriteCase("missed-large", 900, {{"ink", kRule, 400, "missed", 0},
                                  {"sip", kRule, 200, "missed", 250}});
  WriteCase("late-recent", 0, {{"ink", kRule, 1000, "missed", 1100}});
  WriteCase("late-old", 0, {{"ink", kRule, 10, "missed", 20}});
  WriteCase("fine", 0, {{"ink", kRule, 10, "met", 5}, {"sip", kRule, 900, "pending", 0}});

  EXPECT_THAT(RankedIds(100, 900), ElementsAre("missed-large:ink", "missed-small:ink",
                                               "at-risk:sip", "late-recent:ink"));
  EXPECT_THAT(RankedIds(100, 0), ElementsAre("missed-large:ink", "missed-small:ink", "at-risk:sip",
                                             "late-old:ink", "late-recent:ink"));
  EXPECT_THAT(RankedIds(2, 0), ElementsAre("missed-large:ink", "missed-small:ink"));
  // A deadline met since leaves the unmet ranks.
  WriteCase("missed-small", 100, {{"ink", kRule, 300, "missed", 350}});
  EXPECT_THAT(RankedIds(100, 300), ElementsAre("missed-large:ink", "at-risk:sip",
                                               "missed-small:ink", "late-recent:ink"));
}

// Issue 15: the dashboard's case list shows who pays (5 kap. 2 §: the placing kommun, else the
// kommunkod) and the planning track (Halland's samverkansrutin 2022), as the case logic stored
// them (schema v10).
TEST_F(AdminReadsTest, CasesAtRiskCarryThePayingKommunAndTheTrack) {
  CaseUpdate u;
  u.record.case_id = "placed";
  u.record.kommunkod = "1380";
  u.record.paying_kommunkod = "1384";
  u.record.track = "rött";
  u.record.status = "admitted";
  u.deadlines = {{"ink", kRule, 300, "missed", 0}};
  WriteBatch batch;
  batch.cases.push_back(std::move(u));
  ASSERT_TRUE(slussen::testing::WriteFlushed(*store_, batch));
  WriteCase("plain", 0, {{"ink", kRule, 400, "missed", 0}});
  auto cases = Reader()->CasesAtRisk(10, 0);
  ASSERT_TRUE(cases) << cases.error();
  ASSERT_EQ(cases->size(), 2u);
  for (const auto& c : *cases) {
    if (c.case_id == "placed") {
      EXPECT_EQ(c.kommunkod, "1380");
      EXPECT_EQ(c.paying_kommunkod, "1384");
      EXPECT_EQ(c.track, "rött");
    } else {
      EXPECT_EQ(c.paying_kommunkod, "1380") << "no placing kommun: the kommunkod pays";
      EXPECT_EQ(c.track, "");
    }
  }
}

TEST_F(AdminReadsTest, UnmetDeadlinesAreCountedPerRuleAndState) {
  WriteCase("a", 0, {{"ink", "2 kap. 3 §", 100, "missed", 0}, {"sip", "4 kap. 1 §", 100, "at-risk", 0}});
  WriteCase("b", 0, {{"ink", "2 kap. 3 §", 100, "missed", 0}, {"sip", "4 kap. 1 §", 100, "missed", 150}});
  WriteCase("c", 0, {{"ink", "2 kap. 3 §", 100, "met", 50}});
  auto counts = Reader()->UnmetDeadlineCounts();
  ASSERT_TRUE(counts) << counts.error();
  std::vector<std::string> got;
  for (const auto& c : *counts) got.push_back(c.rule + "/" + c.state + "=" + std::to_string(c.count));
  EXPECT_THAT(got, ElementsAre("2 kap. 3 §/missed=2", "4 kap. 1 §/at-risk=1"));
}

// Cases, not deadlines: a case with two missed deadlines counts once; a deadline met late or met
// in time does not count; a case with one missed and one at risk counts in both.
TEST_F(AdminReadsTest, UnmetCasesAreCountedOncePerState) {
  WriteCase("a", 0, {{"ink", kRule, 100, "missed", 0}, {"sip", kRule, 100, "missed", 0}});
  WriteCase("b", 0, {{"ink", kRule, 100, "missed", 0}, {"sip", kRule, 900, "at-risk", 0}});
  WriteCase("c", 0, {{"ink", kRule, 100, "missed", 150}, {"sip", kRule, 900, "at-risk", 0}});
  WriteCase("d", 0, {{"ink", kRule, 100, "met", 50}});
  auto counts = Reader()->UnmetCaseCounts();
  ASSERT_TRUE(counts) << counts.error();
  EXPECT_EQ(counts->first, 2);   // a, b
  EXPECT_EQ(counts->second, 2);  // b, c
}

TEST_F(AdminReadsTest, ReadsOfACasesDataAreRecordedAndListedByCase) {
  // Reads are audit rows (hub/DESIGN.md "Audit log and retention"), sealed by the core.
  WriteBatch batch;
  auto read = [&](int64_t at, const char* case_id, const char* who, const char* what) {
    AuditRecord r;
    r.at_us = at;
    r.actor_kind = "operator";
    r.actor = who;
    r.action = "read";
    r.case_id = case_id;
    r.what = what;
    batch.audit.push_back(r);
  };
  read(200, "case-1", "otto", "evidence report");
  read(100, "case-1", "olga", "events and deliveries");
  read(150, "case-2", "otto", "evidence report (PDF)");
  SealAuditRows({0, AuditGenesisHash()}, batch.audit);
  ASSERT_TRUE(slussen::testing::WriteFlushed(*store_, batch));
  auto reads = Reader()->PatientDataReads("case-1", 10);
  ASSERT_TRUE(reads) << reads.error();
  ASSERT_EQ(reads->size(), 2u);
  EXPECT_EQ((*reads)[0].operator_id, "olga");
  EXPECT_EQ((*reads)[0].at_us, 100);
  EXPECT_EQ((*reads)[1].what, "evidence report");
  auto none = Reader()->PatientDataReads("case-3", 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace slussen
