// EncodeMessage: the bytes must be what any AMQP 1.0 library reads as the message we mean.
// Checked with Proton's own decoder and with ours, in the one-byte and four-byte forms.
#include "transport/message_encoder.h"

#include <gtest/gtest.h>
#include <proton/binary.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/scalar.hpp>

#include <string>

#include "transport/message_codec.h"

namespace slussen::testing {
namespace {

proton::message DecodeWithProton(const std::string& bytes) {
  proton::message m;
  m.decode(std::vector<char>(bytes.begin(), bytes.end()));
  return m;
}

OutgoingMessage Sample(std::string_view body, std::string_view case_id) {
  OutgoingMessage m;
  m.message_id = "5f0c7d1e-0b7a-4c5e-9a57-3f1f7a8b9c0d";
  m.subject = "Inskrivningsmeddelande";
  m.content_type = "application/x-protobuf";
  m.properties = {{"event_type", "Inskrivningsmeddelande"},
                  {"case_id", case_id},
                  {"schema_version", "1"}};
  m.body = body;
  return m;
}

void ExpectReadBack(const OutgoingMessage& sent) {
  std::string bytes = "left over from the last message";
  EncodeMessage(sent, bytes);

  const proton::message m = DecodeWithProton(bytes);
  EXPECT_EQ(proton::get<std::string>(m.id()), sent.message_id);
  EXPECT_EQ(m.subject(), sent.subject);
  EXPECT_EQ(m.content_type(), sent.content_type);
  EXPECT_EQ(m.durable(), sent.durable);
  EXPECT_TRUE(m.inferred()) << "the body must be a data section, not an amqp-value";
  EXPECT_EQ(proton::get<proton::binary>(m.body()), proton::binary(std::string(sent.body)));
  ASSERT_EQ(m.properties().size(), sent.properties.size());
  for (const auto& [key, value] : sent.properties) {
    EXPECT_EQ(proton::get<std::string>(m.properties().get(std::string(key))), value) << key;
  }

  auto ours = DecodeMessage(bytes, /*complete=*/true, sent.body.size());
  ASSERT_TRUE(ours.ok()) << ours.error();
  EXPECT_EQ(ours->message_id, sent.message_id);
  EXPECT_EQ(ours->body, sent.body);
  EXPECT_EQ(ours->body_problem, "");
}

TEST(MessageEncoder, ShortFieldsReadBackByProton) {
  ExpectReadBack(Sample("\x0a\x24 a small envelope", "SE2321000115-E1/B1"));
}

TEST(MessageEncoder, LongBodyAndPropertiesUseTheFourByteForms) {
  // A body over 255 bytes (vbin32), a property value over 255 (str32), so the properties map
  // is over 255 bytes too (map32).
  const std::string body(70000, '\x7f');
  const std::string case_id(300, 'c');
  ExpectReadBack(Sample(body, case_id));
}

TEST(MessageEncoder, NotDurableHasNoHeader) {
  OutgoingMessage m = Sample("x", "c");
  m.durable = false;
  ExpectReadBack(m);
  std::string bytes;
  EncodeMessage(m, bytes);
  EXPECT_EQ(bytes.substr(0, 3), std::string("\x00\x53\x73", 3)) << "properties come first";
}

// Byte for byte the same header, properties and data section as Proton writes. The application
// properties differ only in form (Proton always writes map32, sorted by key), which
// ExpectReadBack shows decodes the same.
TEST(MessageEncoder, MatchesProtonsOwnEncodingOfTheSameMessage) {
  const OutgoingMessage sent = Sample("body", "SE2321000115-E1/B1");
  std::string ours;
  EncodeMessage(sent, ours);

  proton::message m;
  m.id(proton::message_id(std::string(sent.message_id)));
  m.subject(std::string(sent.subject));
  m.content_type(std::string(sent.content_type));
  m.durable(true);
  m.body(proton::binary(std::string(sent.body)));
  m.inferred(true);
  for (const auto& [key, value] : sent.properties) {
    m.properties().put(std::string(key), std::string(value));
  }
  std::vector<char> theirs;
  m.encode(theirs);
  const std::string proton_bytes(theirs.begin(), theirs.end());
  const std::string app_properties("\x00\x53\x74", 3), data("\x00\x53\x75", 3);
  ASSERT_NE(ours.find(app_properties), std::string::npos);
  EXPECT_EQ(ours.substr(0, ours.find(app_properties)),
            proton_bytes.substr(0, proton_bytes.find(app_properties)));
  EXPECT_EQ(ours.substr(ours.find(data)), proton_bytes.substr(proton_bytes.find(data)));
}

}  // namespace
}  // namespace slussen::testing
