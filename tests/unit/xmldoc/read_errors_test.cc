// Bad input gets a clear error naming the line, never a crash; DOCTYPE and entities are refused
// and nothing outside the document is ever read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <string>

#include "testing/files.h"
#include "testing/temp_dir.h"
#include "xmldoc/xmldoc.h"
#include "xmldoc_test_support.h"

namespace slussen::xmldoc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The utskrivningsklar example, the line of each element fixed by this text.
std::string Utskrivningsklar(const std::string& kommunkod = "1380",
                             const std::string& lakare = "SE2321000115-LAK0042",
                             const std::string& vardform = "somatisk") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                          // 1
         "<utskrivningsklar xmlns=\"urn:slussen:dischargeplanning:1\">\n"          // 2
         "  <huvud>\n"                                                             // 3
         "    <dokument-id>c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f</dokument-id>\n"   // 4
         "    <vardtillfalle>\n"                                                   // 5
         "      <vardenhet-hsa-id>SE2321000115-SH01AVD21</vardenhet-hsa-id>\n"     // 6
         "      <vardtillfalle-id>VT-2026:004711</vardtillfalle-id>\n"             // 7
         "    </vardtillfalle>\n"                                                  // 8
         "    <avsandare-hsa-id>SE2321000115-SH01</avsandare-hsa-id>\n"            // 9
         "    <handelsetidpunkt>2026-11-26T10:40:00+01:00</handelsetidpunkt>\n"    // 10
         "    <patient>\n"                                                         // 11
         "      <personnummer>202510022383</personnummer>\n"                       // 12
         "      <kommunkod>" + kommunkod + "</kommunkod>\n"                        // 13
         "    </patient>\n"                                                        // 14
         "  </huvud>\n"                                                            // 15
         "  <beslutstidpunkt>2026-11-26T10:35:00+01:00</beslutstidpunkt>\n"        // 16
         "  <lakare-hsa-id>" + lakare + "</lakare-hsa-id>\n"                       // 17
         "  <vardform>" + vardform + "</vardform>\n"                               // 18
         "</utskrivningsklar>\n";                                                  // 19
}

Result<v1::Envelope> Read(const std::string& text, ReadOptions options = {}) {
  return ReadDocument(text, "POST /dokument", options);
}

TEST(ReadErrors, TheBaseDocumentIsValid) {
  const auto env = Read(Utskrivningsklar());
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_EQ(env->utskrivningsklar().physician_hsa_id(), "SE2321000115-LAK0042");
}

TEST(ReadErrors, InvalidValueNamesItsLineAndElement) {
  const auto env = Read(Utskrivningsklar("138"));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(env.error(), HasSubstr("POST /dokument:13: "));
  EXPECT_THAT(env.error(), HasSubstr("kommunkod"));
  // The namespace is noise in a message about an element of these documents.
  EXPECT_THAT(env.error(), Not(HasSubstr("{urn:slussen")));
}

TEST(ReadErrors, EveryProblemIsListedEachWithItsLine) {
  const auto env = Read(Utskrivningsklar("13800", "SE123-LAK", "ortopedisk"));
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(), HasSubstr("POST /dokument:13: "));
  EXPECT_THAT(env.error(), HasSubstr("POST /dokument:17: "));
  EXPECT_THAT(env.error(), HasSubstr("POST /dokument:18: "));
}

TEST(ReadErrors, MissingElementIsNamed) {
  std::string text = Utskrivningsklar();
  text.erase(text.find("  <lakare-hsa-id>"), text.find("  <vardform>") - text.find("  <lakare-hsa-id>"));
  const auto env = Read(text);
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(), HasSubstr("lakare-hsa-id"));
}

TEST(ReadErrors, TimeWithoutOffsetIsRefused) {
  std::string text = Utskrivningsklar();
  const std::string with = "2026-11-26T10:35:00+01:00</beslutstidpunkt>";
  text.replace(text.find(with), with.size(), "2026-11-26T10:35:00</beslutstidpunkt>");
  const auto env = Read(text);
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(), HasSubstr("POST /dokument:16: "));
  EXPECT_THAT(env.error(), HasSubstr("'beslutstidpunkt'"));
  EXPECT_THAT(env.error(), HasSubstr("is not a time with date, time and offset"));
}

TEST(ReadErrors, MalformedXmlNamesTheLine) {
  std::string text = Utskrivningsklar();
  text.replace(text.find("</lakare-hsa-id>"), 16, "</lakare>");  // line 17
  const auto env = Read(text);
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(), HasSubstr("POST /dokument:17: "));
}

