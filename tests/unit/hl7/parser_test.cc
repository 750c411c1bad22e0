#include "hl7/parser.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace slussen::hl7 {
namespace {

std::string Lines(std::initializer_list<std::string_view> lines, std::string_view sep = "\r") {
  std::string out;
  for (auto l : lines) {
    out.append(l);
    out.append(sep);
  }
  return out;
}

const char* kMsh = "MSH|^~\\&|COSMIC|HSH^SE2321000115-SH01^HSA|SLUSSEN||20261123103002+0100||"
                   "ADT^A01^ADT_A01|CTRL1|P|2.5";

TEST(Hl7Parser, MshFieldsAreNumberedAsInTheStandard) {
  auto m = Parse(Lines({kMsh}));
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->Get("MSH", 1), "|");
  EXPECT_EQ(m->Get("MSH", 2), "^~\\&");
  EXPECT_EQ(m->Get("MSH", 3), "COSMIC");
  EXPECT_EQ(m->Get("MSH", 4, 1, 2), "SE2321000115-SH01");
  EXPECT_EQ(m->Get("MSH", 7), "20261123103002+0100");
  EXPECT_EQ(m->Get("MSH", 9, 1, 1), "ADT");
  EXPECT_EQ(m->Get("MSH", 9, 1, 2), "A01");
  EXPECT_EQ(m->Get("MSH", 9, 1, 3), "ADT_A01");
  EXPECT_EQ(m->Get("MSH", 10), "CTRL1");
  EXPECT_EQ(m->Get("MSH", 12), "2.5");
  EXPECT_EQ(m->Get("MSH", 13), "");
}

TEST(Hl7Parser, RepetitionsComponentsAndSubcomponents) {
  auto m = Parse(Lines({kMsh, "PID|1||111^^^A&1.2.3&ISO^PI~222^^^B&1.2.752.129.2.1.3.1&ISO^NNSWE"
                              "||Karlsson^Greta"}));
  ASSERT_TRUE(m.ok()) << m.error();
  const Segment* pid = m->Find("PID");
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(pid->repetition_count(3), 2);
  EXPECT_EQ(pid->Get(3, 2, 1), "222");
  EXPECT_EQ(pid->Get(3, 2, 4, 1), "B");
  EXPECT_EQ(pid->Get(3, 2, 4, 2), "1.2.752.129.2.1.3.1");
  EXPECT_EQ(pid->Get(3, 2, 4, 3), "ISO");
  EXPECT_EQ(pid->Get(3, 2, 5), "NNSWE");
  EXPECT_EQ(pid->Get(3, 3, 1), "");  // no third repetition
  EXPECT_EQ(pid->Get(3, 1, 4, 9), "");
  EXPECT_EQ(pid->Get(5, 1, 2), "Greta");
  EXPECT_EQ(pid->Get(4), "");
  EXPECT_EQ(pid->Get(0), "");
  EXPECT_EQ(pid->Get(-1, -1, -1, -1), "");
  EXPECT_EQ(pid->field_count(), 5);
}

TEST(Hl7Parser, EncodingCharactersAreReadFromTheMessage) {
  // Field '#', component '!', repetition '$', escape '?', subcomponent '%'.
  auto m = Parse(Lines({"MSH#!$?%#APP#FAC#####ADT!A01#C9#P#2.5",
                        "PID#1##1!2%3$4##Name ?F? and ?S? and ?E?"}));
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->delimiters.field, '#');
  EXPECT_EQ(m->delimiters.component, '!');
  EXPECT_EQ(m->delimiters.repetition, '$');
  EXPECT_EQ(m->delimiters.escape, '?');
  EXPECT_EQ(m->delimiters.subcomponent, '%');
  EXPECT_EQ(m->Get("MSH", 9, 1, 2), "A01");
  EXPECT_EQ(m->Get("PID", 3, 1, 2, 2), "3");
  EXPECT_EQ(m->Get("PID", 3, 2, 1), "4");
  // The standard's characters are data here; the message's own escapes decode to its delimiters.
  EXPECT_EQ(m->Get("PID", 5), "Name # and ! and ?");
}

