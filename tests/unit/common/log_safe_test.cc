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

// A peer can put a personnummer into any string the hub logs (a container id, an event id): a
// number shaped like one never reaches the log, in any of its written forms.
TEST(LogSafe, NumbersShapedLikeAPersonnummerAreRedacted) {
  EXPECT_EQ(LogSafe("evil-194107086995"), "evil-<personnummer?>");
  EXPECT_EQ(LogSafe("id 19410708-6995 x"), "id <personnummer?> x");
  EXPECT_EQ(LogSafe("410708-6995"), "<personnummer?>");
  EXPECT_EQ(LogSafe("4107086995\n"), "<personnummer?>\\x0a");
  EXPECT_EQ(LogSafe("samordning 194107686995"), "samordning <personnummer?>");  // day 61-91
  EXPECT_EQ(LogSafe("a\n197001011234"), "a\\x0a<personnummer?>");
}

TEST(LogSafe, OtherNumbersAreKept) {
  // HSA-ids carry an organisationsnummer, whose "day" is never a day.
  EXPECT_EQ(LogSafe("SE2321000115-SH01"), "SE2321000115-SH01");
  EXPECT_EQ(LogSafe("kommun-1380 seq 1234567890123"), "kommun-1380 seq 1234567890123");
  EXPECT_EQ(LogSafe("19410708699"), "19410708699");     // 11 digits
  EXPECT_EQ(LogSafe("1941070869951"), "1941070869951");  // 13 digits
  EXPECT_EQ(LogSafe("18410708-6995"), "18410708-6995");  // no such century
  EXPECT_EQ(LogSafe("19411308-6995"), "19411308-6995");  // month 13
}

}  // namespace
}  // namespace slussen
