// slussen-letter's config file: schema and checks with file:line, relative paths, the shipped
// demo config, and how a letter's recipient is chosen.
#include "adapters/letter/letter_adapter_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "adapters/letter/letter_recipient.h"
#include "testing/files.h"
#include "testing/temp_dir.h"
#include "testing/test_envelopes.h"
#include "wire/event_kind.h"
#include "build_paths/source_dir.h"

namespace slussen::adapters::letter {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using slussen::testing::TempDir;
using slussen::testing::WriteFile;

constexpr char kHead[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<slussen-letter xmlns="urn:slussen:adapter:letter:1">
)";

std::string Body(const std::string& recipients_attrs = "",
                 const std::string& command = "<arg>sendfax</arg><arg>-d</arg><arg>{fax}</arg>"
                                              "<arg>{file}</arg>",
                 const std::string& spool = R"(<spool dir="spool"/>)",
                 const std::string& receive = "") {
  return std::string(kHead) + R"(  <hub url="amqp://127.0.0.1:5999"/>
)" + receive + R"(
  <hospital name="Hallands sjukhus Halmstad" phone="035-13 10 00">
    <address><line>Box 581</line><line>301 80 Halmstad</line></address>
  </hospital>
  <recipients)" + recipients_attrs + R"(>
    <recipient id="kommun-1380" name="Halmstads kommun, Biståndsenheten" fax="+46 35 13 75 90">
      <address><line>Box 230</line><line>301 06 Halmstad</line></address>
    </recipient>
    <recipient id="vc-SE2321000115-VC01" name="Vårdcentralen Andersberg" fax="035-13 14 59">
      <address><line>Andersbergsringen 64</line><line>302 54 Halmstad</line></address>
    </recipient>
  </recipients>
  )" + spool + R"(
  <command timeout="20s">)" + command + R"(</command>
</slussen-letter>
)";
}

// "<path>:<line of the first `needle` in text>:".
std::string At(const std::string& path, const std::string& text, const std::string& needle) {
  const auto pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n');
  return path + ":" + std::to_string(line) + ":";
}

class LetterAdapterConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const std::string path = dir_.File("letter.xml");
    WriteFile(path, text);
    return path;
  }
  TempDir dir_{"LetterAdapterConfig"};
};

TEST_F(LetterAdapterConfigTest, AGoodFileIsRead) {
  const std::string path = Write(Body(R"( default="kommun-1380")", R"(<arg>slussen-fake-fax</arg>
    <arg>--inbox</arg><arg relative-to="config">fax</arg><arg>--fax</arg><arg>{fax}</arg>
    <arg>{file}</arg>)", R"(<spool dir="spool" keep-sent="2d" keep-unsent="3h" cleanup-interval="10m"/>)",
                                 R"(<receive max-in-flight="3" workers="5"/>)"));
  const auto c = LoadLetterAdapterConfig(path);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->hub.url, "amqp://127.0.0.1:5999");
  EXPECT_EQ(c->max_in_flight, 3);
  EXPECT_EQ(c->workers, 5);
  EXPECT_EQ(c->letter.hospital.name, "Hallands sjukhus Halmstad");
  EXPECT_EQ(c->letter.hospital.address_lines,
            (std::vector<std::string>{"Box 581", "301 80 Halmstad"}));
  ASSERT_EQ(c->letter.recipients.size(), 2u);
  const Recipient* r = FindRecipient(c->letter, "kommun-1380");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->unit_name, "Halmstads kommun, Biståndsenheten");
  EXPECT_EQ(r->fax, "+46 35 13 75 90");
  EXPECT_EQ(r->address_lines, (std::vector<std::string>{"Box 230", "301 06 Halmstad"}));
  EXPECT_EQ(c->default_recipient, "kommun-1380");
  // Relative paths against the file's directory; other arguments as written.
  const std::string base = std::filesystem::absolute(dir_.path()).lexically_normal().string();
  EXPECT_EQ(c->letter.spool.dir, base + "/spool");
  EXPECT_EQ(c->letter.command.argv,
            (std::vector<std::string>{"slussen-fake-fax", "--inbox", base + "/fax", "--fax",
                                      "{fax}", "{file}"}));
  EXPECT_EQ(c->letter.spool.keep_sent, std::chrono::hours(48));
  EXPECT_EQ(c->letter.spool.keep_unsent, std::chrono::hours(3));
  EXPECT_EQ(c->cleanup_interval, std::chrono::minutes(10));
  EXPECT_EQ(c->letter.command.timeout, std::chrono::seconds(20));
}

TEST_F(LetterAdapterConfigTest, DefaultsWhereTheFileSaysNothing) {
  const auto c = LoadLetterAdapterConfig(Write(Body()));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->max_in_flight, 8);
  EXPECT_EQ(c->workers, 2);
  EXPECT_EQ(c->cleanup_interval, std::chrono::hours(1));
  EXPECT_EQ(c->letter.spool.keep_sent, std::chrono::hours(7 * 24));
  EXPECT_TRUE(c->default_recipient.empty());
  EXPECT_EQ(c->letter.command.argv[0], "sendfax");
}

TEST_F(LetterAdapterConfigTest, SchemaErrorsNameFileAndLine) {
  std::string text = Body();
  text.replace(text.find("<hospital"), 9, "<hospitl");
  text.replace(text.find("</hospital>"), 11, "</hospitl>");
  const std::string path = Write(text);
  const auto c = LoadLetterAdapterConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr(At(path, text, "<hospitl")));
  EXPECT_THAT(c.error(), HasSubstr("hospitl"));
}

