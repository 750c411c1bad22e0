// The store factory and the reader it opens: what the writer commits, a reader on its own
// connection sees; a reader never creates a store; an unknown backend is refused by name.
#include "store/store_factory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "testing/store_writes.h"
#include "testing/temp_dir.h"

namespace slussen {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

EventRecord Event(const std::string& id, const std::string& case_id,
                  std::vector<std::string> destinations) {
  EventRecord e;
  e.event_id = id;
  e.kind = "Inskrivningsmeddelande";
  e.case_id = case_id;
  e.sender_hsa_id = "SE2321000131-sjh";
  e.schema_version = 1;
  e.occurred_at_us = 1'760'000'000'000'000;
  e.received_at_us = 1'760'000'001'000'000;
  e.body = "body-of-" + id;
  e.destinations = std::move(destinations);
  return e;
}

class StoreFactoryTest : public ::testing::Test {
 protected:
  slussen::testing::TempDir dir_{"slussen-store-factory"};
  StoreConfig config_{"sqlite", dir_.File("hub.db")};
};

TEST_F(StoreFactoryTest, ReaderSeesWhatTheWriterCommitted) {
  auto store = OpenStore(config_);
  ASSERT_TRUE(store) << store.error();
  auto reader = OpenStoreReader(config_);
  ASSERT_TRUE(reader) << reader.error();

  const std::string kCase = "SE2321000131-sjh/VT-1";
  WriteBatch batch;
  batch.events = {Event("e1", kCase, {"kommun-1380", "vc-1"}), Event("e2", "other", {"vc-1"})};
  DeadLetterRecord dead;
  dead.address = "events";
  dead.reasons = "body: empty";
  batch.dead_letters = {dead};
  CaseUpdate update;
  update.record.case_id = kCase;
  update.record.status = "admitted";
  update.record.kommunkod = "1380";
  update.deadlines = {{"inskrivningsmeddelande", "2 kap. 3 §", 100, "met", 90}};
  batch.cases = {update};
  ASSERT_TRUE(slussen::testing::WriteFlushed(**store, batch));

  auto stats = (*reader)->Stats();
  ASSERT_TRUE(stats) << stats.error();
  EXPECT_EQ(stats->events, 2);
  EXPECT_EQ(stats->dead_letters, 1);
  ASSERT_EQ(stats->destinations.size(), 2u);
  EXPECT_EQ(stats->destinations[1].destination, "vc-1");
  EXPECT_EQ(stats->destinations[1].pending, 2);
  auto count = (*reader)->DeadLetterCount();
  ASSERT_TRUE(count) << count.error();
  EXPECT_EQ(*count, 1);
  auto events = (*reader)->CaseEvents(kCase);
  ASSERT_TRUE(events) << events.error();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].body, "body-of-e1");
  auto deliveries = (*reader)->CaseDeliveries(kCase);
  ASSERT_TRUE(deliveries) << deliveries.error();
  EXPECT_EQ(deliveries->size(), 2u);
  auto stored = (*reader)->Case(kCase);
  ASSERT_TRUE(stored) << stored.error();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->record.status, "admitted");
  ASSERT_EQ((*stored)->deadlines.size(), 1u);
  EXPECT_EQ((*stored)->deadlines[0].met_at_us, 90);

  // A later commit is seen by the same reader.
  auto pending = (*store)->PendingAfter("vc-1", 0, 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 2u);
  WriteBatch marks;
  marks.delivered = {{(*pending)[0].seq, 7}};
  ASSERT_TRUE(slussen::testing::WriteFlushed(**store, marks));
  auto after = (*reader)->Stats();
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(after->destinations[1].delivered, 1);
  EXPECT_EQ(after->destinations[1].pending, 1);
}

TEST_F(StoreFactoryTest, ReaderOnAMissingFileSaysSoAndCreatesNothing) {
  auto reader = OpenStoreReader(config_);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.code(), ErrorCode::kNotFound);
  EXPECT_THAT(reader.error(), AllOf(HasSubstr(config_.path), HasSubstr("no such file")));
  EXPECT_FALSE(std::filesystem::exists(config_.path));
}

TEST_F(StoreFactoryTest, UnknownBackendIsRefusedByName) {
  StoreConfig pg{"postgresql", config_.path};
  auto store = OpenStore(pg);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(store.error(), HasSubstr("'postgresql'"));
  auto reader = OpenStoreReader(pg);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(config_.path));
}

}  // namespace
}  // namespace slussen
