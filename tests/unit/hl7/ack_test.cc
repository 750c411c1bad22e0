#include "hl7/ack.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "hl7/parser.h"
#include "hl7/writer.h"

namespace slussen::hl7 {
namespace {

using namespace std::chrono;

const system_clock::time_point kNow = sys_days{2026y / November / 29} + hours{3} + minutes{30};

Message Request() {
  auto m = Parse(
      "MSH|^~\\&|COSMIC|HSH^SE2321000115-SH01^HSA|SLUSSEN|REGION HALLAND|20261123103002+0100||"
      "ADT^A01^ADT_A01|HSH0001|P|2.5\rEVN|A01\rPID|1\r");
  EXPECT_TRUE(m.ok()) << m.error();
  return *m;
}

// Field by field: GCC 12 at -O3 takes a Problem brace-initialised from string literals for
// maybe uninitialised (-Wmaybe-uninitialized, an error with -Werror in a Release build).
Problem MakeProblem(AckCode ack, ConditionCode code, ErrorLocation location, std::string text) {
  Problem p;
  p.ack = ack;
  p.code = code;
  p.location = std::move(location);
  p.text = std::move(text);
  return p;
}

AckBuilder Builder() {
  int n = 0;
  return AckBuilder({"SLUSSEN", "SE2321000115-HUB"}, [] { return kNow; },
                    [n]() mutable { return "ACK" + std::to_string(++n); });
}

TEST(Hl7Ack, AcceptSwapsSenderAndReceiverAndEchoesTheControlId) {
  AckBuilder b = Builder();
  const Message ack = b.Accept(Request(), "nothing to send: A03");
  EXPECT_EQ(ack.Get("MSH", 3), "SLUSSEN");
  EXPECT_EQ(ack.Get("MSH", 4), "REGION HALLAND");
  EXPECT_EQ(ack.Get("MSH", 5), "COSMIC");
  EXPECT_EQ(ack.Get("MSH", 6, 1, 2), "SE2321000115-SH01");
  EXPECT_EQ(ack.Get("MSH", 7), "20261129043000+0100");
  EXPECT_EQ(ack.Get("MSH", 9, 1, 1), "ACK");
  EXPECT_EQ(ack.Get("MSH", 9, 1, 2), "A01");
  EXPECT_EQ(ack.Get("MSH", 9, 1, 3), "ACK");
  EXPECT_EQ(ack.Get("MSH", 10), "ACK1");
  EXPECT_EQ(ack.Get("MSH", 11), "P");
  EXPECT_EQ(ack.Get("MSH", 12), "2.5");
  EXPECT_EQ(ack.Get("MSA", 1), "AA");
  EXPECT_EQ(ack.Get("MSA", 2), "HSH0001");
  EXPECT_EQ(ack.Get("MSA", 3), "nothing to send: A03");
  EXPECT_EQ(ack.Find("ERR"), nullptr);
  EXPECT_EQ(Write(ack),
            "MSH|^~\\&|SLUSSEN|REGION HALLAND|COSMIC|HSH^SE2321000115-SH01^HSA|"
            "20261129043000+0100||ACK^A01^ACK|ACK1|P|2.5\rMSA|AA|HSH0001|nothing to send: A03\r");
  // Every ACK gets a new control id.
  EXPECT_EQ(b.Accept(Request()).Get("MSH", 10), "ACK2");
}

TEST(Hl7Ack, RefuseListsEveryProblemInErrSegments) {
  AckBuilder b = Builder();
  const Problem missing = MakeProblem(AckCode::kError, ConditionCode::kRequiredFieldMissing,
                                      {"PV1", 1, 19, 0, 1}, "PV1-19: no visit number");
  const Problem hub =
      MakeProblem(AckCode::kError, ConditionCode::kApplicationInternalError, {},
                  "the hub refused: patient.identity.id: check digit wrong|really");
  const Message ack = b.Refuse(Request(), {missing, hub});
  EXPECT_EQ(ack.Get("MSA", 1), "AE");
  EXPECT_EQ(ack.Get("MSA", 2), "HSH0001");
  EXPECT_EQ(ack.Get("MSA", 3), "PV1-19: no visit number");
  ASSERT_EQ(ack.Count("ERR"), 2);
  const Segment* err = ack.Find("ERR");
  EXPECT_EQ(err->Get(2, 1, 1), "PV1");
  EXPECT_EQ(err->Get(2, 1, 2), "1");
  EXPECT_EQ(err->Get(2, 1, 3), "19");
  EXPECT_EQ(err->Get(2, 1, 5), "1");
  EXPECT_EQ(err->Get(3, 1, 1), "101");
  EXPECT_EQ(err->Get(3, 1, 2), "Required field missing");
  EXPECT_EQ(err->Get(3, 1, 3), "HL70357");
  EXPECT_EQ(err->Get(4), "E");
  EXPECT_EQ(err->Get(8), "PV1-19: no visit number");
  EXPECT_EQ(ack.Find("ERR", 2)->Get(2), "");
  EXPECT_EQ(ack.Find("ERR", 2)->Get(3, 1, 1), "207");
  // Delimiters in texts are escaped on the wire and come back intact.
  const std::string wire = Write(ack);
  EXPECT_NE(wire.find("check digit wrong\\F\\really"), std::string::npos) << wire;
  auto back = Parse(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Find("ERR", 2)->Get(8), hub.text);
}

TEST(Hl7Ack, AnyRejectProblemMakesItAr) {
  AckBuilder b = Builder();
  const Problem trigger = MakeProblem(AckCode::kReject, ConditionCode::kUnsupportedEventCode,
                                      {"MSH", 1, 9, 0, 2}, "MSH-9: trigger event not supported");
  const Message ack = b.Refuse(Request(), {trigger});
  EXPECT_EQ(ack.Get("MSA", 1), "AR");
  EXPECT_EQ(ack.Get("ERR", 3), "201");
}

TEST(Hl7Ack, AckUsesTheRequestsDelimiters) {
  auto req = Parse("MSH#!$?%#APP#FAC#ME#US#20261123##ADT!A08#C7#P#2.5\r");
  ASSERT_TRUE(req.ok()) << req.error();
  AckBuilder b = Builder();
  const std::string wire = Write(b.Accept(*req));
  EXPECT_EQ(wire.substr(0, 9), "MSH#!$?%#");
  EXPECT_NE(wire.find("ACK!A08!ACK"), std::string::npos) << wire;
  EXPECT_NE(wire.find("MSA#AA#C7"), std::string::npos) << wire;
}

TEST(Hl7Ack, RejectFrameSalvagesWhatItCanFromABrokenMsh) {
  AckBuilder b = Builder();
  // MSH-2 is broken (too short), but the fields after it can still be read.
  const Message ack = b.RejectFrame(
      "MSH|^~|COSMIC^x|HSH|SLUSSEN||2026||ADT^A01|HSH0099|P|2.5\rPID|1\r", "MSH-2: broken");
  EXPECT_EQ(ack.Get("MSH", 3), "SLUSSEN");
  EXPECT_EQ(ack.Get("MSH", 4), "SE2321000115-HUB");
  EXPECT_EQ(ack.Get("MSH", 5), "COSMIC");
  EXPECT_EQ(ack.Get("MSH", 6), "HSH");
  EXPECT_EQ(ack.Get("MSH", 9, 1, 2), "A01");
  EXPECT_EQ(ack.Get("MSA", 1), "AR");
  EXPECT_EQ(ack.Get("MSA", 2), "HSH0099");
  EXPECT_EQ(ack.Get("MSA", 3), "MSH-2: broken");
  EXPECT_EQ(ack.Get("ERR", 3), "100");
  EXPECT_EQ(ack.Get("ERR", 8), "MSH-2: broken");
}

TEST(Hl7Ack, RejectFrameOfSomethingThatIsNotHl7AtAll) {
  AckBuilder b = Builder();
  const Message ack = b.RejectFrame("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "not HL7");
  EXPECT_EQ(ack.Get("MSH", 3), "SLUSSEN");
  EXPECT_EQ(ack.Get("MSH", 5), "");
  EXPECT_EQ(ack.Get("MSH", 9), "ACK");
  EXPECT_EQ(ack.Get("MSH", 11), "P");
  EXPECT_EQ(ack.Get("MSH", 12), "2.5");
  EXPECT_EQ(ack.Get("MSA", 1), "AR");
  EXPECT_EQ(ack.Get("MSA", 2), "");
  // Salvaged values are printable and short: nothing of a binary frame is echoed raw.
  const Message bin = b.RejectFrame(std::string("MSH|^~\\&|\x01\x02\xff" "A|B|C|||||") +
                                        std::string(500, 'x') + "|", "bad");
  EXPECT_EQ(bin.Get("MSH", 5), "A");
  EXPECT_EQ(bin.Get("MSA", 2).size(), 64u);
  EXPECT_TRUE(Parse(Write(bin)).ok());
}

TEST(Hl7Ack, DefaultControlIdsAreClockTimeAndACounterWithin20Characters) {
  AckBuilder b({"SLUSSEN", ""}, [] { return kNow; });
  const std::string first = b.Accept(Request()).Get("MSH", 10);
  const std::string second = b.Accept(Request()).Get("MSH", 10);
  EXPECT_EQ(first, "20261129043000000000");
  EXPECT_EQ(second, "20261129043000000001");
  EXPECT_LE(first.size(), 20u);
}

}  // namespace
}  // namespace slussen::hl7
