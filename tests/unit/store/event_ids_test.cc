// The duplicate check across the merge of event ids (schema v14, store/sqlite/recent_event_ids.h):
// an id is found whether it is recent, being merged, merged, or the store was reopened in
// between; a purged one is not merged back; every stored event stays findable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/recent_event_ids.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/store_reader.h"
#include "testing/store_writes.h"
#include "testing/temp_dir.h"
#include "unit/store/store_test_event.h"

namespace slussen {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kMergeAt = RecentEventIds::kMergeAt;

std::string Id(std::size_t i) {
  // Not in key order when written, as UUIDs are not.
  return "ev-" + std::to_string((i * 7919) % 1'000'003) + "-" + std::to_string(i);
}

class EventIdsTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> Open() {
    auto store = SqliteStore::Open(path_);
    if (!store) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(*store);
  }

  // Events [from, to), one batch, no destinations (the outbox is not what is tested here).
  static WriteBatch Range(std::size_t from, std::size_t to) {
    WriteBatch b;
    for (std::size_t i = from; i < to; ++i) b.events.push_back(testing::StoreTestEvent(Id(i), {}));
    return b;
  }

  int64_t Count(const std::string& sql) {
    return testing::StoreReader(path_).QueryInt(sql);
  }
  int64_t Merged() { return Count("SELECT count(*) FROM event_ids"); }
  int64_t Recent() { return Count("SELECT count(*) FROM event_ids_recent"); }
  // Stored events whose id neither table holds: the duplicate check would miss them.
  int64_t Unfindable() {
    return Count(
        "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_ids i WHERE "
        "i.event_id = e.event_id AND i.event_row = e.id) AND NOT EXISTS (SELECT 1 FROM "
        "event_ids_recent r WHERE r.event_row = e.id AND r.event_id = e.event_id)");
  }

  // Every id in `ids` is found with its body, and writing it again is refused.
  void ExpectStored(SqliteStore& store, const std::vector<std::string>& ids) {
    auto bodies = store.StoredBodies(ids);
    ASSERT_TRUE(bodies) << bodies.error();
    EXPECT_EQ(bodies->size(), ids.size());
    for (const auto& id : ids) {
      EXPECT_EQ((*bodies)[id], "body-of-" + id);
      WriteBatch again;
      again.events.push_back(testing::StoreTestEvent(id, {}));
      auto s = store.Write(again);
      EXPECT_FALSE(s) << id << " was written twice";
      if (!s) {
        EXPECT_THAT(s.error(), HasSubstr("already stored"));
      }
    }
  }

  testing::TempDir dir_{"slussen-event-ids"};
  std::string path_ = dir_.File("hub.db");
};

TEST_F(EventIdsTest, IdsAreFoundBeforeDuringAndAfterTheirMerge) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  // One short of a merge: all recent, nothing in event_ids.
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(0, kMergeAt - 1)));
  EXPECT_EQ(Merged(), 0);
  EXPECT_EQ(Recent(), static_cast<int64_t>(kMergeAt - 1));
  ExpectStored(*store, {Id(0), Id(kMergeAt / 2), Id(kMergeAt - 2)});

  // One more starts the merge. Its steps first read the recent ids (4 x 256 rows at a flush
  // after one event), then insert them in key order (256 a flush), then drop the merged rows.
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(kMergeAt - 1, kMergeAt)));
  EXPECT_EQ(Merged(), 0) << "a flush after one event only reads, it inserts nothing yet";
  std::size_t next = kMergeAt;
  while (Merged() == 0) {
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(next, next + 1)));
    ++next;
    ASSERT_LT(next, kMergeAt + kMergeAt / 1024 + 2) << "the gathering does not end";
  }
  EXPECT_EQ(Merged(), 256);
  EXPECT_EQ(Recent(), static_cast<int64_t>(next));
  EXPECT_EQ(Unfindable(), 0);
  ExpectStored(*store, {Id(0), Id(kMergeAt - 1), Id(kMergeAt / 3), Id(next - 1)});

  // Small batches go on merging, with new ids arriving; at the end the merged ones leave
  // event_ids_recent, a range of rows a step.
  while (Recent() >= static_cast<int64_t>(kMergeAt)) {
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(next, next + 10)));
    next += 10;
    ASSERT_LT(next, 2 * kMergeAt) << "the merge does not end";
  }
  // The refused duplicates above rolled back and dropped the merge under way; it started over
  // with what was recent then, so it may have taken in some of the later ids too.
  EXPECT_GE(Merged(), static_cast<int64_t>(kMergeAt));
  EXPECT_LT(Recent(), static_cast<int64_t>(kMergeAt));
  EXPECT_EQ(Count("SELECT count(*) FROM events"), static_cast<int64_t>(next));
  EXPECT_EQ(Unfindable(), 0);
  ExpectStored(*store, {Id(0), Id(kMergeAt - 1), Id(kMergeAt), Id(next - 1)});
  ExpectStored(*store, {Id(12345), Id(54321)});  // in a batch of several: one read snapshot
}

