// One letter end to end through the real spool and real commands: sent → delivered and filed in
// sent/; a failing command → retry with the letter left in the spool; an event that can never be a
// letter → refused, nothing written. The summaries carry ids, never patient data.
#include "adapters/letter/letter_job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "adapters/letter/command_sender.h"
#include "adapters/letter/fake_fax_binary.h"
#include "testing/temp_dir.h"
#include "unit/letter/letter_fixtures.h"

namespace slussen::adapters::letter {
namespace {

namespace fs = std::filesystem;
using slussen::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

Spool MakeSpool(const std::string& dir) {
  SpoolOptions o;
  o.dir = dir;
  return *Spool::Open(o);
}

CommandSender Command(std::vector<std::string> argv) {
  return *CommandSender::Create({std::move(argv), std::chrono::seconds(60), 4096});
}

void ExpectNoPatientData(const std::string& s) {
  EXPECT_THAT(s, Not(HasSubstr("2381")));
  EXPECT_THAT(s, Not(HasSubstr(test::kFamily)));
  EXPECT_THAT(s, Not(HasSubstr("Storgatan")));
}

TEST(SendLetter, ASentLetterIsDeliveredAndFiledAsSent) {
  TempDir dir{"slussen-letter-job"};
  fs::create_directories(dir.File("inbox"));
  const Spool spool = MakeSpool(dir.File("spool"));
  const CommandSender fax =
      Command({SLUSSEN_FAKE_FAX_BINARY, "--inbox", dir.File("inbox"), "--fax", "{fax}", "{file}"});
  const LetterOutcome o =
      SendLetter(test::Event(EventKind::kInskrivningsmeddelande), test::Context(), spool, fax);
  EXPECT_EQ(o.disposition, Disposition::kDelivered) << o.summary << "\n" << o.output;
  EXPECT_EQ(o.summary, std::string("letter ") + test::kEventId +
                           " to kommun-1380 sent: slussen-fake-fax: exit status 0");
  EXPECT_EQ(o.spooled, spool.sent_dir() + "/" + test::kEventId + ".kommun-1380.pdf");
  EXPECT_TRUE(fs::exists(o.spooled));
  ExpectNoPatientData(o.summary);
}

TEST(SendLetter, AFailedSendIsRetriedAndTheLetterStaysSpooled) {
  TempDir dir{"slussen-letter-job"};
  const Spool spool = MakeSpool(dir.File("spool"));
  const LetterOutcome o = SendLetter(test::Event(EventKind::kKallelseSip), test::Context(), spool,
                                     Command({"/bin/false", "{file}"}));
  EXPECT_EQ(o.disposition, Disposition::kRetry);
  EXPECT_EQ(o.summary, std::string("letter ") + test::kEventId +
                           " to kommun-1380 not sent: false: exit status 1");
  EXPECT_EQ(o.spooled, spool.dir() + "/" + test::kEventId + ".kommun-1380.pdf");
  EXPECT_TRUE(fs::exists(o.spooled));
  EXPECT_STREQ(DispositionName(o.disposition), "retry");

  const LetterOutcome missing = SendLetter(test::Event(EventKind::kKallelseSip), test::Context(),
                                           spool, Command({"/nonexistent/lp", "{file}"}));
  EXPECT_EQ(missing.disposition, Disposition::kRetry);
  EXPECT_THAT(missing.summary, HasSubstr("lp: cannot start"));
}

TEST(SendLetter, AnEventThatCannotBeALetterIsRefusedAndNothingIsSent) {
  TempDir dir{"slussen-letter-job"};
  const Spool spool = MakeSpool(dir.File("spool"));
  const std::string marker = dir.File("ran");
  const CommandSender touch = Command({"/bin/sh", "-c", "touch '" + marker + "'"});
  slussen::v1::Envelope no_kind = test::Event(EventKind::kInskrivningsmeddelande);
  no_kind.clear_inskrivningsmeddelande();
  LetterOutcome o = SendLetter(no_kind, test::Context(), spool, touch);
  EXPECT_EQ(o.disposition, Disposition::kRefused);
  EXPECT_THAT(o.summary, HasSubstr("not written"));
  EXPECT_EQ(o.spooled, "");

  o = SendLetter(test::Event(EventKind::kUtskrivningsklar, "../../etc/x"), test::Context(), spool,
                 touch);
  EXPECT_EQ(o.disposition, Disposition::kRefused);
  EXPECT_THAT(o.summary, HasSubstr("letter (bad id) to kommun-1380 not written"));
  EXPECT_FALSE(fs::exists(marker));
}

TEST(SendLetter, AnUnwritableSpoolIsRetried) {
  TempDir dir{"slussen-letter-job"};
  const Spool spool = MakeSpool(dir.File("spool"));
  fs::remove_all(dir.File("spool"));  // the disk went away under the adapter
  const LetterOutcome o = SendLetter(test::Event(EventKind::kUtskrivningsklar), test::Context(),
                                     spool, Command({"/bin/true"}));
  EXPECT_EQ(o.disposition, Disposition::kRetry) << o.summary;
  EXPECT_THAT(o.summary, HasSubstr("not written"));
}

}  // namespace
}  // namespace slussen::adapters::letter
