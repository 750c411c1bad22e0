// The fake fax gateway (slussen-fake-fax) as the command sender's command, with a real spooled
// letter: it "faxes" into its inbox; while DIR/FAIL exists (or with --fail) the line is down and
// the send is not delivered; removing FAIL mends it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "adapters/letter/command_sender.h"
#include "adapters/letter/fake_fax_binary.h"
#include "adapters/letter/spool.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/temp_dir.h"
#include "unit/letter/letter_fixtures.h"

namespace slussen::adapters::letter {
namespace {

namespace fs = std::filesystem;
using slussen::testing::ReadFile;
using slussen::testing::TempDir;
using ::testing::HasSubstr;

class FakeFax : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(inbox_);
    SpoolOptions o;
    o.dir = dir_.File("spool");
    Result<Spool> spool = Spool::Open(o);
    ASSERT_TRUE(spool.ok()) << spool.error();
    spool_.emplace(*spool);
    Result<CommandSender> sender = CommandSender::Create(
        {{SLUSSEN_FAKE_FAX_BINARY, "--inbox", inbox_, "--fax", "{fax}", "{file}"},
         std::chrono::seconds(60),
         4096});
    ASSERT_TRUE(sender.ok()) << sender.error();
    sender_.emplace(*sender);
  }

  SendRequest Spooled() {
    const LetterContext c = test::Context();
    Result<std::string> path = spool_->PutLetter(test::Event(EventKind::kKallelseSip), c);
    EXPECT_TRUE(path.ok()) << path.error();
    return {*path, c.to.fax, c.to.id, test::kEventId};
  }

  std::vector<std::string> Inbox() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(inbox_)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }

  TempDir dir_{"slussen-fake-fax"};
  std::string inbox_ = dir_.File("inbox");
  std::optional<Spool> spool_;
  std::optional<CommandSender> sender_;
};

const std::string kFaxed = std::string("fax-+4635138000-") + test::kEventId + ".kommun-1380.pdf";

TEST_F(FakeFax, DeliversTheLetterIntoItsInbox) {
  const SendRequest r = Spooled();
  const SendOutcome o = sender_->Send(r);
  ASSERT_TRUE(o.delivered) << o.summary << "\n" << o.output;
  EXPECT_EQ(o.summary, "slussen-fake-fax: exit status 0");
  EXPECT_THAT(o.output, HasSubstr("request id is " + kFaxed));
  EXPECT_THAT(Inbox(), ::testing::ElementsAre(kFaxed));
  EXPECT_EQ(ReadFile(inbox_ + "/" + kFaxed), ReadFile(r.file));

  // Then the adapter files it as sent.
  Result<std::string> sent = spool_->MarkSent(r.file);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_TRUE(fs::exists(*sent));
}

TEST_F(FakeFax, FailsWhileTheControlFileExistsAndRecovers) {
  const SendRequest r = Spooled();
  slussen::testing::WriteFile(inbox_ + "/FAIL", "");
  for (int attempt = 0; attempt < 2; ++attempt) {
    const SendOutcome o = sender_->Send(r);
    EXPECT_FALSE(o.delivered);
    EXPECT_EQ(o.summary, "slussen-fake-fax: exit status 1");
    EXPECT_THAT(o.output, HasSubstr("the fax line is down"));
    EXPECT_THAT(o.output, HasSubstr("FAIL exists"));
  }
  EXPECT_THAT(Inbox(), ::testing::ElementsAre("FAIL"));
  EXPECT_TRUE(fs::exists(r.file)) << "a failed send leaves the letter in the spool for the retry";

  fs::remove(inbox_ + "/FAIL");
  const SendOutcome o = sender_->Send(r);
  EXPECT_TRUE(o.delivered) << o.summary << "\n" << o.output;
  EXPECT_THAT(Inbox(), ::testing::ElementsAre(kFaxed));
}

TEST_F(FakeFax, FailsWhenToldByTheFlag) {
  const SendRequest r = Spooled();
  const slussen::testing::ProcessResult p = slussen::testing::RunProcess(
      {SLUSSEN_FAKE_FAX_BINARY, "--inbox", inbox_, "--fail", "--fax", r.fax, r.file});
  EXPECT_TRUE(p.status.exited);
  EXPECT_EQ(p.status.code, 1);
  EXPECT_THAT(p.err, HasSubstr("--fail"));
  EXPECT_TRUE(Inbox().empty());
}

TEST_F(FakeFax, WrongUsageAndUnreadableFilesFail) {
  using slussen::testing::RunProcess;
  auto code = [](const slussen::testing::ProcessResult& p) {
    return p.status.exited ? p.status.code : -1;
  };
  EXPECT_EQ(code(RunProcess({SLUSSEN_FAKE_FAX_BINARY, "--inbox", inbox_, "some.pdf"})), 2);
  EXPECT_EQ(code(RunProcess({SLUSSEN_FAKE_FAX_BINARY, "--fax", "+4635", "some.pdf"})), 2);
  EXPECT_EQ(code(RunProcess({SLUSSEN_FAKE_FAX_BINARY, "--inbox", inbox_, "--fax", "no digits",
                             "some.pdf"})),
            2);
  const slussen::testing::ProcessResult missing = RunProcess(
      {SLUSSEN_FAKE_FAX_BINARY, "--inbox", inbox_, "--fax", "+4635", dir_.File("missing.pdf")});
  EXPECT_EQ(code(missing), 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read"));
  const slussen::testing::ProcessResult no_inbox = RunProcess(
      {SLUSSEN_FAKE_FAX_BINARY, "--inbox", dir_.File("nope"), "--fax", "+4635", "x.pdf"});
  EXPECT_EQ(code(no_inbox), 1);
  EXPECT_TRUE(Inbox().empty());
}

}  // namespace
}  // namespace slussen::adapters::letter