// After a reopen the filter (event_id_filter.h) is read from event_ids a slice a flush: until
// it is whole every id not in memory is searched for, and merged ids are found; then a new id
// needs a search only when the filter takes it for a stored one (about 1 %).
TEST_F(EventIdsTest, AReopenedStoreSearchesUntilItsFilterIsReadThenRarely) {
  std::size_t next = kMergeAt;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(0, kMergeAt)));
    while (Merged() < static_cast<int64_t>(kMergeAt)) {
      ASSERT_TRUE(testing::WriteFlushed(*store, Range(next, next + 100)));
      next += 100;
      ASSERT_LT(next, 2 * kMergeAt) << "the merge does not end";
    }
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->EventIdFilterReady());
  ExpectStored(*store, {Id(0), Id(kMergeAt / 2), Id(kMergeAt - 1)});
  auto unstored = [](std::size_t from) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < 1000; ++i) ids.push_back("never-" + std::to_string(from + i));
    return ids;
  };
  uint64_t before = store->EventIdSearches();
  ASSERT_TRUE(store->StoredBodies(unstored(0)));
  EXPECT_EQ(store->EventIdSearches() - before, 1000u) << "searched for every one while unread";

  const std::size_t slices = kMergeAt / RecentEventIds::kFilterReadsPerStep + 1;
  for (std::size_t i = 0; i < slices && !store->EventIdFilterReady(); ++i) {
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(next, next + 1)));
    ++next;
  }
  ASSERT_TRUE(store->EventIdFilterReady()) << "not read after " << slices << " flushes";
  ExpectStored(*store, {Id(0), Id(1), Id(kMergeAt / 3), Id(kMergeAt - 1), Id(next - 1)});
  EXPECT_GT(next, kMergeAt);
  before = store->EventIdSearches();
  auto found = store->StoredBodies(unstored(1000));
  ASSERT_TRUE(found) << found.error();
  EXPECT_TRUE(found->empty());
  EXPECT_LT(store->EventIdSearches() - before, 50u);
  EXPECT_EQ(Unfindable(), 0);
}

// In a large store a merge waits for a 16th of the events stored: it reaches most leaves of
// event_ids whatever it brings, so it brings more at once.
TEST_F(EventIdsTest, InALargeStoreAMergeWaitsForASixteenthOfIt) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(0, 1)));
  }
  // As if 2,000,000 events had been stored (and most purged): the next id follows that.
  testing::StoreReader(path_, testing::StoreReader::Access::kReadWrite)
      .Exec("UPDATE sqlite_sequence SET seq = 2000000 WHERE name = 'events'");
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(1, kMergeAt + 10)));
  EXPECT_EQ(Merged(), 0) << "merged at " << kMergeAt << " recent ids in a store of 2M";
  // 140,000 recent: more than a 16th of the 2,140,000 ids given out.
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(kMergeAt + 10, 140'000)));
  EXPECT_EQ(Merged(), 140'000) << "one flush merges it whole";
  EXPECT_EQ(Recent(), 0);
  EXPECT_EQ(Unfindable(), 0);
  ExpectStored(*store, {Id(0), Id(kMergeAt), Id(139'999)});
}

// A stop in each phase of a merge: gathering, inserting, dropping. The ids are found after the
// reopen, and a later merge finishes what the stopped one began.
class EventIdsStopTest : public EventIdsTest,
                         public ::testing::WithParamInterface<const char*> {};

TEST_P(EventIdsStopTest, AMergeCutShortByAStopIsFinishedAfterTheReopen) {
  const std::string phase = GetParam();
  std::size_t next = kMergeAt;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(0, kMergeAt - 1)));
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(kMergeAt - 1, kMergeAt)));  // gathering
    while (phase != "gathering" && Merged() == 0) {
      ASSERT_TRUE(testing::WriteFlushed(*store, Range(next, next + 1)));
      ++next;
    }
    while (phase == "dropping" && Merged() < static_cast<int64_t>(kMergeAt)) {
      ASSERT_TRUE(testing::WriteFlushed(*store, Range(next, next + 1)));
      ++next;
    }
    ASSERT_LT(next, 2 * kMergeAt);
  }
  if (phase == "gathering") {
    EXPECT_EQ(Merged(), 0);
  } else if (phase == "inserting") {
    EXPECT_EQ(Merged(), 256);
  } else {
    EXPECT_EQ(Merged(), static_cast<int64_t>(kMergeAt));
    EXPECT_EQ(Recent(), static_cast<int64_t>(next - 1024)) << "one step of the drop";
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Unfindable(), 0);
  ExpectStored(*store, {Id(0), Id(100), Id(kMergeAt / 2), Id(next - 1)});
  // Rows are numbered from 1 in the order written: Id(i) is row i + 1.
  const std::string before_stop = std::to_string(next);
  while (Count("SELECT count(*) FROM event_ids_recent WHERE event_row <= " + before_stop) > 0) {
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(next, next + 100)));
    next += 100;
    ASSERT_LT(next, 3 * kMergeAt) << "the merge does not end";
  }
  EXPECT_EQ(Count("SELECT count(*) FROM event_ids WHERE event_row <= " + before_stop),
            static_cast<int64_t>(std::stoll(before_stop)));
  EXPECT_EQ(Unfindable(), 0);
  ExpectStored(*store, {Id(0), Id(std::stoul(before_stop)), Id(next - 1)});
}

