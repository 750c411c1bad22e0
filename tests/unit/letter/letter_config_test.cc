// The letter adapter's settings checked once at startup: every problem reported, one per line.
#include "adapters/letter/letter_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/letter/letter_fixtures.h"

namespace slussen::adapters::letter {
namespace {

using ::testing::HasSubstr;

LetterConfig Good() {
  LetterConfig c;
  c.hospital = test::Context().from;
  c.recipients.push_back(test::Context().to);
  Recipient vc = test::Context().to;
  vc.id = "vc-SE2321000115-VC01";
  vc.unit_name = "Vårdcentralen Öster";
  c.recipients.push_back(vc);
  c.spool.dir = "/var/spool/slussen-letter";
  c.command.argv = {"sendfax", "-n", "-d", "{fax}", "{file}"};
  return c;
}

TEST(LetterConfig, AGoodConfigPassesAndFindsItsRecipients) {
  const LetterConfig c = Good();
  const Status st = ValidateLetterConfig(c);
  EXPECT_TRUE(st.ok()) << st.error();
  ASSERT_NE(FindRecipient(c, "vc-SE2321000115-VC01"), nullptr);
  EXPECT_EQ(FindRecipient(c, "vc-SE2321000115-VC01")->unit_name, "Vårdcentralen Öster");
  EXPECT_EQ(FindRecipient(c, "kommun-9999"), nullptr);
}

TEST(LetterConfig, EveryProblemIsReported) {
  LetterConfig c = Good();
  c.hospital.name.clear();
  c.recipients[1].id = c.recipients[0].id;  // twice
  c.recipients[0].fax.clear();              // while the command faxes
  Recipient bad;
  bad.id = "../x";
  c.recipients.push_back(bad);
  c.command.argv.push_back("{printer}");
  c.spool.keep_unsent = std::chrono::minutes(10);
  const Status st = ValidateLetterConfig(c);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(st.error(), HasSubstr("sending hospital: no name"));
  EXPECT_THAT(st.error(), HasSubstr("recipient 2 (kommun-1380): configured twice"));
  EXPECT_THAT(st.error(),
              HasSubstr("recipient 1 (kommun-1380): no fax number, but the send command uses {fax}"));
  EXPECT_THAT(st.error(), HasSubstr("recipient 3: id must be"));
  EXPECT_THAT(st.error(), HasSubstr("recipient 3: no unit name"));
  EXPECT_THAT(st.error(), HasSubstr("recipient 3: no postal address"));
  EXPECT_THAT(st.error(), HasSubstr("send command: unknown placeholder {printer}"));
  EXPECT_THAT(st.error(), HasSubstr("spool: keep time for unsent letters"));
}

TEST(LetterConfig, APrinterNeedsNoFaxNumbers) {
  LetterConfig c = Good();
  for (auto& r : c.recipients) r.fax.clear();
  c.command.argv = {"lp", "-d", "brevskrivare", "{file}"};
  EXPECT_TRUE(ValidateLetterConfig(c).ok());
  c.recipients.clear();
  EXPECT_THAT(ValidateLetterConfig(c).error(), HasSubstr("no recipients"));
}

}  // namespace
}  // namespace slussen::adapters::letter
