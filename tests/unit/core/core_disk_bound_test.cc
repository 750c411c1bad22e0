// The store's disk bound in the core (core/disk_bound.h) with a real SqliteStore and a tiny
// max-bytes: a full store releases every inbound message and writes nothing for it, while
// deliveries and their records go on; it accepts again once the store is below resume-below.
//
// What shrinks in these tests is what shrinks in the hub: the write-ahead log, truncated by the
// checkpoint the core asks for while full. A fresh store's database file keeps its size here
// (a few events fit in the pages it has); each commit adds its pages to the log.
#include "store/sqlite/sqlite_store_reader.h"
#include "unit/core/core_test_support.h"

#include <thread>

namespace slussen::testing {
namespace {

constexpr uint64_t kPage = 4096;

CoreTuning CheckInterval(std::chrono::milliseconds interval) {
  CoreTuning t;
  t.disk_check_interval = interval;
  return t;
}

class CoreDiskBoundTest : public CoreTest {
 protected:
  CoreDiskBoundTest() : CoreDiskBoundTest(std::chrono::milliseconds(0)) {}  // every batch
  explicit CoreDiskBoundTest(std::chrono::milliseconds interval)
      : CoreTest(CheckInterval(interval)) {}

  uint64_t StoreBytes() { return *real_store_->BytesOnDisk(); }
  // The bound: full as soon as a commit has put two pages into the log.
  void BoundJustAboveTheFreshStore(uint64_t resume_below) {
    fresh_ = StoreBytes();
    config_.store_max_bytes = fresh_ + 2 * kPage;
    config_.store_resume_below_bytes = resume_below;
  }
  Settlement::Kind Send(uint64_t token, int event) {
    PostAndDrain(Inbound(token, Bytes(Inskrivning(EventId(event)))));
    return output_.SettleOf(token).settlement.kind;
  }
  std::string FullReason() {
    auto reader = SqliteStoreReader::Open(path_);
    if (!reader) return "<" + reader.error() + ">";
    auto stats = (*reader)->Stats();
    return stats ? stats->full_reason : "<" + stats.error() + ">";
  }

  uint64_t fresh_ = 0;
};

// The database file alone is above resume-below: once full, the store stays full (in the hub,
// until an operator raises max-bytes), and delivery goes on all the while.
TEST_F(CoreDiskBoundTest, FullStoreReleasesInboundAndKeepsRecordingDeliveries) {
  BoundJustAboveTheFreshStore(/*resume_below=*/kPage);
  core_.Start();
  ASSERT_EQ(Send(1, 1), Settlement::Kind::kAccepted);  // the store was below max-bytes

  EXPECT_EQ(Send(2, 2), Settlement::Kind::kReleased);
  // Invalid while full: released too (not judged, not dead-lettered), like a duplicate.
  PostAndDrain(Inbound(3, "not an envelope"));
  EXPECT_EQ(output_.SettleOf(3).settlement.kind, Settlement::Kind::kReleased);
  EXPECT_EQ(Send(4, 1), Settlement::Kind::kReleased);
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("outbox"), 2);
  EXPECT_EQ(Count("dead_letters"), 0);

  // Delivery of what is stored goes on, and its acceptance is written.
  PostAndDrain(Demand(kKommunDestination, 10));
  ASSERT_EQ(output_.DeliveredEventIds(), std::vector<std::string>{EventId(1)});
  const int64_t seq = output_.delivers()[0].items[0].seq;
  PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));
  EXPECT_EQ(Scalar("SELECT delivered_at_us FROM outbox WHERE seq = " + std::to_string(seq)),
            std::to_string(ToMicros(kNow)));

  const auto stats = core_.stats();
  EXPECT_TRUE(stats->store_full);
  // The core has truncated the log meanwhile, or not yet: below max-bytes or not, the store stays
  // full while it is not below resume-below.
  EXPECT_GE(stats->store_bytes, fresh_);
  EXPECT_EQ(stats->store_max_bytes, config_.store_max_bytes);
  EXPECT_EQ(stats->released_store_full, 3u);
  EXPECT_EQ(stats->released, 3u);
  EXPECT_EQ(stats->accepted, 1u);
  EXPECT_THAT(FullReason(), AllOf(HasSubstr("reached max-bytes " +
                                            std::to_string(config_.store_max_bytes)),
                                  HasSubstr("resume-below " + std::to_string(kPage))));
  core_.Stop();
  EXPECT_EQ(core_.counters().delivered, 1u);
}

