// DecodeMessage: the sections of an encoded AMQP message, read without Proton's decoder.
#include "transport/message_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <proton/binary.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/uuid.hpp>

#include <vector>

#include "unit/transport/connection_pair.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;

std::string Encode(const proton::message& m) {
  std::vector<char> bytes;
  m.encode(bytes);
  return std::string(bytes.begin(), bytes.end());
}

proton::message DataMessage(const std::string& body) {
  proton::message m;
  m.body(proton::binary(body));
  m.inferred(true);
  return m;
}

TEST(MessageCodec, OneDataSectionWithStringId) {
  proton::message m = DataMessage("envelope");
  m.id("evt-1");
  m.subject("Kind");
  m.properties().put("case_id", "c");
  auto d = DecodeMessage(Encode(m), true, 1024);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->message_id, "evt-1");
  EXPECT_EQ(d->body, "envelope");
  EXPECT_EQ(d->body_size, 8u);
  EXPECT_EQ(d->body_problem, "");
}

TEST(MessageCodec, OtherIdTypesAreRendered) {
  proton::message m = DataMessage("x");
  m.id(proton::binary(std::string("\x01\xab", 2)));
  EXPECT_EQ(DecodeMessage(Encode(m), true, 10)->message_id, "binary:01ab");
  m.id(proton::uuid::copy("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff"));
  EXPECT_EQ(DecodeMessage(Encode(m), true, 10)->message_id, "uuid:00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(DecodeMessage(Encode(DataMessage("x")), true, 10)->message_id, "");
}

TEST(MessageCodec, BodyIsCutAtTheLimitAndItsSizeKept) {
  auto d = DecodeMessage(Encode(DataMessage(std::string(100, 'a'))), true, 10);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->body, std::string(10, 'a'));
  EXPECT_EQ(d->body_size, 100u);
}

TEST(MessageCodec, WrongBodiesAreProblemsNotErrors) {
  auto two = DecodeMessage(EncodedMessage("e", DataSection("a") + DataSection("b")), true, 10);
  ASSERT_TRUE(two.ok());
  EXPECT_THAT(two->body_problem, HasSubstr("2 data sections"));
  auto s = DecodeMessage(EncodedMessage("e", std::string("\x00\x53\x76\x45", 4)), true, 10);  // list0
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_THAT(s->body_problem, HasSubstr("amqp-sequence"));
}

TEST(MessageCodec, PrefixOfAnOversizedMessage) {
  const std::string whole = EncodedMessage("big", DataSection(std::string(5000, 'z')));
  auto d = DecodeMessage(whole.substr(0, 1000), /*complete=*/false, 100);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->message_id, "big");
  EXPECT_EQ(d->body, std::string(100, 'z'));
  EXPECT_EQ(d->body_size, 5000u);
}

TEST(MessageCodec, BytesThatAreNotAMessageAreErrors) {
  EXPECT_FALSE(DecodeMessage("", true, 10).ok());
  EXPECT_FALSE(DecodeMessage(std::string("\x00\x53\x75\xa0\xff\x01", 6), true, 10).ok());
  EXPECT_FALSE(DecodeMessage("random bytes here", true, 10).ok());
  EXPECT_FALSE(DecodeMessage(std::string("\x00\x53\x99\x45", 4), true, 10).ok()) << "unknown section";
  const auto e = DecodeMessage(std::string("\x00\x53\x73\xd0\xff\xff\xff\xff", 8), true, 10);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.error(), HasSubstr("section 1"));
}

}  // namespace
}  // namespace slussen::testing
