// Integration tests: per-adapter entitlements enforced by the real hub (refused at attach or at
// the event with slussen:unauthorized), and deliveries cut to the destination role's minimum
// dataset. Each config has one adapter, bound to the anonymous login of the loopback listener.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "hub_client.h"
#include "testing/hub_fixture.h"
#include "testing/message_collector.h"
#include "testing/test_envelopes.h"

namespace slussen::testing {
namespace {

using client::HubClient;
using client::OutcomeName;
using client::SendOutcome;
using ::testing::HasSubstr;

constexpr char kUnauthorized[] = "slussen:unauthorized";

// Halmstad's adapter: it reads kommun-1380, sends as Halmstad's socialtjänst, but only receipts
// (narrowed), and only for kommun-1380.
constexpr char kHalmstadAdapter[] =
    "<adapter name=\"halmstad\"><login anonymous=\"true\"/>"
    "<sends as=\"SE2120001380-SOC1\" may-send=\"Receipt\"/>"
    "<reads destinations=\"kommun-1380\"/><receipts-for destinations=\"kommun-1380\"/></adapter>";

class HubEntitlements : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.adapters = kHalmstadAdapter;
    return o;
  }

  // Sends `env` to `address` and expects slussen:unauthorized with a description that names
  // the adapter.
  SendOutcome SendUnauthorized(HubClient& c, const std::string& address, const v1::Envelope& env) {
    const SendOutcome out = c.Send(address, ToMessage(env));
    EXPECT_EQ(out.kind, SendOutcome::Kind::kRejected)
        << OutcomeName(out.kind) << " " << out.condition << ": " << out.description << HubLog();
    EXPECT_EQ(out.condition, kUnauthorized);
    EXPECT_THAT(out.description, HasSubstr("adapter halmstad"));
    return out;
  }
  void ExpectAccepted(HubClient& c, const std::string& address, const v1::Envelope& env) {
    const SendOutcome out = c.Send(address, ToMessage(env));
    EXPECT_EQ(out.kind, SendOutcome::Kind::kAccepted)
        << OutcomeName(out.kind) << " " << out.condition << ": " << out.description << HubLog();
  }
  // The dead letter of `event_id`, once it is there.
  std::string DeadLetterReasons(const std::string& event_id) {
    std::string reasons;
    const bool found = PollUntil([&] {
      for (const auto& row : store().DeadLetters()) {
        if (row.event_id == event_id) reasons = row.reasons;
      }
      return !reasons.empty();
    });
    EXPECT_TRUE(found) << "no dead letter for " << event_id << HubLog();
    return reasons;
  }
};

// The probe's rogue client on out/kommun-1383: refused at attach, so it never takes (and the hub
// never records as delivered) a message of that kommun.
TEST_F(HubEntitlements, AnotherKommunsOutAddressIsRefusedAtAttach) {
  auto c = NewClient();
  ASSERT_NE(c, nullptr);
  MessageCollector collected;
  std::string error;
  EXPECT_EQ(c->Receive(OutAddress(KommunDestination(kTestOtherKommun)), collected.Handler(), 10,
                       &error),
            -1);
  EXPECT_THAT(error, HasSubstr(kUnauthorized));
  EXPECT_THAT(error, HasSubstr("out/kommun-1383"));
  EXPECT_THAT(error, HasSubstr("adapter halmstad"));
  // Its own address, on the same connection.
  EXPECT_GE(c->Receive(OutAddress(KommunDestination(kTestKommun)), collected.Handler(), 10, &error),
            0)
      << error << HubLog();
}

// The probe's spoofed Cancellation "from" the hospital: the sender table lets the hospital
// cancel, but this connection is Halmstad's adapter.
TEST_F(HubEntitlements, SpoofedSenderHsaIdIsRefusedAndDeadLettered) {
  auto c = NewClient();
  ASSERT_NE(c, nullptr);
  const v1::Envelope spoofed = ValidEnvelope(EventKind::kCancellation);
  const SendOutcome out = SendUnauthorized(*c, "events", spoofed);
  EXPECT_THAT(out.description, HasSubstr("may not send as sender " + std::string(kTestHospital)));
  EXPECT_THAT(DeadLetterReasons(spoofed.event_id()), HasSubstr("unauthorized: adapter halmstad"));
}

TEST_F(HubEntitlements, EventTypeTheAdapterMayNotUseIsRefused) {
  auto c = NewClient();
  ASSERT_NE(c, nullptr);
  // Its sender may answer planning requests; the adapter entry narrowed it to receipts.
  const v1::Envelope answer = ValidEnvelope(EventKind::kPlaneringsunderlagSvar);
  const SendOutcome out = SendUnauthorized(*c, "events", answer);
  EXPECT_THAT(out.description, HasSubstr("may not send PlaneringsunderlagSvar"));
  EXPECT_THAT(DeadLetterReasons(answer.event_id()), HasSubstr("PlaneringsunderlagSvar"));
  // What it may send goes through.
  ExpectAccepted(*c, "receipts", ValidEnvelope(EventKind::kReceipt));
}

