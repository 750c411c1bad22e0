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

}  // namespace
}  // namespace slussen
