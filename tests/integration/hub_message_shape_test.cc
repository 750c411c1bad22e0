// Integration tests: the shape of an inbound message beyond its body, sent by a client the
// project did not write where a well-behaved library cannot produce it (testing/
// raw_amqp_socket.h): exactly one data section, and a message-id that is the event id. (Before
// the per-connection transport of issue 9, Proton kept the last of two data sections and the hub
// accepted the message.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "hub_client.h"
#include "testing/hub_checks.h"
#include "testing/hub_fixture.h"
#include "testing/raw_amqp_socket.h"
#include "testing/test_envelopes.h"

namespace slussen::testing {
namespace {

using client::OutcomeName;
using client::OutgoingMessage;
using client::SendOutcome;
using std::chrono::seconds;
using ::testing::HasSubstr;

class HubMessageShape : public HubTest {};

// A message with two data sections [garbage, envelope] is rejected: the hub must not drop the
// first and accept the second. The same envelope in one section, sent the same raw way, is
// accepted (so a rejection is about the sections, not the framer).
TEST_F(HubMessageShape, TwoDataSectionsAreRejected) {
  auto raw = RawConnect(hub());
  ASSERT_TRUE(raw);
  std::string error;
  ASSERT_TRUE(raw->AttachSender(0, "events", RawAmqpSocket::In(seconds(10)), &error)) << error;
  auto outcome_of = [&](uint32_t delivery_id, const std::string& message) -> std::optional<AmqpFrame> {
    if (!raw->SendTransfer(0, delivery_id, message, false)) return std::nullopt;
    return raw->ReadUntil([](const AmqpFrame& f) {
      return f.code == amqp::kDisposition || f.code == amqp::kClose || f.code == amqp::kDetach;
    }, RawAmqpSocket::In(seconds(30)));
  };

  const v1::Envelope single = ValidInskrivning();
  const auto ok = outcome_of(0, EncodeAmqpMessage({single.SerializeAsString()}, single.event_id()));
  ASSERT_TRUE(ok) << raw->last_error() << HubLog();
  EXPECT_EQ(ok->Outcome(), "accepted") << ok->Describe();

  const v1::Envelope env = ValidInskrivning();
  const auto two = outcome_of(
      1, EncodeAmqpMessage({std::string(40, '\xff'), env.SerializeAsString()}, env.event_id()));
  ASSERT_TRUE(two) << raw->last_error() << HubLog();
  EXPECT_EQ(two->Outcome(), "rejected") << two->Describe();
  if (two->Error()) {
    EXPECT_FALSE(two->Error()->description.empty());
  }
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + env.event_id() + "'"),
            0);
}

// The AMQP message-id must be the event id: a different one is rejected with a reason naming
// message-id; none at all is accepted.
TEST_F(HubMessageShape, MessageIdDifferentFromEventIdIsRejected) {
  auto c = NewClient();
  ASSERT_TRUE(c);
  const v1::Envelope env = ValidInskrivning();
  OutgoingMessage msg = ToMessage(env);
  msg.message_id = NewEventId();
  const SendOutcome out = c->Send("events", msg);
  EXPECT_EQ(out.kind, SendOutcome::Kind::kRejected) << OutcomeName(out.kind) << HubLog();
  EXPECT_EQ(out.condition, "slussen:invalid-event");
  EXPECT_THAT(out.description, HasSubstr("message-id"));
  EXPECT_THAT(out.description, ::testing::Not(HasSubstr(msg.message_id)));

  OutgoingMessage none = ToMessage(ValidInskrivning());
  none.message_id.clear();
  const SendOutcome accepted = c->Send("events", none);
  EXPECT_EQ(accepted.kind, SendOutcome::Kind::kAccepted)
      << OutcomeName(accepted.kind) << " " << accepted.description << HubLog();
}

// A message-id of another AMQP type (ulong) is not the event id either.
TEST_F(HubMessageShape, NonStringMessageIdIsRejected) {
  auto raw = RawConnect(hub());
  ASSERT_TRUE(raw);
  std::string error;
  ASSERT_TRUE(raw->AttachSender(0, "events", RawAmqpSocket::In(seconds(10)), &error)) << error;
  const v1::Envelope env = ValidInskrivning();
  ASSERT_TRUE(raw->SendTransfer(0, 0, EncodeAmqpMessage({env.SerializeAsString()}, "", 5), false));
  const auto d = raw->ReadUntil([](const AmqpFrame& f) { return f.code == amqp::kDisposition; },
                                RawAmqpSocket::In(seconds(30)));
  ASSERT_TRUE(d) << raw->last_error() << HubLog();
  EXPECT_EQ(d->Outcome(), "rejected") << d->Describe();
  ASSERT_TRUE(d->Error());
  EXPECT_THAT(d->Error()->description, HasSubstr("message-id"));
}

}  // namespace
}  // namespace slussen::testing