TEST_F(HubEntitlements, ReceiptForADestinationItDoesNotOwnIsRefused) {
  auto c = NewClient();
  ASSERT_NE(c, nullptr);
  EnvelopeSpec spec;
  spec.kommunkod = kTestOtherKommun;  // receiving_system kommun-1383
  const v1::Envelope foreign = ValidEnvelope(EventKind::kReceipt, spec);
  ASSERT_EQ(foreign.receipt().receiving_system(), "kommun-1383");
  const SendOutcome out = SendUnauthorized(*c, "receipts", foreign);
  EXPECT_THAT(out.description, HasSubstr("may not send receipts for kommun-1383"));
  // Nor on the events address.
  SendUnauthorized(*c, "events", ValidEnvelope(EventKind::kReceipt, spec));
  ExpectAccepted(*c, "receipts", ValidEnvelope(EventKind::kReceipt));
}

// An adapter that only reads: its sending links are refused at attach.
class HubEntitlementsReader : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.adapters = "<adapter name=\"reader\"><login anonymous=\"true\"/>"
                 "<reads destinations=\"kommun-1380\"/></adapter>";
    return o;
  }
};

TEST_F(HubEntitlementsReader, SendingLinksAreRefusedAtAttach) {
  auto c = NewClient();
  ASSERT_NE(c, nullptr);
  for (const char* address : {"events", "receipts"}) {
    const SendOutcome out = c->Send(address, ToMessage(ValidInskrivning()));
    EXPECT_EQ(out.kind, SendOutcome::Kind::kError) << address << ": " << OutcomeName(out.kind);
    EXPECT_EQ(out.condition, kUnauthorized) << address << ": " << out.description;
    EXPECT_THAT(out.description, HasSubstr("adapter reader")) << address;
    EXPECT_THAT(out.description, HasSubstr(std::string("'") + address + "'"));
  }
  EXPECT_TRUE(store().DeadLetters().empty()) << "refused at attach, nothing reached the core";
}

// The minimum dataset: the vårdcentral gets the discharge without the kommun's checklist
// comments and without where the patient is listed; the kommun gets every field.
class HubMinimumDataset : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.minimum_dataset =
        "<strip event=\"Utskrivningsmeddelande\" role=\"vardcentral\" "
        "fields=\"utskrivningsmeddelande.hemgangsklar.comment patient.listed_care_unit_hsa_id\"/>";
    return o;
  }
};

TEST_F(HubMinimumDataset, DeliveryIsStrippedToTheRolesMinimumDataset) {
  v1::Envelope discharge = ValidEnvelope(EventKind::kUtskrivningsmeddelande);
  for (const char* code : {"hemtjanst", "trygghetslarm"}) {
    auto* item = discharge.mutable_utskrivningsmeddelande()->add_hemgangsklar();
    item->set_code(code);
    item->set_done(true);
    item->set_comment(std::string("beviljad, start dagen efter hemgång: ") + code);
  }
  auto c = NewClient();
  ASSERT_NE(c, nullptr);
  MessageCollector at_vc, at_kommun;
  std::string error;
  ASSERT_GE(c->Receive(OutAddress(VardcentralDestination(kTestVardcentral)), at_vc.Handler(), 10,
                       &error), 0) << error;
  ASSERT_GE(c->Receive(OutAddress(KommunDestination(kTestKommun)), at_kommun.Handler(), 10,
                       &error), 0) << error;
  const SendOutcome sent = c->Send("events", ToMessage(discharge));
  ASSERT_EQ(sent.kind, SendOutcome::Kind::kAccepted) << sent.description << HubLog();
  ASSERT_TRUE(at_vc.WaitForId(discharge.event_id())) << HubLog();
  ASSERT_TRUE(at_kommun.WaitForId(discharge.event_id())) << HubLog();

  v1::Envelope vc;
  ASSERT_TRUE(vc.ParseFromString(at_vc.Messages().front().body));
  ASSERT_EQ(vc.utskrivningsmeddelande().hemgangsklar_size(), 2);
  for (const auto& item : vc.utskrivningsmeddelande().hemgangsklar()) {
    EXPECT_EQ(item.comment(), "");
    EXPECT_TRUE(item.done());
  }
  EXPECT_EQ(vc.utskrivningsmeddelande().hemgangsklar(1).code(), "trygghetslarm");
  EXPECT_EQ(vc.patient().listed_care_unit_hsa_id(), "");
  // The rest intact: identity, times, the case, the sender.
  v1::Envelope expected = discharge;
  for (auto& item : *expected.mutable_utskrivningsmeddelande()->mutable_hemgangsklar()) {
    item.clear_comment();
  }
  expected.mutable_patient()->clear_listed_care_unit_hsa_id();
  EXPECT_EQ(vc.SerializeAsString(), expected.SerializeAsString());

  // The kommun's copy is the event as it was sent, byte for byte.
  EXPECT_EQ(at_kommun.Messages().front().body, discharge.SerializeAsString());
}

}  // namespace
}  // namespace slussen::testing