INSTANTIATE_TEST_SUITE_P(Phases, EventIdsStopTest,
                         ::testing::Values("gathering", "inserting", "dropping"));

// Retention during a merge: an id purged after the merge read it is not inserted.
TEST_F(EventIdsTest, AnIdPurgedWhileItsMergeRunsIsNotMerged) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(0, kMergeAt - 1)));
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(kMergeAt - 1, kMergeAt)));  // reads rows 1-1024
  WriteBatch purge;
  purge.purge.cases = {"SE2321000131-sjh/VT-" + Id(3)};  // row 4: read already
  ASSERT_TRUE(testing::WriteFlushed(*store, purge));
  std::size_t next = kMergeAt;
  while (Recent() >= static_cast<int64_t>(kMergeAt) - 1) {
    ASSERT_TRUE(testing::WriteFlushed(*store, Range(next, next + 10)));
    next += 10;
    ASSERT_LT(next, 2 * kMergeAt) << "the merge does not end";
  }
  EXPECT_EQ(Count("SELECT count(*) FROM event_ids WHERE event_id = '" + Id(3) + "'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM event_ids WHERE event_row <= " + std::to_string(kMergeAt)),
            static_cast<int64_t>(kMergeAt) - 1);
  auto gone = store->StoredBodies({Id(3)});
  ASSERT_TRUE(gone) << gone.error();
  EXPECT_TRUE(gone->empty());
  EXPECT_EQ(Unfindable(), 0);
  ExpectStored(*store, {Id(0), Id(4), Id(next - 1)});
}

TEST_F(EventIdsTest, APurgedEventIsNotMergedBackAndItsIdMayComeAgain) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(0, kMergeAt)));  // merged whole: a large flush
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(kMergeAt, kMergeAt + 3)));
  ASSERT_EQ(Merged(), static_cast<int64_t>(kMergeAt));
  // Retention purges a merged event's case and a recent one's.
  WriteBatch purge;
  purge.purge.cases = {"SE2321000131-sjh/VT-" + Id(7), "SE2321000131-sjh/VT-" + Id(kMergeAt + 1)};
  ASSERT_TRUE(testing::WriteFlushed(*store, purge));
  EXPECT_EQ(Merged(), static_cast<int64_t>(kMergeAt) - 1);
  EXPECT_EQ(Recent(), 2);
  auto gone = store->StoredBodies({Id(7), Id(kMergeAt + 1)});
  ASSERT_TRUE(gone) << gone.error();
  EXPECT_TRUE(gone->empty());
  // Gone means new again: the same ids are stored anew, under new rows.
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(7, 8)));
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(kMergeAt + 1, kMergeAt + 2)));
  EXPECT_EQ(Unfindable(), 0);
  ExpectStored(*store, {Id(7), Id(kMergeAt + 1), Id(8)});
}

TEST_F(EventIdsTest, ARolledBackBatchLeavesNoIdBehind) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Write(Range(0, 3)));  // open projection: the next batch gets a savepoint
  // A batch whose second event repeats a stored id fails as a whole.
  WriteBatch bad = Range(3, 4);
  bad.events.push_back(testing::StoreTestEvent(Id(1), {}));
  ASSERT_FALSE(store->Write(bad));
  auto found = store->StoredBodies({Id(3)});
  ASSERT_TRUE(found) << found.error();
  EXPECT_TRUE(found->empty()) << "the failed batch's first event is still known";
  ASSERT_TRUE(testing::WriteFlushed(*store, Range(3, 4)));
  EXPECT_EQ(Unfindable(), 0);
  ExpectStored(*store, {Id(0), Id(3)});
}

}  // namespace
}  // namespace slussen
