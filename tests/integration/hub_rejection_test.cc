// Integration tests: bad input to the real hub is rejected with slussen:invalid-event, explained,
// and kept in dead_letters; the hub survives it. These are about the embedded hub's listener and
// its answer to the sender; the invalid personnummer runs in both modes in
// hub_rejection_modes_test.cc (in broker mode the broker answers the sender).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

#include "hub_client.h"
#include "testing/hub_checks.h"
#include "testing/hub_fixture.h"
#include "testing/message_collector.h"
#include "testing/raw_sender.h"
#include "testing/test_envelopes.h"

namespace slussen::testing {
namespace {

using client::HubClient;
using client::OutcomeName;
using client::OutgoingMessage;
using client::SendOutcome;
using ::testing::HasSubstr;
using ::testing::Not;
using std::chrono::seconds;

constexpr char kInvalidEvent[] = "slussen:invalid-event";

class HubRejection : public HubTest {
 protected:
  // Sends `msg` and expects a rejection with slussen:invalid-event and a description.
  SendOutcome SendRejected(HubClient& c, const OutgoingMessage& msg,
                           std::chrono::milliseconds timeout = seconds(30)) {
    const SendOutcome out = c.Send("events", msg, timeout);
    EXPECT_EQ(out.kind, SendOutcome::Kind::kRejected)
        << "got " << OutcomeName(out.kind) << " " << out.condition << ": " << out.description
        << HubLog();
    EXPECT_EQ(out.condition, kInvalidEvent);
    EXPECT_FALSE(out.description.empty()) << "a rejection must say why";
    return out;
  }

  // Waits until dead_letters has `n` rows and returns them.
  std::vector<DeadLetterRow> WaitForDeadLetters(std::size_t n) {
    std::vector<DeadLetterRow> rows;
    const bool ok = PollUntil([&] {
      rows = store().DeadLetters();
      return rows.size() >= n;
    });
    EXPECT_TRUE(ok) << "dead_letters has " << rows.size() << " rows, want " << n << HubLog();
    EXPECT_EQ(rows.size(), n);
    return rows;
  }

  void ExpectStillServing() { EXPECT_TRUE(HubStillServes(hub())) << HubLog(); }
};

std::string RandomBytes(std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& ch : s) ch = static_cast<char>(rng() & 0xff);
  return s;
}

struct BadBody {
  std::string name;
  OutgoingMessage msg;
};

// Each kind of unreadable input: rejected, explained, dead-lettered, and the hub carries on.
TEST_F(HubRejection, MalformedBodiesAreRejectedAndDeadLettered) {
  const std::string valid = ValidInskrivning().SerializeAsString();
  OutgoingMessage as_string = RawMessage("this is an amqp-value string, not a data section");
  as_string.body_as_string = true;
  std::vector<BadBody> cases = {
      // Bytes chosen so that they are not a parseable Envelope: 0xff... starts field 31 with
      // wire type 7, which does not exist.
      {"random bytes", RawMessage("\xff\xff\xff\xff" + RandomBytes(252, 42))},
      {"empty body", RawMessage("")},
      {"truncated envelope", RawMessage(valid.substr(0, valid.size() - 3))},
      {"amqp-value string body", as_string},
      {"10 MB body", RawMessage(RandomBytes(10 * 1024 * 1024, 7))},
  };

  auto c = NewClient();
  ASSERT_TRUE(c);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    SendRejected(*c, cases[i].msg, seconds(120));
    const auto rows = WaitForDeadLetters(i + 1);
    if (rows.size() == i + 1) {
      const DeadLetterRow& row = rows.back();
      EXPECT_FALSE(row.reasons.empty());
      EXPECT_EQ(row.address, "events");
      EXPECT_GT(row.received_at_us, 0);
      // A data-section body is kept as received, or cut and marked as cut. (An amqp-value body
      // has no data section; what the hub keeps of it is its own choice.)
      if (!cases[i].msg.body_as_string && row.body != cases[i].msg.body) {
        EXPECT_TRUE(row.body_truncated) << "stored body differs but is not marked truncated";
        EXPECT_EQ(row.body, cases[i].msg.body.substr(0, row.body.size()))
            << "stored body is not a prefix of the received one";
      }
    }
  }
  ExpectStillServing();
}

