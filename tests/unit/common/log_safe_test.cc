// LogSafe: what comes from outside reaches a log line bounded and with every non-printable byte
// escaped, so no peer can forge a line or drive a terminal.
#include "common/log_safe.h"

#include <gtest/gtest.h>

#include <string>

namespace slussen {
namespace {

TEST(LogSafe, PrintableAsciiPassesUnchanged) {
  EXPECT_EQ(LogSafe("itest-container-1 kommun-1380/ep:1"), "itest-container-1 kommun-1380/ep:1");
}

TEST(LogSafe, NewlinesEscapesAndNonAsciiAreHexEscaped) {
  EXPECT_EQ(LogSafe("a\nb"), "a\\x0ab");
  EXPECT_EQ(LogSafe("\r\x1b[2J"), "\\x0d\\x1b[2J");
  EXPECT_EQ(LogSafe("\xc3\xa5"), "\\xc3\\xa5");  // å in UTF-8
  EXPECT_EQ(LogSafe(std::string("a\0b", 3)), "a\\x00b");
}

TEST(LogSafe, ABackslashIsDoubledSoTheEscapingIsUnambiguous) {
  EXPECT_EQ(LogSafe("\\x0a"), "\\\\x0a");
}

TEST(LogSafe, LongValuesAreCutAndSayHowLongTheyWere) {
  const std::string long_value(1000, 'x');
  EXPECT_EQ(LogSafe(long_value, 10), "xxxxxxxxxx...(1000 bytes)");
  EXPECT_EQ(LogSafe("0123456789", 10), "0123456789");
}

}  // namespace
}  // namespace slussen
