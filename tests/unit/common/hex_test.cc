#include "common/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace slussen {
namespace {

TEST(LowerHex, TwoLowercaseDigitsABytePaddedWithZero) {
  EXPECT_EQ(LowerHex(std::string("\x00\x0f\x10\xab\xff", 5)), "000f10abff");
  const unsigned char bytes[] = {0xde, 0xad, 0x01};
  EXPECT_EQ(LowerHex(bytes, sizeof bytes), "dead01");
  EXPECT_EQ(LowerHex(""), "");
}

TEST(FromLowerHex, GivesBackTheBytesOfWhatLowerHexPrints) {
  const std::string bytes("\x00\x0f\x10\xab\xff", 5);
  EXPECT_EQ(FromLowerHex(LowerHex(bytes)), bytes);
  std::string every(256, '\0');
  for (int i = 0; i < 256; ++i) every[static_cast<std::size_t>(i)] = static_cast<char>(i);
  EXPECT_EQ(FromLowerHex(LowerHex(every)), every);
  char out[2];
  EXPECT_TRUE(DecodeLowerHex("beef", out));
  EXPECT_EQ(std::string(out, 2), "\xbe\xef");
  EXPECT_TRUE(IsLowerHex("0123456789abcdef"));
}

TEST(FromLowerHex, RefusesWhatLowerHexNeverPrints) {
  for (const char* s : {"", "a", "abc", "ABCD", "aBcd", "0g", "g0", " 00", "00 ", "-1", "0x"}) {
    EXPECT_FALSE(FromLowerHex(s)) << s;
    EXPECT_FALSE(IsLowerHex(s)) << s;
  }
  EXPECT_FALSE(IsLowerHex(std::string("00\0", 4)));
  char out[2];
  EXPECT_FALSE(DecodeLowerHex("zz00", out));
}

}  // namespace
}  // namespace slussen
