// StoreReader::DeadlineOutcomes on a real store: the deadlines due in a period, counted by rule
// as met, met late and missed, read through the index of deadlines with an outcome.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_store_reader.h"
#include "testing/store_writes.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"

namespace slussen {

void PrintTo(const DeadlineOutcomeCount& c, std::ostream* os) {
  *os << c.rule << " met=" << c.met << " late=" << c.met_late << " missed=" << c.missed;
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kInskrivning[] = "2 kap. 3 §";
constexpr char kSip[] = "4 kap. 1 §";


class DeadlineOutcomesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(path_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
  }
  void WriteCase(const std::string& id, std::vector<DeadlineRecord> deadlines) {
    CaseUpdate u;
    u.record.case_id = id;
    u.record.kommunkod = "1380";
    u.record.status = "admitted";
    u.deadlines = std::move(deadlines);
    WriteBatch batch;
    batch.cases.push_back(std::move(u));
    ASSERT_TRUE(slussen::testing::WriteFlushed(*store_, batch));
  }
  std::vector<DeadlineOutcomeCount> Outcomes(int64_t from, int64_t to) {
    auto reader = SqliteStoreReader::Open(path_);
    EXPECT_TRUE(reader) << reader.error();
    if (!reader) return {};
    auto out = (*reader)->DeadlineOutcomes(from, to);
    EXPECT_TRUE(out) << out.error();
    return out ? *out : std::vector<DeadlineOutcomeCount>{};
  }

  slussen::testing::TempDir dir_{"slussen-outcomes"};
  std::string path_ = dir_.File("hub.db");
  std::unique_ptr<SqliteStore> store_;
};

// Met in time, met late and missed are told apart; pending and at-risk deadlines and those due
// outside the period are not counted; the period is half-open.
TEST_F(DeadlineOutcomesTest, CountsEachRulesOutcomesInThePeriod) {
  WriteCase("c1", {{"inskrivningsmeddelande", kInskrivning, 100, "met", 90},
                   {"kallelse-sip", kSip, 150, "missed", 0}});
  WriteCase("c2", {{"inskrivningsmeddelande", kInskrivning, 120, "missed", 130},
                   {"kallelse-sip", kSip, 199, "at-risk", 0}});
  WriteCase("c3", {{"inskrivningsmeddelande", kInskrivning, 199, "met", 150},
                   {"kallelse-sip", kSip, 160, "pending", 0}});
  WriteCase("c4", {{"inskrivningsmeddelande", kInskrivning, 200, "missed", 0},
                   {"kallelse-sip", kSip, 99, "missed", 0}});

  EXPECT_THAT(Outcomes(100, 200),
              ElementsAre(DeadlineOutcomeCount{kInskrivning, 2, 1, 0},
                          DeadlineOutcomeCount{kSip, 0, 0, 1}));
  EXPECT_THAT(Outcomes(200, 300), ElementsAre(DeadlineOutcomeCount{kInskrivning, 0, 0, 1}));
  EXPECT_THAT(Outcomes(300, 400), IsEmpty());
}

// A case rewritten with new states is counted as it stands now, once.
TEST_F(DeadlineOutcomesTest, ARewrittenCaseCountsAsItStandsNow) {
  WriteCase("c1", {{"inskrivningsmeddelande", kInskrivning, 100, "missed", 0}});
  EXPECT_THAT(Outcomes(0, 1000), ElementsAre(DeadlineOutcomeCount{kInskrivning, 0, 0, 1}));
  WriteCase("c1", {{"inskrivningsmeddelande", kInskrivning, 100, "missed", 140}});
  EXPECT_THAT(Outcomes(0, 1000), ElementsAre(DeadlineOutcomeCount{kInskrivning, 0, 1, 0}));
}

// The query reads the index of deadlines with an outcome, not the whole table: its cost follows
// the period, not the age of the store.
TEST_F(DeadlineOutcomesTest, ReadsTheIndexOfDeadlinesWithAnOutcome) {
  slussen::testing::StoreReader raw(path_);
  const auto plan = raw.QueryRows(
      "EXPLAIN QUERY PLAN SELECT rule, sum(state = 'met') FROM deadlines "
      "WHERE state IN ('met', 'missed') AND due_at_us >= 1 AND due_at_us < 2 GROUP BY rule");
  ASSERT_FALSE(plan.empty());
  std::string all;
  for (const auto& row : plan) all += row.back() + "\n";  // the detail column
  EXPECT_THAT(all, HasSubstr("COVERING INDEX deadlines_by_due (due_at_us>? AND due_at_us<?)"));
}

}  // namespace
}  // namespace slussen
