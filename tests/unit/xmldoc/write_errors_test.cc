// WriteDocument refuses what the document cannot carry, names the field, and never returns a
// document the schema refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "xmldoc/xmldoc.h"
#include "xmldoc_test_support.h"

namespace slussen::xmldoc {
namespace {

using testing::FullEnvelope;
using ::testing::HasSubstr;

std::string WriteError(const v1::Envelope& env) {
  const auto doc = WriteDocument(env);
  EXPECT_FALSE(doc.ok()) << *doc;
  if (doc.ok()) return {};
  EXPECT_EQ(doc.code(), ErrorCode::kInvalidArgument);
  return doc.error();
}

TEST(WriteErrors, NoPayloadOrNoDirection) {
  v1::Envelope env = FullEnvelope(EventKind::kUtskrivningsklar);
  env.clear_utskrivningsklar();
  EXPECT_EQ(WriteError(env), "event: no event type set");
  v1::Envelope pu = FullEnvelope(EventKind::kPlaneringsunderlag);
  pu.mutable_planeringsunderlag()->set_direction(v1::Planeringsunderlag::DIRECTION_UNSPECIFIED);
  EXPECT_EQ(WriteError(pu), "planeringsunderlag.direction: must be REQUEST or ANSWER");
}

TEST(WriteErrors, EveryProblemIsListedByFieldPath) {
  v1::Envelope env = FullEnvelope(EventKind::kInskrivningsmeddelande);
  env.set_schema_version(2);
  env.mutable_inskrivningsmeddelande()->mutable_name()->set_family_name("Berg\xC3");  // cut UTF-8
  env.mutable_inskrivningsmeddelande()->mutable_folkbokforing_address()->set_city("Halm\x01stad");
  env.mutable_occurred_at()->set_nanos(-1);
  const std::string error = WriteError(env);
  EXPECT_THAT(error, HasSubstr("schema_version: 2 cannot be written"));
  EXPECT_THAT(error, HasSubstr("inskrivningsmeddelande.name.family_name: is not valid UTF-8"));
  EXPECT_THAT(error, HasSubstr("inskrivningsmeddelande.folkbokforing_address.city: holds a "
                               "character XML 1.0 does not allow (U+0001)"));
  EXPECT_THAT(error, HasSubstr("occurred_at: not a valid google.protobuf.Timestamp"));
}

TEST(WriteErrors, ValuesTheDocumentCannotCarry) {
  v1::Envelope request = FullEnvelope(EventKind::kPlaneringsunderlag);
  request.mutable_planeringsunderlag()->set_in_reply_to("7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
  EXPECT_THAT(WriteError(request), HasSubstr("planeringsunderlag.in_reply_to: a request cannot"));

  v1::Envelope unknown_kind = FullEnvelope(EventKind::kUtskrivningsklar);
  unknown_kind.mutable_patient()->mutable_identity()->set_kind(
      static_cast<v1::PatientIdentity::Kind>(9));
  EXPECT_THAT(WriteError(unknown_kind), HasSubstr("patient.identity.kind: unknown value"));

  v1::Envelope oid = FullEnvelope(EventKind::kUtskrivningsklar);
  oid.mutable_patient()->mutable_identity()->set_reserve_oid("1.2.752.97.3.1.3");
  EXPECT_THAT(WriteError(oid), HasSubstr("patient.identity.reserve_oid: must be empty"));

  v1::Envelope care = FullEnvelope(EventKind::kUtskrivningsklar);
  care.mutable_utskrivningsklar()->set_care_type(v1::CARE_TYPE_UNSPECIFIED);
  EXPECT_THAT(WriteError(care), HasSubstr("utskrivningsklar.care_type: missing"));

  v1::Envelope no_patient = FullEnvelope(EventKind::kKallelseSip);
  no_patient.clear_patient();
  EXPECT_THAT(WriteError(no_patient), HasSubstr("patient: missing"));

  v1::Envelope stopper = FullEnvelope(EventKind::kClockStopper);
  stopper.mutable_clock_stopper()->set_action(v1::ClockStopper::ACTION_UNSPECIFIED);
  EXPECT_THAT(WriteError(stopper), HasSubstr("clock_stopper.action: must be START or END"));
}

TEST(WriteErrors, WhatTheSchemaRefusesComesBackAsItsMessages) {
  v1::Envelope env = FullEnvelope(EventKind::kUtskrivningsklar);
  env.mutable_utskrivningsklar()->set_physician_hsa_id("LAK0042");
  const std::string error = WriteError(env);
  EXPECT_THAT(error, HasSubstr("utskrivningsklar document of event "
                               "5d3c1a2b-7e8f-4a9b-8c1d-2e3f4a5b6c7d:"));
  EXPECT_THAT(error, HasSubstr("'lakare-hsa-id'"));
  EXPECT_THAT(error, HasSubstr("is not an HSA-id"));

  v1::Envelope items = FullEnvelope(EventKind::kPlaneringsunderlag);
  items.mutable_planeringsunderlag()->add_items()->set_text("kod saknas");
  EXPECT_THAT(WriteError(items), HasSubstr("'kod'"));

  // A malformed event id is not repeated in the messages.
  v1::Envelope id = FullEnvelope(EventKind::kCancellation);
  id.set_event_id("<script>");
  const std::string id_error = WriteError(id);
  EXPECT_THAT(id_error, HasSubstr("makulering document:"));
  EXPECT_THAT(id_error, HasSubstr("is not a UUID"));
}

}  // namespace
}  // namespace slussen::xmldoc