TEST(ReadErrors, NotXmlEmptyAndTruncated) {
  for (const std::string& text : {std::string("MSH|^~\\&|TAKECARE"), std::string(""),
                                  std::string(" \n "), Utskrivningsklar().substr(0, 300),
                                  std::string("\xff\xfe<\x00x\x00", 6)}) {
    const auto env = Read(text);
    ASSERT_FALSE(env.ok()) << text;
    EXPECT_THAT(env.error(), HasSubstr("POST /dokument:"));
  }
}

TEST(ReadErrors, WrongRootOrNamespaceNamesTheDocumentsExpected) {
  std::string wrong_ns = Utskrivningsklar();
  wrong_ns.replace(wrong_ns.find("dischargeplanning:1"), 19, "dischargeplanning:2");
  std::string no_ns = Utskrivningsklar();
  no_ns.replace(no_ns.find(" xmlns=\"urn:slussen:dischargeplanning:1\""), 40, "");
  const std::string wrong_root =
      "<?xml version=\"1.0\"?>\n<slussen xmlns=\"urn:slussen:config:1\"/>\n";
  for (const std::string& text : {wrong_ns, no_ns, wrong_root}) {
    const auto env = Read(text);
    ASSERT_FALSE(env.ok());
    EXPECT_THAT(env.error(), HasSubstr("POST /dokument:2: the root element must be one of"));
    EXPECT_THAT(env.error(), HasSubstr("<kvittens>"));
  }
}

TEST(ReadErrors, AKindTheEndpointDoesNotTakeIsRefused) {
  const std::array<EventKind, 2> municipal{EventKind::kReceipt,
                                           EventKind::kPlaneringsunderlagSvar};
  ReadOptions options;
  options.accept = municipal;
  options.receiving_system = "kommun-1380";
  const auto env = Read(Utskrivningsklar(), options);
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(),
              HasSubstr("must be one of <kvittens>, <planeringsunderlag-svar>, in the namespace"));
}

TEST(ReadErrors, KvittensNeedsAConfiguredReceivingSystem) {
  const std::string text = slussen::testing::ReadFile(
      (slussen::testing::SourceDir() / "adapters/common/xmldoc/examples/kvittens.xml").string());
  const auto env = ReadDocument(text, "kvittens.xml");
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(), HasSubstr("does not take receipts"));
}

TEST(ReadErrors, TooLargeIsRefusedUnparsed) {
  ReadOptions options;
  options.max_bytes = 100;
  const auto env = Read(Utskrivningsklar(), options);
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(), HasSubstr("more than the limit of 100"));
  // The default bound: a document of 2 MiB of comment.
  std::string huge = Utskrivningsklar();
  huge.insert(huge.find("<utskrivningsklar"), "<!--" + std::string(2 << 20, 'x') + "-->\n");
  const auto big = Read(huge);
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.error(), HasSubstr("more than the limit of 1048576"));
}

TEST(ReadErrors, DoctypeWithInternalEntityIsRefused) {
  std::string text = Utskrivningsklar("&kod;");
  text.insert(text.find("<utskrivningsklar"),
              "<!DOCTYPE utskrivningsklar [<!ENTITY kod \"1380\">]>\n");
  const auto env = Read(text);
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(), HasSubstr("DOCTYPE"));
}

TEST(ReadErrors, ExternalEntityIsNeverRead) {
  slussen::testing::TempDir dir("xmldoc-xxe");
  const std::string secret = dir.path() + "/secret.txt";
  slussen::testing::WriteFile(secret, "1380-HEMLIG-MARKOR");
  std::string text = Utskrivningsklar("&xxe;");
  text.insert(text.find("<utskrivningsklar"), "<!DOCTYPE utskrivningsklar [<!ENTITY xxe SYSTEM \"file://" +
                                                  secret + "\">]>\n");
  const auto env = Read(text);
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(), HasSubstr("DOCTYPE"));
  EXPECT_THAT(env.error(), Not(HasSubstr("HEMLIG")));
}

TEST(ReadErrors, EntityExpansionBombIsRefused) {
  std::string dtd = "<!DOCTYPE utskrivningsklar [\n<!ENTITY a0 \"xxxxxxxxxx\">\n";
  for (int i = 1; i < 10; ++i) {
    dtd += "<!ENTITY a" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) dtd += "&a" + std::to_string(i - 1) + ";";
    dtd += "\">\n";
  }
  dtd += "]>\n";
  std::string text = Utskrivningsklar("&a9;");
  text.insert(text.find("<utskrivningsklar"), dtd);
  const auto env = Read(text);
  ASSERT_FALSE(env.ok());
  EXPECT_LT(env.error().size(), 10'000u);
}

TEST(ReadErrors, ValidateDocumentTakesEveryKindAndReportsTheSame) {
  EXPECT_TRUE(ValidateDocument(Utskrivningsklar(), "u.xml").ok());
  const auto st = ValidateDocument(Utskrivningsklar("x"), "u.xml");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr("u.xml:13: "));
}

}  // namespace
}  // namespace slussen::xmldoc
