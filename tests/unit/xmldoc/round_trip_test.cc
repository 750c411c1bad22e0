// Every kind: Envelope -> document -> Envelope gives the same Envelope, and the document is
// valid against the schema.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "xmldoc/times.h"
#include "xmldoc/xmldoc.h"
#include "xmldoc_test_support.h"

namespace slussen::xmldoc {
namespace {

using testing::Differences;
using testing::FullEnvelope;
using testing::kReceivingSystem;

class RoundTrip : public ::testing::TestWithParam<EventKind> {};

TEST_P(RoundTrip, EnvelopeSurvivesDocumentUnchanged) {
  const v1::Envelope env = FullEnvelope(GetParam());
  const auto doc = WriteDocument(env);
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_TRUE(ValidateDocument(*doc, "written").ok()) << *doc;
  EXPECT_NE(doc->find("<" + std::string(RootElement(GetParam())) + " xmlns=\"" +
                      std::string(kNamespace) + "\""),
            std::string::npos)
      << *doc;

  ReadOptions options;
  options.receiving_system = kReceivingSystem;
  const auto back = ReadDocument(*doc, "written", options);
  ASSERT_TRUE(back.ok()) << back.error() << "\n" << *doc;
  EXPECT_EQ(Differences(env, *back), "") << *doc;
  if (getenv("XMLDOC_DUMP")) std::cout << *doc;
}

TEST_P(RoundTrip, MinimalEnvelopeToo) {
  slussen::testing::EnvelopeSpec spec;
  spec.now = testing::FixedNow();
  spec.listed_vc = "";  // no listed vårdcentral: the element is left out
  const v1::Envelope env = slussen::testing::ValidEnvelope(GetParam(), spec);
  const auto doc = WriteDocument(env);
  ASSERT_TRUE(doc.ok()) << doc.error();
  ReadOptions options;
  options.receiving_system = env.has_receipt() ? env.receipt().receiving_system() : "";
  const auto back = ReadDocument(*doc, "written", options);
  ASSERT_TRUE(back.ok()) << back.error() << "\n" << *doc;
  EXPECT_EQ(Differences(env, *back), "") << *doc;
}

INSTANTIATE_TEST_SUITE_P(EveryKind, RoundTrip, ::testing::ValuesIn(AllEventKinds()),
                         [](const ::testing::TestParamInfo<EventKind>& param_info) {
                           return std::string(EventKindName(param_info.param));
                         });

TEST(RoundTrip, SwedishLettersAndMarkupCharactersSurviveAsText) {
  const v1::Envelope env = FullEnvelope(EventKind::kInskrivningsmeddelande);
  const auto doc = WriteDocument(env);
  ASSERT_TRUE(doc.ok()) << doc.error();
  // Written as UTF-8 characters, not character references; markup characters escaped.
  EXPECT_NE(doc->find("Öberg-Ståhl"), std::string::npos) << *doc;
  EXPECT_NE(doc->find("&lt;lgh 1102&gt; &amp;"), std::string::npos) << *doc;
  const auto back = ReadDocument(*doc, "written");
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->inskrivningsmeddelande().name().given_name(), "Åsa Märta");
  EXPECT_EQ(back->inskrivningsmeddelande().folkbokforing_address().street(),
            "Ängsvägen 2 <lgh 1102> & \"gården\"");
}

TEST(RoundTrip, EveryIdentityKind) {
  for (auto kind : {v1::PatientIdentity::PERSONNUMMER, v1::PatientIdentity::SAMORDNINGSNUMMER,
                    v1::PatientIdentity::RESERVNUMMER}) {
    v1::Envelope env = FullEnvelope(EventKind::kUtskrivningsklar);
    auto* ident = env.mutable_patient()->mutable_identity();
    ident->set_kind(kind);
    if (kind == v1::PatientIdentity::SAMORDNINGSNUMMER) ident->set_id("202508842380");
    if (kind == v1::PatientIdentity::RESERVNUMMER) {
      ident->set_id("991234567890");
      ident->set_reserve_oid("1.2.752.97.3.1.3");
    }
    ident->set_protected_identity(kind == v1::PatientIdentity::SAMORDNINGSNUMMER);
    const auto doc = WriteDocument(env);
    ASSERT_TRUE(doc.ok()) << doc.error();
    const auto back = ReadDocument(*doc, "written");
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(Differences(env, *back), "") << *doc;
  }
}

TEST(Times, WrittenInStockholmTimeWithTheOffsetAndReadBackExactly) {
  google::protobuf::Timestamp winter;
  winter.set_seconds(1'795'423'267);  // 2026-11-23T08:41:07Z
  EXPECT_EQ(FormatTime(winter).value_or(""), "2026-11-23T09:41:07+01:00");
  google::protobuf::Timestamp summer;
  summer.set_seconds(1'782'030'600);  // 2026-06-21T08:30:00Z
  summer.set_nanos(500'000'000);
  EXPECT_EQ(FormatTime(summer).value_or(""), "2026-06-21T10:30:00.500+02:00");
  google::protobuf::Timestamp nanos = winter;
  nanos.set_nanos(7);
  EXPECT_EQ(FormatTime(nanos).value_or(""), "2026-11-23T09:41:07.000000007+01:00");

  for (const auto& ts : {winter, summer, nanos}) {
    const auto back = ParseTime(*FormatTime(ts));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->seconds(), ts.seconds());
    EXPECT_EQ(back->nanos(), ts.nanos());
  }
  // Any offset is read as the instant it names.
  EXPECT_EQ(ParseTime(" 2026-11-23T08:41:07Z\n")->seconds(), 1'795'423'267);
  EXPECT_EQ(ParseTime("2026-11-23T03:41:07-05:00")->seconds(), 1'795'423'267);
  // Outside the window where the Stockholm rules apply: UTC.
  google::protobuf::Timestamp old;
  old.set_seconds(-2'240'524'800);  // 1899-01-01T00:00:00Z
  EXPECT_EQ(FormatTime(old).value_or(""), "1899-01-01T00:00:00Z");
  google::protobuf::Timestamp bad;
  bad.set_nanos(-1);
  EXPECT_FALSE(FormatTime(bad).has_value());
}

}  // namespace
}  // namespace slussen::xmldoc
