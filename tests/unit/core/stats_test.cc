#include "core/stats.h"

#include <gtest/gtest.h>

#include <thread>

namespace slussen {
namespace {

TEST(LatencyHistogram, BucketsArePowersOfTwo) {
  LatencyHistogram h;
  EXPECT_EQ(h.QuantileUpperBoundUs(0.99), 0);
  for (int i = 0; i < 98; ++i) h.Record(300);  // [256, 512)
  h.Record(5000);                              // [4096, 8192)
  h.Record(-3);                                // a clock step backwards counts as 0
  EXPECT_EQ(h.count, 100u);
  EXPECT_EQ(h.QuantileUpperBoundUs(0.5), 512);
  EXPECT_EQ(h.QuantileUpperBoundUs(0.98), 512);
  EXPECT_EQ(h.QuantileUpperBoundUs(0.99), 512);  // the 99th of 100 values is still a 300
  EXPECT_EQ(h.QuantileUpperBoundUs(0.995), 8192);
  EXPECT_EQ(h.QuantileUpperBoundUs(1.0), 8192);
  h.Record(int64_t{1} << 40);  // beyond the last bound: the last bucket
  EXPECT_EQ(h.buckets[LatencyHistogram::kBuckets - 1], 1u);
}

TEST(RejectionReasonKey, FieldPathOrOther) {
  EXPECT_EQ(RejectionReasonKey("patient.identity.id: check digit wrong"), "patient.identity.id");
  EXPECT_EQ(RejectionReasonKey("body: empty"), "body");
  EXPECT_EQ(RejectionReasonKey("no colon at all"), "other");
  EXPECT_EQ(RejectionReasonKey("19121212-1212 x: y"), "other");
  EXPECT_EQ(RejectionReasonKey(std::string(200, 'a') + ": y"), std::string(64, 'a'));
}

TEST(StatsBoard, ReadersSeeWholeSnapshotsWhileTheWriterPublishes) {
  StatsBoard board;
  EXPECT_EQ(board.Read()->accepted, 0u);
  std::thread writer([&] {
    for (uint64_t i = 1; i <= 2000; ++i) {
      auto s = std::make_shared<CoreStats>();
      s->accepted = i;
      s->commits = i;
      board.Publish(std::move(s));
    }
  });
  uint64_t last = 0;
  for (int i = 0; i < 2000; ++i) {
    auto s = board.Read();
    EXPECT_EQ(s->accepted, s->commits);  // never half of one publish and half of another
    EXPECT_GE(s->accepted, last);
    last = s->accepted;
  }
  writer.join();
  EXPECT_EQ(board.Read()->accepted, 2000u);
}

}  // namespace
}  // namespace slussen
