// Per-adapter entitlements at the event: the sender HSA-ids and kinds an adapter may send, and
// the destinations it may send receipts for; a refusal is slussen:unauthorized and names what
// is lacking.
#include "ingest/entitlements.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/clock.h"
#include "ingest/inbound.h"
#include "testing/test_config.h"
#include "testing/test_envelopes.h"

namespace slussen {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::kTestHospital;
using testing::kTestKommunSender;

const std::chrono::system_clock::time_point kNow{seconds(1'760'000'000)};

// Two adapters: the hospital's EHR adapter, and Halmstad's, which may answer and confirm only
// for kommun-1380.
Config TestConfig() {
  Config c;
  c.hub_name = "test";
  c.clock_skew = seconds(300);
  c.kommuner.push_back({"1380", "Halmstad", "kommun-1380"});
  c.kommuner.push_back({"1383", "Varberg", "kommun-1383"});
  c.destinations.push_back({"ehr-halland", "EHR"});
  c.senders.push_back({kTestHospital, "Sjukhuset",
                       {EventKind::kInskrivningsmeddelande, EventKind::kCancellation}});
  c.senders.push_back({kTestKommunSender, "Halmstad",
                       {EventKind::kPlaneringsunderlagSvar, EventKind::kReceipt}});
  c.routes = {{EventKind::kInskrivningsmeddelande, true, false, {}},
              {EventKind::kCancellation, true, false, {}},
              {EventKind::kReceipt, false, false, {}}};
  AdapterConfig ehr;
  ehr.name = "ehr";
  ehr.sends[kTestHospital] = {EventKind::kInskrivningsmeddelande};  // narrowed: no Cancellation
  c.adapters.push_back(ehr);
  AdapterConfig kommun;
  kommun.name = "kommun-1380";
  kommun.sends[kTestKommunSender] = {EventKind::kPlaneringsunderlagSvar, EventKind::kReceipt};
  kommun.receipts_for.ids = {"kommun-1380"};
  c.adapters.push_back(kommun);
  return c;
}

v1::Envelope Envelope(EventKind kind) {
  testing::EnvelopeSpec spec;
  spec.now = kNow;
  return testing::ValidEnvelope(kind, spec);
}

InboundMessage Message(const v1::Envelope& env, const std::string& principal) {
  InboundMessage msg;
  msg.principal = principal;
  msg.body = env.SerializeAsString();
  msg.body_size = msg.body.size();
  msg.received_at_us = ToMicros(kNow);
  return msg;
}

TEST(CheckEntitlements, WhatTheAdapterMaySendPasses) {
  const Config c = TestConfig();
  EXPECT_THAT(CheckEntitlements(Envelope(EventKind::kInskrivningsmeddelande),
                                EventKind::kInskrivningsmeddelande, "ehr", c),
              IsEmpty());
  EXPECT_THAT(CheckEntitlements(Envelope(EventKind::kReceipt), EventKind::kReceipt,
                                "kommun-1380", c),
              IsEmpty());
}

// The probe's spoofed Cancellation: the sender table allows the hospital to cancel, but the
// connection is the kommun's adapter, which may not send as the hospital at all.
TEST(CheckEntitlements, SpoofedSenderHsaIdIsRefused) {
  const Config c = TestConfig();
  EXPECT_THAT(CheckEntitlements(Envelope(EventKind::kCancellation), EventKind::kCancellation,
                                "kommun-1380", c),
              ElementsAre("unauthorized: adapter kommun-1380 may not send as sender " +
                          std::string(kTestHospital) + " (its <sends as> does not name it)"));
}

TEST(CheckEntitlements, KindTheAdapterMayNotSendIsRefusedEvenIfTheSenderMay) {
  const Config c = TestConfig();
  EXPECT_THAT(CheckEntitlements(Envelope(EventKind::kCancellation), EventKind::kCancellation,
                                "ehr", c),
              ElementsAre("unauthorized: adapter ehr may not send Cancellation as sender " +
                          std::string(kTestHospital) + " (allowed: Inskrivningsmeddelande)"));
}

TEST(CheckEntitlements, ReceiptForAnotherDestinationIsRefused) {
  const Config c = TestConfig();
  v1::Envelope env = Envelope(EventKind::kReceipt);
  env.mutable_receipt()->set_receiving_system("kommun-1383");
  EXPECT_THAT(CheckEntitlements(env, EventKind::kReceipt, "kommun-1380", c),
              ElementsAre("unauthorized: adapter kommun-1380 may not send receipts for "
                          "kommun-1383 (its <receipts-for> does not name it)"));
}

// Values the sender made up are not echoed into the reason (it is logged and dead-lettered).
TEST(CheckEntitlements, MadeUpValuesAreNotEchoed) {
  const Config c = TestConfig();
  v1::Envelope env = Envelope(EventKind::kReceipt);
  env.set_sender_hsa_id("\x1b[31mforged\nline");
  env.mutable_receipt()->set_receiving_system("\x1b[2Jnowhere");
  const auto problems = CheckEntitlements(env, EventKind::kReceipt, "kommun-1380", c);
  ASSERT_EQ(problems.size(), 2u);
  for (const auto& p : problems) {
    EXPECT_THAT(p, Not(HasSubstr("forged")));
    EXPECT_THAT(p, Not(HasSubstr("nowhere")));
  }
  EXPECT_THAT(problems[0], HasSubstr("a malformed sender HSA-id"));
  EXPECT_THAT(problems[1], HasSubstr("an unknown destination"));
}

TEST(CheckEntitlements, MessageBoundToNoAdapterIsRefused) {
  const Config c = TestConfig();
  EXPECT_THAT(CheckEntitlements(Envelope(EventKind::kInskrivningsmeddelande),
                                EventKind::kInskrivningsmeddelande, "", c),
              ElementsAre(HasSubstr("bound to no configured adapter")));
}

TEST(DecideInbound, UnauthorizedEventIsRefusedWithItsOwnCondition) {
  const auto d = DecideInbound(Message(Envelope(EventKind::kCancellation), "kommun-1380"),
                               TestConfig(), kNow);
  const auto* refusal = std::get_if<Refusal>(&d);
  ASSERT_NE(refusal, nullptr);
  EXPECT_EQ(refusal->condition, kUnauthorizedCondition);
  ASSERT_EQ(refusal->reasons.size(), 1u);
  EXPECT_THAT(refusal->reasons[0], ::testing::StartsWith("unauthorized: "));
  // What the deviation report counts it for: the sender it claimed.
  EXPECT_EQ(refusal->sender_hsa_id, kTestHospital);
}

// An entitled adapter's invalid event is an invalid event, not an unauthorized one.
TEST(DecideInbound, EntitledButInvalidIsAnInvalidEvent) {
  v1::Envelope env = Envelope(EventKind::kInskrivningsmeddelande);
  env.set_schema_version(2);
  const auto d = DecideInbound(Message(env, "ehr"), TestConfig(), kNow);
  const auto* refusal = std::get_if<Refusal>(&d);
  ASSERT_NE(refusal, nullptr);
  EXPECT_EQ(refusal->condition, "slussen:invalid-event");
  EXPECT_THAT(refusal->reasons, ElementsAre(HasSubstr("schema_version")));
}

TEST(DecideInbound, EntitledReceiptIsAccepted) {
  const auto d = DecideInbound(Message(Envelope(EventKind::kReceipt), "kommun-1380"),
                               TestConfig(), kNow);
  EXPECT_TRUE(std::holds_alternative<EventRecord>(d))
      << ::testing::PrintToString(std::get<Refusal>(d).reasons);
}

}  // namespace
}  // namespace slussen
