// The minimum dataset at send time: a delivery loses exactly the fields its destination's
// policy names for the event's kind, and nothing is decoded without a rule.
#include "delivery/minimum_dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "slussen/v1/events.pb.h"
#include "testing/test_envelopes.h"

namespace slussen {
namespace {

v1::Envelope Discharge() {
  v1::Envelope env = testing::ValidEnvelope(EventKind::kUtskrivningsmeddelande);
  auto* m = env.mutable_utskrivningsmeddelande();
  for (const char* code : {"hemtjanst", "larm"}) {
    auto* item = m->add_hemgangsklar();
    item->set_code(code);
    item->set_done(true);
    item->set_comment(std::string("ordnat: ") + code);
  }
  return env;
}

OutboxItem Item(const v1::Envelope& env, const std::string& kind) {
  OutboxItem item;
  item.destination = "vc-SE2321000115-VC01";
  item.kind = kind;
  item.body = env.SerializeAsString();
  return item;
}

v1::Envelope Decoded(const OutboxItem& item) {
  v1::Envelope env;
  EXPECT_TRUE(env.ParseFromString(item.body));
  return env;
}

TEST(ApplyMinimumDataset, StripsTheNamedFieldsAndKeepsTheRest) {
  const v1::Envelope original = Discharge();
  DeliveryPolicy policy;
  policy.strip["Utskrivningsmeddelande"] = {"utskrivningsmeddelande.hemgangsklar.comment",
                                            "patient.listed_care_unit_hsa_id"};
  OutboxItem item = Item(original, "Utskrivningsmeddelande");
  ASSERT_TRUE(ApplyMinimumDataset(policy, item));
  const v1::Envelope got = Decoded(item);
  ASSERT_EQ(got.utskrivningsmeddelande().hemgangsklar_size(), 2);
  for (const auto& entry : got.utskrivningsmeddelande().hemgangsklar()) {
    EXPECT_EQ(entry.comment(), "");  // from every element of the repeated field
    EXPECT_TRUE(entry.done());
  }
  EXPECT_EQ(got.utskrivningsmeddelande().hemgangsklar(1).code(), "larm");
  EXPECT_EQ(got.patient().listed_care_unit_hsa_id(), "");
  // Everything else as it was.
  v1::Envelope expected = original;
  for (auto& entry : *expected.mutable_utskrivningsmeddelande()->mutable_hemgangsklar()) {
    entry.clear_comment();
  }
  expected.mutable_patient()->clear_listed_care_unit_hsa_id();
  EXPECT_EQ(got.SerializeAsString(), expected.SerializeAsString());
}

TEST(ApplyMinimumDataset, WholeSubmessageGoes) {
  DeliveryPolicy policy;
  policy.strip["Utskrivningsmeddelande"] = {"utskrivningsmeddelande.hemgangsklar"};
  const v1::Envelope original = Discharge();
  OutboxItem item = Item(original, "Utskrivningsmeddelande");
  ASSERT_TRUE(ApplyMinimumDataset(policy, item));
  const v1::Envelope got = Decoded(item);
  EXPECT_EQ(got.utskrivningsmeddelande().hemgangsklar_size(), 0);
  EXPECT_TRUE(got.utskrivningsmeddelande().has_discharged_at());
  EXPECT_EQ(got.event_id(), original.event_id());
  EXPECT_EQ(got.patient().identity().id(), original.patient().identity().id());
}

// Stripping is by kind: another kind's rule leaves the body byte for byte as stored, and so does
// a rule whose fields the event does not carry.
TEST(ApplyMinimumDataset, WithoutAnApplicableRuleTheStoredBytesGoOut) {
  DeliveryPolicy policy;
  policy.strip["Inskrivningsmeddelande"] = {"inskrivningsmeddelande.receiving_unit_hsa_ids"};
  OutboxItem item = Item(Discharge(), "Utskrivningsmeddelande");
  const std::string stored = item.body;
  ASSERT_TRUE(ApplyMinimumDataset(policy, item));
  EXPECT_EQ(item.body, stored);

  policy.strip["Utskrivningsmeddelande"] = {"utskrivningsmeddelande.hemgangsklar"};
  v1::Envelope bare = Discharge();
  bare.mutable_utskrivningsmeddelande()->clear_hemgangsklar();
  item = Item(bare, "Utskrivningsmeddelande");
  item.body += std::string("\xa8\x06\x01", 3);  // an unknown field (101, varint 1) as a newer sender's
  const std::string with_unknown = item.body;
  ASSERT_TRUE(ApplyMinimumDataset(policy, item));
  EXPECT_EQ(item.body, with_unknown);
}

// Unknown fields survive a strip: the hub forwards what newer senders add.
TEST(ApplyMinimumDataset, UnknownFieldsSurviveAStrip) {
  DeliveryPolicy policy;
  policy.strip["Utskrivningsmeddelande"] = {"utskrivningsmeddelande.hemgangsklar"};
  OutboxItem item = Item(Discharge(), "Utskrivningsmeddelande");
  item.body += std::string("\xa8\x06\x01", 3);
  ASSERT_TRUE(ApplyMinimumDataset(policy, item));
  v1::Envelope got = Decoded(item);
  EXPECT_EQ(got.utskrivningsmeddelande().hemgangsklar_size(), 0);
  EXPECT_EQ(got.GetReflection()->GetUnknownFields(got).field_count(), 1);
}

// A body that does not decode cannot be cut to the minimum: nothing of it leaves the hub.
TEST(ApplyMinimumDataset, UndecodableBodyUnderARuleIsNotSent) {
  DeliveryPolicy policy;
  policy.strip["Utskrivningsmeddelande"] = {"utskrivningsmeddelande.hemgangsklar"};
  OutboxItem item;
  item.kind = "Utskrivningsmeddelande";
  item.body = "\xff\xff not protobuf";
  EXPECT_FALSE(ApplyMinimumDataset(policy, item));
  EXPECT_EQ(item.body, "");
}

}  // namespace
}  // namespace slussen
