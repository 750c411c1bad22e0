// What the endpoint refuses before anything reaches the hub (adapters/municipality/
// document_intake.h); what the hub answers is tested against the real hub
// (tests/integration/municipality_adapter_test.cc).
#include "adapters/municipality/document_intake.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/files.h"

namespace slussen::municipality {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::SourceDir;

std::string Example(const std::string& name) {
  return ReadFile((SourceDir() / "adapters/common/xmldoc/examples" / name).string());
}

MunicipalityConfig Halmstad() {
  MunicipalityConfig c;
  c.destinations = {"kommun-1380"};
  c.sender_hsa_id = "SE2120001380-SOC1";
  return c;
}

// Fails the test if a refused document reached the hub.
const SendToHub kNeverSent = [](const std::string& address, client::OutgoingMessage) {
  ADD_FAILURE() << "sent to " << address;
  return client::SendOutcome{};
};

TEST(DocumentIntake, AnInvalidDocumentIs400WithEveryProblemAndItsLine) {
  std::string doc = Example("kvittens.xml");
  doc.replace(doc.find("SE2120001380-SOC1"), 17, "kommunen");
  doc.replace(doc.find("2026-11-23T09:05:40.250+01:00"), 29, "igår");
  const HttpAnswer a = TakeDocument(doc, "", Halmstad(), kNeverSent);
  EXPECT_EQ(a.status, 400);
  EXPECT_THAT(a.body, HasSubstr("POST /dokument:11: "));
  EXPECT_THAT(a.body, HasSubstr("POST /dokument:15: "));
}

TEST(DocumentIntake, NotXmlIs400) {
  const HttpAnswer a = TakeDocument("MSH|^~\\&|", "", Halmstad(), kNeverSent);
  EXPECT_EQ(a.status, 400);
  EXPECT_THAT(a.body, HasSubstr("POST /dokument:1: "));
}

// The system posts kvittenser and answers only; a hospital's document is not its to send.
TEST(DocumentIntake, OtherKindsAre400) {
  const HttpAnswer a =
      TakeDocument(Example("inskrivningsmeddelande.xml"), "", Halmstad(), kNeverSent);
  EXPECT_EQ(a.status, 400);
  EXPECT_THAT(a.body, HasSubstr("<kvittens>"));
}

TEST(DocumentIntake, AnotherSenderIs403) {
  MunicipalityConfig varberg = Halmstad();
  varberg.sender_hsa_id = "SE2120001383-SOC1";
  const HttpAnswer a = TakeDocument(Example("kvittens.xml"), "", varberg, kNeverSent);
  EXPECT_EQ(a.status, 403);
  EXPECT_THAT(a.body, HasSubstr("SE2120001383-SOC1"));
}

TEST(DocumentIntake, ADestinationNotServedIs400) {
  const HttpAnswer a = TakeDocument(Example("kvittens.xml"), "kommun-1383", Halmstad(), kNeverSent);
  EXPECT_EQ(a.status, 400);
  EXPECT_THAT(a.body, HasSubstr("kommun-1383 is not served here"));
}

TEST(DocumentIntake, ATooLargeDocumentIs400Unread) {
  MunicipalityConfig c = Halmstad();
  c.max_body = 100;
  const HttpAnswer a = TakeDocument(Example("kvittens.xml"), "", c, kNeverSent);
  EXPECT_EQ(a.status, 400);
}

}  // namespace
}  // namespace slussen::municipality
