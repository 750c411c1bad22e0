#include <gtest/gtest.h>

#include <string>

#include "hl7/escape.h"
#include "hl7/parser.h"
#include "hl7/writer.h"

namespace slussen::hl7 {
namespace {

const Delimiters kStd;

TEST(Hl7Escape, UnknownAndBrokenSequencesAreKeptLiterally) {
  EXPECT_EQ(Unescape("\\H\\bold\\N\\", kStd), "\\H\\bold\\N\\");
  EXPECT_EQ(Unescape("\\.sp2\\", kStd), "\\.sp2\\");
  EXPECT_EQ(Unescape("\\C2842\\x", kStd), "\\C2842\\x");
  EXPECT_EQ(Unescape("a\\Fb", kStd), "a\\Fb");        // no closing escape
  EXPECT_EQ(Unescape("a\\", kStd), "a\\");
  EXPECT_EQ(Unescape("\\X4\\", kStd), "\\X4\\");      // odd number of digits
  EXPECT_EQ(Unescape("\\XZZ\\", kStd), "\\XZZ\\");    // not hex
  EXPECT_EQ(Unescape("\\X\\", kStd), "\\X\\");
  EXPECT_EQ(Unescape("\\\\", kStd), "\\\\");          // empty sequence
  EXPECT_EQ(Unescape("\\xc3\\", kStd), "\\xc3\\");    // lower-case x is no hex escape
}

TEST(Hl7Escape, HexEscapesCarryBytes) {
  EXPECT_EQ(Unescape("\\XC3A5\\", kStd), "å");
  EXPECT_EQ(Unescape("\\Xc3a5\\", kStd), "å");
  EXPECT_EQ(Unescape("a\\X0D0A\\b", kStd), "a\r\nb");
}

TEST(Hl7Escape, EscapeRoundTripsEveryDelimiterAndLineBreaks) {
  const std::string text = "a|b^c&d~e\\f\ng\rh åäö";
  const std::string escaped = Escape(text, kStd);
  EXPECT_EQ(escaped, "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g\\X0D\\h åäö");
  EXPECT_EQ(Unescape(escaped, kStd), text);
  // With other delimiters, the standard's characters are plain data.
  const Delimiters odd{'#', '!', '$', '?', '%'};
  EXPECT_EQ(Escape("a|b^c#d?", odd), "a|b^c?F?d?E?");
  EXPECT_EQ(Unescape(Escape("x#y!z$w%v?u", odd), odd), "x#y!z$w%v?u");
}

TEST(Hl7Writer, WritesMshWithTheMessagesDelimitersAndEscapesLeaves) {
  Message m;
  Segment& msh = m.Add("MSH");
  msh.Set(3, "APP");
  msh.SetComponents(9, {"ACK", "A01", "ACK"});
  msh.Set(10, "C1");
  Segment& nte = m.Add("NTE");
  nte.Set(3, 1, 1, 1, "a|b");
  nte.Set(3, 2, 2, 2, "x&y");
  EXPECT_EQ(Write(m), "MSH|^~\\&|APP||||||ACK^A01^ACK|C1\rNTE|||a\\F\\b~^&x\\T\\y\r");
}

TEST(Hl7Writer, TrailingEmptyPartsAreLeftOut) {
  Message m;
  Segment& pid = m.Add("PID");
  pid.Set(3, 1, 1, 1, "1");
  pid.Set(3, 1, 4, 1, "");
  pid.Set(7, "");
  Segment& empty = m.Add("PD1");
  empty.Set(5, "");
  EXPECT_EQ(Write(m), "PID|||1\rPD1\r");
}

TEST(Hl7Writer, ParseWriteParseIsStable) {
  const std::string text =
      "MSH|^~\\&|COSMIC|HSH^SE2321000115-SH01^HSA|SLUSSEN||20261123103002+0100||ADT^A01^ADT_A01|"
      "C1|P|2.5\rPID|1||190704019801^^^S&1.2.752.129.2.1.3.1&ISO~X^^^Y||Karlsson^Greta||"
      "x\\F\\y\\.br\\z\rZSP|Y||S\r";
  auto first = Parse(text);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(Write(*first), text);
  auto second = Parse(Write(*first));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Write(*second), text);

  // Another message's delimiters are written back as they came.
  const std::string odd = "MSH#!$?%#APP#FAC\rPID#1##1!2%3$4##Name ?F?\r";
  auto o = Parse(odd);
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(Write(*o), odd);
}

}  // namespace
}  // namespace slussen::hl7
