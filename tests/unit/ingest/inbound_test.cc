#include "ingest/inbound.h"
#include "ingest/log_pseudonym.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/clock.h"
#include "config/config.h"
#include "wire/event_kind.h"

namespace slussen {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const system_clock::time_point kNow{seconds(1'760'000'000)};  // 2025-10-09, fixed
constexpr char kHospital[] = "SE2321000131-sjh";
constexpr char kEventId[] = "0b6f5c1e-3d2a-4f7e-9a1b-2c3d4e5f6a7b";
constexpr char kAdapter[] = "ehr-test";
constexpr char kOtherId[] = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
constexpr char kMessageIdReason[] =
    "message-id: differs from event_id; the AMQP message-id must be the event id";

Config TestConfig() {
  Config c;
  c.hub_name = "test";
  c.clock_skew = seconds(300);
  c.kommuner.push_back({"1380", "Halmstad", "kommun-1380"});
  c.senders.push_back({kHospital, "Sjukhuset", {EventKind::kInskrivningsmeddelande}});
  c.routes = {{EventKind::kInskrivningsmeddelande, true, false, {}}};
  AdapterConfig adapter;  // the adapter Message() binds every message to
  adapter.name = kAdapter;
  adapter.sends[kHospital] = {EventKind::kInskrivningsmeddelande};
  c.adapters.push_back(std::move(adapter));
  return c;
}

google::protobuf::Timestamp Ts(system_clock::time_point t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(std::chrono::duration_cast<seconds>(t.time_since_epoch()).count());
  return ts;
}

v1::Envelope ValidInskrivning() {
  v1::Envelope env;
  env.set_event_id(kEventId);
  env.mutable_case_id()->set_care_unit_hsa_id(kHospital);
  env.mutable_case_id()->set_episode_id("VT-2025:1");
  env.set_sender_hsa_id(kHospital);
  *env.mutable_occurred_at() = Ts(kNow - seconds(60));
  env.set_schema_version(1);
  env.mutable_patient()->mutable_identity()->set_kind(v1::PatientIdentity::PERSONNUMMER);
  env.mutable_patient()->mutable_identity()->set_id("202508242381");
  env.mutable_patient()->set_kommunkod("1380");
  auto* m = env.mutable_inskrivningsmeddelande();
  *m->mutable_admitted_at() = Ts(kNow - seconds(3600));
  m->mutable_name()->set_family_name("Testsson");
  m->mutable_folkbokforing_address()->set_street("Storgatan 1");
  m->mutable_folkbokforing_address()->set_postal_code("302 50");
  m->mutable_folkbokforing_address()->set_city("Halmstad");
  *m->mutable_estimated_discharge_at() = Ts(kNow + seconds(5 * 86400));
  return env;
}

InboundMessage Message(const v1::Envelope& env, const std::string& message_id) {
  InboundMessage msg;
  msg.principal = kAdapter;
  msg.body = env.SerializeAsString();
  msg.body_size = msg.body.size();
  msg.message_id = message_id;
  msg.received_at_us = ToMicros(kNow);
  return msg;
}

const Refusal* AsRefusal(const InboundDecision& d) { return std::get_if<Refusal>(&d); }

TEST(DecideInbound, MessageIdEqualToEventIdIsAccepted) {
  const auto d = DecideInbound(Message(ValidInskrivning(), kEventId), TestConfig(), kNow);
  ASSERT_TRUE(std::holds_alternative<EventRecord>(d))
      << ::testing::PrintToString(AsRefusal(d)->reasons);
  EXPECT_EQ(std::get<EventRecord>(d).destinations, std::vector<std::string>{"kommun-1380"});
}

// UUIDs compare case-insensitively, as everywhere else in the hub.
TEST(DecideInbound, MessageIdInOtherCaseIsAccepted) {
  std::string upper = kEventId;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto d = DecideInbound(Message(ValidInskrivning(), upper), TestConfig(), kNow);
  EXPECT_TRUE(std::holds_alternative<EventRecord>(d));
}

TEST(DecideInbound, NoMessageIdIsAccepted) {
  const auto d = DecideInbound(Message(ValidInskrivning(), ""), TestConfig(), kNow);
  EXPECT_TRUE(std::holds_alternative<EventRecord>(d));
}

TEST(DecideInbound, DifferentMessageIdIsRefusedWithoutEchoingIt) {
  const auto d = DecideInbound(Message(ValidInskrivning(), kOtherId), TestConfig(), kNow);
  const Refusal* r = AsRefusal(d);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->event_id, kEventId);
  EXPECT_THAT(r->reasons, ElementsAre(kMessageIdReason));
  for (const auto& reason : r->reasons) EXPECT_THAT(reason, Not(HasSubstr(kOtherId)));
}

// A message-id the transport rendered from a non-string type ("ulong:5") never matches.
TEST(DecideInbound, NonStringMessageIdIsRefused) {
  const auto d = DecideInbound(Message(ValidInskrivning(), "ulong:5"), TestConfig(), kNow);
  ASSERT_NE(AsRefusal(d), nullptr);
  EXPECT_THAT(AsRefusal(d)->reasons, ElementsAre(kMessageIdReason));
}

// A message-id that could carry anything (here a personnummer) is not echoed.
TEST(DecideInbound, MessageIdCarryingPersonalDataIsNotEchoed) {
  const auto d = DecideInbound(Message(ValidInskrivning(), "202508242381"), TestConfig(), kNow);
  ASSERT_NE(AsRefusal(d), nullptr);
  for (const auto& reason : AsRefusal(d)->reasons) {
    EXPECT_THAT(reason, Not(HasSubstr("202508242381")));
  }
}

// The message-id problem is reported beside the envelope's own problems, not instead of them.
TEST(DecideInbound, MessageIdProblemIsOneOfEveryProblem) {
  v1::Envelope env = ValidInskrivning();
  env.set_schema_version(2);
  const auto d = DecideInbound(Message(env, kOtherId), TestConfig(), kNow);
  ASSERT_NE(AsRefusal(d), nullptr);
  EXPECT_THAT(AsRefusal(d)->reasons, Contains(kMessageIdReason));
  EXPECT_THAT(AsRefusal(d)->reasons, Contains(HasSubstr("schema_version")));
}

TEST(DecideInbound, OccurredAtYear9999IsRefusedNotOverflowed) {
  v1::Envelope env = ValidInskrivning();
  env.mutable_occurred_at()->set_seconds(253'402'300'799);
  env.mutable_occurred_at()->set_nanos(999'999'999);
  const auto d = DecideInbound(Message(env, kEventId), TestConfig(), kNow);
  ASSERT_NE(AsRefusal(d), nullptr);
  EXPECT_THAT(AsRefusal(d)->reasons,
              ElementsAre("occurred_at: implausibly far in the future (2200-01-01 or later)"));
}

TEST(DecideInbound, OccurredAtNanosTwoBillionIsRefused) {
  v1::Envelope env = ValidInskrivning();
  env.mutable_occurred_at()->set_nanos(2'000'000'000);
  const auto d = DecideInbound(Message(env, kEventId), TestConfig(), kNow);
  ASSERT_NE(AsRefusal(d), nullptr);
  EXPECT_THAT(AsRefusal(d)->reasons, ElementsAre(HasSubstr("occurred_at: nanos 2000000000")));
}

// A time before 1970 is present: it is stored as the negative microseconds it is.
TEST(DecideInbound, OccurredAtBefore1970IsKeptExactly) {
  v1::Envelope env = ValidInskrivning();
  env.mutable_occurred_at()->set_seconds(-86'400);
  env.mutable_occurred_at()->set_nanos(123'456'789);
  const auto d = DecideInbound(Message(env, kEventId), TestConfig(), kNow);
  ASSERT_TRUE(std::holds_alternative<EventRecord>(d))
      << ::testing::PrintToString(AsRefusal(d)->reasons);
  EXPECT_EQ(std::get<EventRecord>(d).occurred_at_us, -86'400'000'000 + 123'456);
}

TEST(DecideInbound, OccurredAtKeepsMicroseconds) {
  v1::Envelope env = ValidInskrivning();
  env.mutable_occurred_at()->set_nanos(999'999'999);
  const auto d = DecideInbound(Message(env, kEventId), TestConfig(), kNow);
  ASSERT_TRUE(std::holds_alternative<EventRecord>(d));
  EXPECT_EQ(std::get<EventRecord>(d).occurred_at_us,
            env.occurred_at().seconds() * 1'000'000 + 999'999);
}

}  // namespace
}  // namespace slussen

namespace slussen {
namespace {

// A rejection names the patient by a keyed pseudonym only: stable under one key, different under
// another, never the number itself; no key, no pseudonym.
TEST(DecideInbound, ARejectionCarriesThePatientsKeyedPseudonym) {
  v1::Envelope env = ValidInskrivning();
  env.set_event_id("not-a-uuid");
  Config keyed = TestConfig();
  keyed.log_pseudonym_key = std::string(32, 'a');
  const auto first = DecideInbound(Message(env, ""), keyed, kNow);
  const auto again = DecideInbound(Message(env, ""), keyed, kNow);
  ASSERT_TRUE(std::holds_alternative<Refusal>(first));
  const std::string pseudonym = std::get<Refusal>(first).patient_pseudonym;
  EXPECT_THAT(pseudonym, ::testing::MatchesRegex("p-[0-9a-f]{12}"));
  EXPECT_EQ(std::get<Refusal>(again).patient_pseudonym, pseudonym);
  EXPECT_EQ(pseudonym, LogPseudonym(keyed.log_pseudonym_key, env.patient().identity().id()));
  EXPECT_EQ(pseudonym.find(env.patient().identity().id()), std::string::npos);

  Config other = TestConfig();
  other.log_pseudonym_key = std::string(32, 'b');
  EXPECT_NE(std::get<Refusal>(DecideInbound(Message(env, ""), other, kNow)).patient_pseudonym,
            pseudonym);
  EXPECT_TRUE(
      std::get<Refusal>(DecideInbound(Message(env, ""), TestConfig(), kNow)).patient_pseudonym.empty());
}

}  // namespace
}  // namespace slussen