// A transfer whose payload is not an encoded AMQP message at all (a broken or hostile peer): the
// hub must not crash and must never accept it. It closes that peer's connection with
// amqp:decode-error (so the peer sees no outcome) and keeps serving everyone else;
// hub_transport_test.cc checks the close and the other connections.
TEST_F(HubRejection, TransferThatIsNotAnAmqpMessageDoesNotTakeTheHubDown) {
  const std::vector<std::string> payloads = {
      RandomBytes(64, 1),
      std::string("\x00\x53\x75\xa0\xff\x01", 6),  // a data section announcing 255 bytes, holding 1
      std::string(),
  };
  for (const auto& payload : payloads) {
    SCOPED_TRACE("payload of " + std::to_string(payload.size()) + " bytes");
    const RawSendResult r = SendRawTransfer(hub().url(), "events", payload, seconds(3));
    EXPECT_TRUE(hub().Alive()) << "hub died: " << hub().last_exit().ToString() << HubLog();
    if (r.settled) {
      EXPECT_EQ(r.outcome, "rejected") << HubLog();
    }
  }
  ExpectStillServing();
  EXPECT_EQ(store().QueryInt("SELECT COUNT(*) FROM events"), 1) << "only the valid event may be stored";
}

// A real kommun that this hub does not serve.
TEST_F(HubRejection, UnknownKommunIsRejected) {
  const v1::Envelope env = ValidInskrivning(NewEventId(), "0180");  // Stockholm
  auto c = NewClient();
  ASSERT_TRUE(c);
  const SendOutcome out = SendRejected(*c, ToMessage(env));
  EXPECT_THAT(out.description, HasSubstr("0180"));
  EXPECT_THAT(out.description, HasSubstr("patient.kommunkod"));
  const auto rows = WaitForDeadLetters(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].reasons, HasSubstr("0180"));
}

// Every problem of a message is named, not just the first.
TEST_F(HubRejection, DescriptionNamesEveryProblem) {
  v1::Envelope env = ValidInskrivning(NewEventId(), "0180");
  env.mutable_patient()->mutable_identity()->set_id(kBadCheckDigitPersonnummer);
  auto c = NewClient();
  ASSERT_TRUE(c);
  const SendOutcome out = SendRejected(*c, ToMessage(env));
  EXPECT_THAT(out.description, HasSubstr("patient.identity.id"));
  EXPECT_THAT(out.description, HasSubstr("patient.kommunkod"));
}

// Timestamps at the limits of google.protobuf.Timestamp are refused with their own reasons (no
// int64 overflow lets them pass); a time before 1970 is present and, for an admission, accepted.
TEST_F(HubRejection, TimestampsAtTheProtobufLimitsAreRejected) {
  auto c = NewClient();
  ASSERT_TRUE(c);
  v1::Envelope year_9999 = ValidInskrivning();
  year_9999.mutable_occurred_at()->set_seconds(253'402'300'799);
  EXPECT_THAT(SendRejected(*c, ToMessage(year_9999)).description,
              HasSubstr("occurred_at: implausibly far in the future"));

  v1::Envelope nanos = ValidInskrivning();
  nanos.mutable_occurred_at()->set_nanos(2'000'000'000);
  EXPECT_THAT(SendRejected(*c, ToMessage(nanos)).description,
              HasSubstr("occurred_at: nanos 2000000000 is invalid"));

  v1::Envelope before_1900 = ValidInskrivning();
  before_1900.mutable_inskrivningsmeddelande()->mutable_admitted_at()->set_seconds(-2'208'988'801);
  EXPECT_THAT(SendRejected(*c, ToMessage(before_1900)).description,
              HasSubstr("inskrivningsmeddelande.admitted_at: implausibly far in the past"));

  v1::Envelope before_1970 = ValidInskrivning();
  before_1970.mutable_inskrivningsmeddelande()->mutable_admitted_at()->set_seconds(-86'400);
  const SendOutcome out = c->Send("events", ToMessage(before_1970));
  EXPECT_EQ(out.kind, SendOutcome::Kind::kAccepted)
      << OutcomeName(out.kind) << " " << out.condition << ": " << out.description << HubLog();
  ExpectStillServing();
}

// Unknown addresses are refused at attach; the hub keeps serving.
TEST_F(HubRejection, UnknownAddressesAreRefused) {
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    MessageCollector sink;
    std::string error;
    EXPECT_EQ(c->Receive("out/nope", sink.Handler(), 10, &error), -1)
        << "receiving from out/nope was allowed";
    EXPECT_FALSE(error.empty());
  }
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    MessageCollector sink;
    std::string error;
    EXPECT_EQ(c->Receive("bogus", sink.Handler(), 10, &error), -1)
        << "receiving from bogus was allowed";
    EXPECT_FALSE(error.empty());
  }
  {
    auto c = NewClient();
    ASSERT_TRUE(c);
    const SendOutcome out = c->Send("bogus", ToMessage(ValidInskrivning()));
    EXPECT_EQ(out.kind, SendOutcome::Kind::kError)
        << "sending to bogus: " << OutcomeName(out.kind) << " " << out.condition << ": "
        << out.description;
  }
  ExpectStillServing();
}

}  // namespace
}  // namespace slussen::testing