// Full because the log grew while a reader held it; once the reader is gone, the checkpoint the
// core asks for while full truncates the log, the store falls below resume-below, and the hub
// accepts again, the released message too when its sender sends it again.
TEST_F(CoreDiskBoundTest, AcceptsAgainOnceTheStoreIsBelowResumeBelow) {
  BoundJustAboveTheFreshStore(/*resume_below=*/0);
  config_.store_resume_below_bytes = fresh_ + kPage;
  HeldReadTransaction reader(path_);
  core_.Start();
  ASSERT_EQ(Send(1, 1), Settlement::Kind::kAccepted);
  ASSERT_EQ(Send(2, 2), Settlement::Kind::kReleased);
  ASSERT_EQ(Send(3, 2), Settlement::Kind::kReleased);  // the log cannot shrink under the reader
  EXPECT_TRUE(core_.stats()->store_full);
  EXPECT_THAT(FullReason(), HasSubstr("reached max-bytes"));
  reader.End();

  // Each try is a batch, so a measurement; the truncation runs on the store's checkpoint thread.
  // The deadline is a safety net against a hang, not a timing assertion.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  uint64_t token = 10;
  Settlement::Kind kind = Settlement::Kind::kReleased;
  while (kind == Settlement::Kind::kReleased && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    kind = Send(++token, 2);  // the sender keeps the released message and sends it again
  }
  EXPECT_EQ(kind, Settlement::Kind::kAccepted);
  EXPECT_GE(core_.stats()->released_store_full, 2u);
  EXPECT_EQ(Count("events"), 2);
  // (With a bound this small, that commit's log fills the store again at the next measurement.)
}

// A store that cannot be measured keeps the state it had: no reason to refuse inbound (its
// writes tell their own errors), nor to accept it while full.
TEST_F(CoreDiskBoundTest, AStoreThatCannotBeMeasuredKeepsItsState) {
  BoundJustAboveTheFreshStore(/*resume_below=*/kPage);
  store_.fail_bytes_on_disk = true;
  core_.Start();
  EXPECT_EQ(Send(1, 1), Settlement::Kind::kAccepted);
  EXPECT_EQ(Send(2, 2), Settlement::Kind::kAccepted);  // past max-bytes, but not measured
  store_.fail_bytes_on_disk = false;
  EXPECT_EQ(Send(3, 3), Settlement::Kind::kReleased);
  store_.fail_bytes_on_disk = true;
  EXPECT_EQ(Send(4, 3), Settlement::Kind::kReleased);
  EXPECT_TRUE(core_.stats()->store_full);
  EXPECT_EQ(Count("events"), 2);
}

TEST_F(CoreDiskBoundTest, UnboundedStoreIsMeasuredButNeverFull) {
  config_.store_max_bytes = 0;
  core_.Start();
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(Send(i, i), Settlement::Kind::kAccepted);
  const auto stats = core_.stats();
  EXPECT_FALSE(stats->store_full);
  EXPECT_EQ(stats->store_max_bytes, 0u);
  EXPECT_GT(stats->store_bytes, 0u);
  EXPECT_EQ(stats->released_store_full, 0u);
}

// The size is measured at most once per interval, not per event or batch: the bound is soft.
class CoreDiskBoundHourlyTest : public CoreDiskBoundTest {
 protected:
  CoreDiskBoundHourlyTest() : CoreDiskBoundTest(std::chrono::hours(1)) {}
};

TEST_F(CoreDiskBoundHourlyTest, MeasuresAtMostOncePerInterval) {
  BoundJustAboveTheFreshStore(/*resume_below=*/kPage);
  core_.Start();
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(Send(i, i), Settlement::Kind::kAccepted);
  EXPECT_GE(StoreBytes(), config_.store_max_bytes);
  EXPECT_EQ(store_.bytes_on_disk_calls.load(), 1) << "measured once, at the start";
  EXPECT_FALSE(core_.stats()->store_full);
}

// While full the core measures again on its own, so it notices a recovery without traffic.
class CoreDiskBoundWakeTest : public CoreDiskBoundTest {
 protected:
  CoreDiskBoundWakeTest() : CoreDiskBoundTest(std::chrono::milliseconds(20)) {}
};

TEST_F(CoreDiskBoundWakeTest, NoticesTheRecoveryWithoutTraffic) {
  BoundJustAboveTheFreshStore(/*resume_below=*/0);
  config_.store_resume_below_bytes = fresh_ + kPage;
  HeldReadTransaction reader(path_);  // the log cannot shrink until it ends
  core_.Start();
  ASSERT_EQ(Send(1, 1), Settlement::Kind::kAccepted);
  // Safety-net deadlines against a hang, no timing assertions.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!core_.stats()->store_full && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    core_.Drain();  // a batch: the core measures once the interval has passed
  }
  ASSERT_TRUE(core_.stats()->store_full);
  const int calls = store_.bytes_on_disk_calls.load();
  reader.End();
  // Nothing is posted from here on.
  while (core_.stats()->store_full && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(core_.stats()->store_full);
  EXPECT_GT(store_.bytes_on_disk_calls.load(), calls);
}

}  // namespace
}  // namespace slussen::testing