TEST(Hl7Parser, EscapesAreDecodedInEveryLeaf) {
  auto m = Parse(Lines({kMsh, "NTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f^x\\.br\\y&\\X4869\\"}));
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->Get("NTE", 3, 1, 1), "a|b^c&d~e\\f");
  EXPECT_EQ(m->Get("NTE", 3, 1, 2, 1), "x\ny");
  EXPECT_EQ(m->Get("NTE", 3, 1, 2, 2), "Hi");
}

TEST(Hl7Parser, SegmentSeparatorsCrLfAndCrlfAreAllAccepted) {
  for (std::string_view sep : {"\r", "\n", "\r\n", "\n\r\n"}) {
    auto m = Parse(Lines({kMsh, "EVN|A01", "PID|1"}, sep));
    ASSERT_TRUE(m.ok()) << m.error();
    ASSERT_EQ(m->segments.size(), 3u);
    EXPECT_EQ(m->segments[1].id(), "EVN");
    EXPECT_EQ(m->segments[2].id(), "PID");
  }
  // No terminator after the last segment is fine too.
  auto m = Parse(std::string(kMsh) + "\rPID|1");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->Get("PID", 1), "1");
}

TEST(Hl7Parser, RepeatedSegmentsAreFoundByOccurrence) {
  auto m = Parse(Lines({kMsh, "OBX|1|ST|A", "OBX|2|ST|B"}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->Count("OBX"), 2);
  ASSERT_NE(m->Find("OBX", 2), nullptr);
  EXPECT_EQ(m->Find("OBX", 2)->Get(3), "B");
  EXPECT_EQ(m->Find("OBX", 3), nullptr);
  EXPECT_EQ(m->Find("ZZZ"), nullptr);
  EXPECT_EQ(m->Get("ZZZ", 1), "");
}

TEST(Hl7Parser, BareSegmentIdAndHl7NullAreKept) {
  auto m = Parse(Lines({kMsh, "PD1", "PV1|1|\"\""}));
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->Find("PD1")->field_count(), 0);
  EXPECT_EQ(m->Get("PV1", 2), "\"\"");
}

void ExpectError(std::string_view text, std::string_view fragment) {
  auto m = Parse(text);
  ASSERT_FALSE(m.ok()) << "parsed: " << text;
  EXPECT_EQ(m.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(m.error().find(fragment), std::string::npos) << m.error();
}

TEST(Hl7Parser, MalformedInputGivesClearErrors) {
  ExpectError("", "empty message");
  ExpectError("\r\n\r\n", "empty message");
  ExpectError("PID|1\rMSH|^~\\&|A", "does not start with MSH");
  ExpectError("GET / HTTP/1.1\r\nHost: x\r\n", "does not start with MSH");
  ExpectError("MSH", "too short");
  ExpectError("MSH|^~", "too short");
  ExpectError("MSHA^~\\&|X|Y", "cannot be the field separator");
  ExpectError("MSH|^~\\|X|Y|Z", "must be 4");
  ExpectError("MSH|^~\\&#!|X|Y", "must be 4");
  ExpectError("MSH|^^\\&|X|Y", "used for two delimiters");
  ExpectError("MSH|^~|&|X|Y", "must be 4");
  ExpectError("MSH|^~\\A|X|Y", "cannot be an encoding character");
  ExpectError(Lines({kMsh, "pid|1"}), "segment 2: does not start with a segment id");
  ExpectError(Lines({kMsh, "PIDX|1"}), "segment 2");
  ExpectError(Lines({kMsh, "|1"}), "segment 2");
  ExpectError(Lines({kMsh, "PID|1", kMsh}), "segment 3: a second MSH");
  ExpectError(Lines({"FHS|^~\\&", kMsh}), "batches");
  ExpectError(Lines({"BHS|^~\\&", kMsh}), "batches");
}

TEST(Hl7Parser, LimitsBoundWhatAMessageCosts) {
  std::string many = std::string(kMsh) + "\r";
  for (int i = 0; i < 20; ++i) many += "NTE|" + std::to_string(i) + "\r";
  ASSERT_TRUE(Parse(many).ok());
  ParseOptions small;
  small.max_segments = 10;
  auto m = Parse(many, small);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().find("more than 10 segments"), std::string::npos);

  ParseOptions few_leaves;
  few_leaves.max_leaves = 50;
  auto n = Parse(Lines({kMsh, "NTE|" + std::string(100, '^')}), few_leaves);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().find("segment 2: more than 50 values"), std::string::npos) << n.error();
}

}  // namespace
}  // namespace slussen::hl7