TEST_F(LetterAdapterConfigTest, ChecksOfTheLibraryAreReportedAtTheirElement) {
  // A recipient without a fax while the command faxes, a short keep-unsent, a bad placeholder.
  std::string text = Body("", "<arg>sendfax</arg><arg>{fax}</arg><arg>{nope}</arg>",
                          R"(<spool dir="spool" keep-unsent="10m"/>)");
  text.replace(text.find(R"( fax="035-13 14 59")"), 19, "");
  const std::string path = Write(text);
  const auto c = LoadLetterAdapterConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr(At(path, text, "<recipients") +
                                   " recipient 2 (vc-SE2321000115-VC01): no fax number"));
  EXPECT_THAT(c.error(),
              HasSubstr(At(path, text, "<spool") + " spool: keep time for unsent letters"));
  EXPECT_THAT(c.error(), HasSubstr(At(path, text, "<command") + " send command:"));
}

TEST_F(LetterAdapterConfigTest, AnUnknownDefaultIsAnError) {
  const std::string text = Body(R"( default="kommun-1383")");
  const std::string path = Write(text);
  const auto c = LoadLetterAdapterConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr(At(path, text, "<recipients") + " default 'kommun-1383' is not one of the recipients"));
}

TEST_F(LetterAdapterConfigTest, ARecipientTwiceIsAnError) {
  std::string text = Body();
  text.replace(text.find("vc-SE2321000115-VC01"), 20, "kommun-1380");
  const auto c = LoadLetterAdapterConfig(Write(text));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("recipient-id"));
}

TEST_F(LetterAdapterConfigTest, AMissingFileSaysSo) {
  const auto c = LoadLetterAdapterConfig(dir_.File("none.xml"));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("none.xml: cannot read"));
}

TEST(LetterAdapterDemoConfig, TheShippedDemoConfigIsValid) {
  const std::string path = std::string(SLUSSEN_SOURCE_DIR) + "/config/demo/letter.xml";
  const auto c = LoadLetterAdapterConfig(path);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->hub.url, "amqp://127.0.0.1:5672");
  EXPECT_EQ(c->letter.hospital.name, "Hallands sjukhus Halmstad");
  for (const char* id : {"kommun-1380", "kommun-1383", "vc-SE2321000115-VC01"}) {
    const Recipient* r = FindRecipient(c->letter, id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_FALSE(r->fax.empty()) << id;
    EXPECT_GE(r->address_lines.size(), 2u) << id;
  }
  // The inbox and the spool are in demo-run/ at the top of the checkout.
  const std::string top =
      std::filesystem::absolute(std::filesystem::path(SLUSSEN_SOURCE_DIR)).lexically_normal().string();
  EXPECT_EQ(c->letter.spool.dir, top + "/demo-run/letter/spool");
  EXPECT_THAT(c->letter.command.argv, ::testing::Contains(top + "/demo-run/letter/fax"));
}

// --- Whom a letter goes to.

class ChooseRecipientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Recipient k;
    k.id = "kommun-1380";
    k.unit_name = "Halmstads kommun";
    k.address_lines = {"Box 230"};
    Recipient vc = k;
    vc.id = "vc-SE2321000115-VC01";
    config_.letter.recipients = {k, vc};
  }
  LetterAdapterConfig config_;
  v1::Envelope event_ = slussen::testing::ValidInskrivning();  // kommun 1380
};

TEST_F(ChooseRecipientTest, ForDestinationDecidesWithTheHubsReason) {
  const auto c = ChooseRecipient(
      config_, {{"for_destination", "vc-SE2321000115-VC01"}, {"reason", "no receipt from x"}},
      event_);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->recipient->id, "vc-SE2321000115-VC01");
  EXPECT_EQ(c->reason, "no receipt from x");
  EXPECT_EQ(c->how, "for_destination");
}

TEST_F(ChooseRecipientTest, AnUnknownForDestinationIsNeverSentToSomeoneElse) {
  config_.default_recipient = "kommun-1380";
  const auto c = ChooseRecipient(config_, {{"for_destination", "kommun-1383"}}, event_);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("no recipient configured for kommun-1383"));
}

TEST_F(ChooseRecipientTest, RoutedDirectlyGoesToThePatientsKommunAndSaysSo) {
  const auto c = ChooseRecipient(config_, {}, event_);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->recipient->id, "kommun-1380");
  EXPECT_EQ(c->how, "patient's kommun");
  EXPECT_THAT(c->reason, HasSubstr("routing"));
  EXPECT_THAT(c->reason, HasSubstr("kommun-1380"));
}

TEST_F(ChooseRecipientTest, RoutedDirectlyElseTheDefaultElseNobody) {
  const v1::Envelope other = slussen::testing::ValidInskrivning(
      slussen::testing::NewEventId(), slussen::testing::kTestOtherKommun);
  const auto none = ChooseRecipient(config_, {}, other);
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error(), HasSubstr("kommun-1383"));
  EXPECT_THAT(none.error(), Not(HasSubstr(slussen::testing::kValidPersonnummer)));

  config_.default_recipient = "vc-SE2321000115-VC01";
  const auto c = ChooseRecipient(config_, {}, other);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->recipient->id, "vc-SE2321000115-VC01");
  EXPECT_EQ(c->how, "default");
}

}  // namespace
}  // namespace slussen::adapters::letter
