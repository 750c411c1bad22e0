#include "xml/quantities.h"

#include <gtest/gtest.h>

namespace slussen::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDurationTest, EveryUnit) {
  EXPECT_EQ(ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseDuration("30s"), seconds(30));
  EXPECT_EQ(ParseDuration("10m"), minutes(10));
  EXPECT_EQ(ParseDuration("4h"), hours(4));
  EXPECT_EQ(ParseDuration("2d"), hours(48));
  EXPECT_EQ(ParseDuration(" 0s\n"), milliseconds(0));
}

TEST(ParseDurationTest, RefusesWhatIsNotOneNumberAndOneUnit) {
  for (const char* bad : {"", "10", "s", "-1s", "1.5h", "10 m", "10M", "1w", "1s1s", "+3s"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(ParseDurationTest, AtMostTenYearsAndNoOverflow) {
  EXPECT_EQ(ParseDuration("3650d"), kMaxDuration);
  EXPECT_EQ(ParseDuration("3651d"), std::nullopt);
  EXPECT_EQ(ParseDuration("99999999999999999999ms"), std::nullopt);
  EXPECT_EQ(ParseDuration("18446744073709551615d"), std::nullopt);
}

TEST(ParseByteSizeTest, BinarySuffixes) {
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_EQ(ParseByteSize("1500"), 1500u);
  EXPECT_EQ(ParseByteSize("4k"), 4096u);
  EXPECT_EQ(ParseByteSize("3M"), 3u << 20);
  EXPECT_EQ(ParseByteSize("20G"), 20ull << 30);
  EXPECT_EQ(ParseByteSize("2T"), 2ull << 40);
  EXPECT_EQ(ParseByteSize("16777215T"), 16777215ull << 40);
  EXPECT_EQ(ParseByteSize("16777216T"), std::nullopt);  // 2^64
  EXPECT_EQ(ParseByteSize("18446744073709551616"), std::nullopt);
  for (const char* bad : {"", "G", "20GB", "20g", "1.5G", "-1", "20 G"}) {
    EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
  }
}

TEST(FormatDurationTest, ShortestExactUnit) {
  EXPECT_EQ(FormatDuration(minutes(10)), "10m");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(hours(48)), "2d");
  EXPECT_EQ(FormatDuration(hours(25)), "25h");
  EXPECT_EQ(FormatDuration(seconds(90)), "90s");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
}

}  // namespace
}  // namespace slussen::config
