#include "hl7/mllp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace slussen::hl7 {
namespace {

// The events as text, for readable expectations: "frame:<payload>" or "<kind>:<bytes>".
std::vector<std::string> Show(const std::vector<MllpEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (const auto* f = std::get_if<MllpFrame>(&e)) {
      out.push_back("frame:" + f->payload);
      continue;
    }
    const auto& err = std::get<MllpError>(e);
    std::string kind;
    switch (err.kind) {
      case MllpError::Kind::kGarbage: kind = "garbage"; break;
      case MllpError::Kind::kOversized: kind = "oversized"; break;
      case MllpError::Kind::kInterrupted: kind = "interrupted"; break;
      case MllpError::Kind::kNoCr: kind = "nocr"; break;
      case MllpError::Kind::kTruncated: kind = "truncated"; break;
    }
    out.push_back(kind + ":" + std::to_string(err.bytes));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(MllpFramer, WrapAndFeedGiveTheFramesBack) {
  MllpFramer f;
  EXPECT_EQ(MllpWrap("MSH|x"), std::string("\x0bMSH|x\x1c\x0d"));
  EXPECT_EQ(Show(f.Feed(MllpWrap("one") + MllpWrap("two"))), (V{"frame:one", "frame:two"}));
  EXPECT_FALSE(f.in_frame());
  EXPECT_TRUE(f.Finish().empty());
}

TEST(MllpFramer, FramesSplitAcrossReadsAtEveryByte) {
  const std::string stream = MllpWrap("MSH|^~\\&|A\rPID|1\r") + MllpWrap("second");
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    MllpFramer f;
    auto a = Show(f.Feed(stream.substr(0, cut)));
    auto b = Show(f.Feed(stream.substr(cut)));
    a.insert(a.end(), b.begin(), b.end());
    EXPECT_EQ(a, (V{"frame:MSH|^~\\&|A\rPID|1\r", "frame:second"})) << "cut at " << cut;
  }
  // One byte at a time.
  MllpFramer f;
  V all;
  for (char c : stream) {
    auto e = Show(f.Feed(std::string(1, c)));
    all.insert(all.end(), e.begin(), e.end());
  }
  EXPECT_EQ(all, (V{"frame:MSH|^~\\&|A\rPID|1\r", "frame:second"}));
}

TEST(MllpFramer, GarbageBeforeAStartByteIsReportedOnceAndSkipped) {
  MllpFramer f;
  EXPECT_TRUE(f.Feed("GET / HTTP/1.1\r\n").empty());  // not reported until something follows
  EXPECT_EQ(Show(f.Feed("xx" + MllpWrap("ok"))), (V{"garbage:18", "frame:ok"}));
  // Garbage between frames, and a stray CR after a frame.
  EXPECT_EQ(Show(f.Feed(MllpWrap("a") + "\r\n" + MllpWrap("b"))),
            (V{"frame:a", "garbage:2", "frame:b"}));
  EXPECT_EQ(Show(f.Feed("tail")), V{});
  EXPECT_EQ(Show(f.Finish()), (V{"garbage:4"}));
}

TEST(MllpFramer, EndlessGarbageIsReportedInBoundedRuns) {
  MllpFramer f(100);
  EXPECT_EQ(Show(f.Feed(std::string(250, 'x'))), (V{"garbage:100", "garbage:100"}));
  EXPECT_EQ(Show(f.Feed(MllpWrap("ok"))), (V{"garbage:50", "frame:ok"}));
}

TEST(MllpFramer, OversizedFrameIsSkippedToItsEndAndTheNextOneWorks) {
  MllpFramer f(10);
  auto events = f.Feed("\x0b" "MSH|0123456789abcdef");
  ASSERT_EQ(Show(events), (V{"oversized:11"}));
  EXPECT_EQ(std::get<MllpError>(events[0]).head, "MSH|012345");
  EXPECT_TRUE(f.Feed(std::string(1000, 'z')).empty());  // skipped, not buffered
  EXPECT_EQ(Show(f.Feed("\x1c\x0d" + MllpWrap("small"))), (V{"frame:small"}));
  // Exactly the limit is fine.
  EXPECT_EQ(Show(f.Feed(MllpWrap(std::string(10, 'k')))), (V{"frame:" + std::string(10, 'k')}));
}

TEST(MllpFramer, OversizedFrameEndedByAStartByteStartsTheNextFrame) {
  MllpFramer f(4);
  EXPECT_EQ(Show(f.Feed("\x0b" "123456789" + MllpWrap("ok"))), (V{"oversized:5", "frame:ok"}));
}

TEST(MllpFramer, StartByteInsideAFrameDropsTheUnfinishedOne) {
  MllpFramer f;
  auto events = f.Feed("\x0b" "MSH|half" + MllpWrap("whole"));
  ASSERT_EQ(Show(events), (V{"interrupted:8", "frame:whole"}));
  EXPECT_EQ(std::get<MllpError>(events[0]).head, "MSH|half");
}

TEST(MllpFramer, EndBlockWithoutCrStillEndsTheFrame) {
  MllpFramer f;
  EXPECT_EQ(Show(f.Feed("\x0b" "a\x1c" "x" + MllpWrap("b"))),
            (V{"frame:a", "nocr:0", "garbage:1", "frame:b"}));
  EXPECT_EQ(Show(f.Feed("\x0b" "c\x1c\x0b" "d\x1c\x0d")), (V{"frame:c", "nocr:0", "frame:d"}));
}

TEST(MllpFramer, FinishReportsWhatWasUnfinished) {
  MllpFramer f;
  f.Feed("\x0b" "MSH|part");
  EXPECT_TRUE(f.in_frame());
  EXPECT_EQ(Show(f.Finish()), (V{"truncated:8"}));
  EXPECT_FALSE(f.in_frame());
  f.Feed("\x0b" "done\x1c");
  EXPECT_EQ(Show(f.Finish()), (V{"frame:done", "nocr:0"}));
  MllpFramer small(2);
  small.Feed("\x0b" "abcdef");
  EXPECT_EQ(Show(small.Finish()), (V{"truncated:6"}));
}

TEST(MllpFramer, EmptyFrameIsAFrame) {
  MllpFramer f;
  EXPECT_EQ(Show(f.Feed(MllpWrap(""))), (V{"frame:"}));
}

}  // namespace
}  // namespace slussen::hl7
