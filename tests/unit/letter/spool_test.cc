// The spool: a letter appears under a name without patient data, whole (temp name, fsync, rename)
// and mode 0600; a failed write leaves nothing and keeps an earlier file; sent letters move to
// sent/; the cleanup removes what its policy says is old, and nothing else.
#include "adapters/letter/spool.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "testing/files.h"
#include "testing/pdf_tools.h"
#include "testing/temp_dir.h"
#include "unit/letter/letter_fixtures.h"

namespace slussen::adapters::letter {
namespace {

namespace fs = std::filesystem;
using slussen::testing::ReadFile;
using slussen::testing::TempDir;
using slussen::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

Spool OpenSpool(const std::string& dir, std::chrono::seconds keep_sent = std::chrono::hours(24)) {
  SpoolOptions o;
  o.dir = dir;
  o.keep_sent = keep_sent;
  o.keep_unsent = std::chrono::hours(48);
  Result<Spool> spool = Spool::Open(o);
  EXPECT_TRUE(spool.ok()) << spool.error();
  return *spool;
}

Status WriteText(const std::string& path, const std::string& text) {
  WriteFile(path, text);
  return OkStatus();
}

void SetMtime(const std::string& path, std::chrono::system_clock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const timespec times[2] = {{ns / 1'000'000'000, ns % 1'000'000'000},
                             {ns / 1'000'000'000, ns % 1'000'000'000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// With a group named, a print operator's account may read the letters and nothing more.
TEST(Spool, WithAGroupLettersAreReadableByItAndNoOneElse) {
  const struct group* own = ::getgrgid(::getgid());
  ASSERT_NE(own, nullptr);
  const std::string name = ::geteuid() == 0 ? "nogroup" : own->gr_name;
  const struct group* g = ::getgrnam(name.c_str());
  ASSERT_NE(g, nullptr) << name;
  const gid_t gid = g->gr_gid;
  TempDir dir{"slussen-spool"};
  SpoolOptions o;
  o.dir = dir.File("spool");
  o.keep_unsent = std::chrono::hours(48);
  o.group = name;
  Result<Spool> spool = Spool::Open(o);
  ASSERT_TRUE(spool.ok()) << spool.error();
  Result<std::string> path = spool->PutLetter(test::Event(EventKind::kInskrivningsmeddelande),
                                              test::Context());
  ASSERT_TRUE(path.ok()) << path.error();
  struct stat st {};
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(st.st_gid, gid);
  for (const std::string& d : {o.dir, o.dir + "/sent"}) {
    ASSERT_EQ(::stat(d.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0750u) << d;
    EXPECT_EQ(st.st_gid, gid) << d;
  }
  o.group = "no-such-group-slussen";
  Result<Spool> unknown = Spool::Open(o);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error(), HasSubstr("group 'no-such-group-slussen' does not exist"));
}

TEST(Spool, LetterIsSpooledWholeWithMode0600UnderEventAndRecipientId) {
  TempDir dir{"slussen-spool"};
  const Spool spool = OpenSpool(dir.File("spool"));
  const auto event = test::Event(EventKind::kInskrivningsmeddelande);
  Result<std::string> path = spool.PutLetter(event, test::Context());
  ASSERT_TRUE(path.ok()) << path.error();
  EXPECT_EQ(*path, dir.File("spool") + "/" + test::kEventId + ".kommun-1380.pdf");
  EXPECT_EQ(slussen::testing::FileHead(*path, 5), "%PDF-");
  struct stat st {};
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir.File("spool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // Only the letter and sent/: no temp file left, and the name says nothing about the patient.
  EXPECT_THAT(Names(spool.dir()),
              UnorderedElementsAre(std::string(test::kEventId) + ".kommun-1380.pdf", "sent"));
  EXPECT_THAT(*path, ::testing::Not(HasSubstr("2381")));
}

TEST(Spool, TheFinalNameAppearsOnlyOnceTheFileIsWhole) {
  TempDir dir{"slussen-spool"};
  const Spool spool = OpenSpool(dir.File("spool"));
  const std::string final_path = spool.dir() + "/ev-1.kommun-1380.pdf";
  bool checked = false;
  Result<std::string> path = spool.Put("ev-1", "kommun-1380", [&](const std::string& temp) {
    EXPECT_NE(temp, final_path);
    EXPECT_EQ(fs::path(temp).parent_path(), fs::path(spool.dir()));  // same file system
    EXPECT_FALSE(fs::exists(final_path)) << "visible before it is written";
    struct stat st {};
    EXPECT_EQ(::stat(temp.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the temp file is private from the start";
    checked = true;
    return WriteText(temp, "whole letter");
  });
  ASSERT_TRUE(path.ok()) << path.error();
  EXPECT_TRUE(checked);
  EXPECT_EQ(ReadFile(final_path), "whole letter");
}

TEST(Spool, AFailedWriteLeavesNothingAndKeepsTheEarlierLetter) {
  TempDir dir{"slussen-spool"};
  const Spool spool = OpenSpool(dir.File("spool"));
  ASSERT_TRUE(spool.Put("ev-1", "kommun-1380", [](const std::string& t) {
    return WriteText(t, "first");
  }).ok());
  Result<std::string> again = spool.Put("ev-1", "kommun-1380", [](const std::string& t) {
    WriteFile(t, "half a lett");
    return Status(Error{"render failed", ErrorCode::kInternal});
  });
  EXPECT_FALSE(again.ok());
  EXPECT_THAT(again.error(), HasSubstr("render failed"));
  EXPECT_EQ(ReadFile(spool.dir() + "/ev-1.kommun-1380.pdf"), "first");
  EXPECT_THAT(Names(spool.dir()), UnorderedElementsAre("ev-1.kommun-1380.pdf", "sent"));

  // A letter that cannot be rendered leaves nothing either.
  slussen::v1::Envelope no_kind = test::Event(EventKind::kUtskrivningsklar, "ev-2");
  no_kind.clear_utskrivningsklar();
  EXPECT_FALSE(spool.PutLetter(no_kind, test::Context()).ok());
  EXPECT_THAT(Names(spool.dir()), UnorderedElementsAre("ev-1.kommun-1380.pdf", "sent"));
}

TEST(Spool, UnsafeIdsCannotNameAFile) {
  EXPECT_TRUE(Spool::FileName("3f2a9c1e-8b7d-4e6f-9a01-23456789abcd", "vc-SE2321000115-VC01").ok());
  const std::vector<std::string> unsafe = {"",    "../x",               "a/b", ".hidden",
                                           "a b", std::string(65, 'a'), "Åsa"};
  for (const std::string& bad : unsafe) {
    EXPECT_EQ(Spool::FileName(bad, "kommun-1380").code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(Spool::FileName("ev-1", bad).code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Spool, OpenRefusesWhatCannotWork) {
  TempDir dir{"slussen-spool"};
  EXPECT_EQ(Spool::Open(SpoolOptions{}).code(), ErrorCode::kInvalidArgument);
  SpoolOptions short_unsent{dir.File("s"), std::chrono::hours(1), std::chrono::minutes(5)};
  EXPECT_EQ(Spool::Open(short_unsent).code(), ErrorCode::kInvalidArgument);
  WriteFile(dir.File("a-file"), "x");
  SpoolOptions on_file{dir.File("a-file")};
  Result<Spool> spool = Spool::Open(on_file);
  EXPECT_FALSE(spool.ok());
  EXPECT_THAT(spool.error(), HasSubstr("a-file"));
}

TEST(Spool, SentLettersMoveToSentOrGoAtOnceWithoutRetention) {
  TempDir dir{"slussen-spool"};
  const Spool spool = OpenSpool(dir.File("spool"));
  Result<std::string> path =
      spool.Put("ev-1", "kommun-1380", [](const std::string& t) { return WriteText(t, "1"); });
  ASSERT_TRUE(path.ok());
  Result<std::string> sent = spool.MarkSent(*path);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(*sent, spool.sent_dir() + "/ev-1.kommun-1380.pdf");
  EXPECT_EQ(ReadFile(*sent), "1");
  EXPECT_FALSE(fs::exists(*path));
  EXPECT_FALSE(spool.MarkSent(dir.File("elsewhere.pdf")).ok());

  const Spool no_keep = OpenSpool(dir.File("spool2"), std::chrono::seconds(0));
  path = no_keep.Put("ev-1", "kommun-1380", [](const std::string& t) { return WriteText(t, "1"); });
  ASSERT_TRUE(path.ok());
  sent = no_keep.MarkSent(*path);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(*sent, "");
  EXPECT_THAT(Names(no_keep.dir()), UnorderedElementsAre("sent"));
  EXPECT_TRUE(fs::is_empty(no_keep.sent_dir()));
}

TEST(Spool, CleanupRemovesOnlyWhatThePolicyCallsOld) {
  TempDir dir{"slussen-spool"};
  const Spool spool = OpenSpool(dir.File("spool"));  // sent kept 24 h, unsent 48 h
  const auto now = test::FixedNow();
  using std::chrono::hours;
  using std::chrono::minutes;
  auto file = [&](const std::string& path, std::chrono::system_clock::duration age) {
    WriteFile(path, "x");
    SetMtime(path, now - age);
  };
  const std::string d = spool.dir(), s = spool.sent_dir();
  file(s + "/old.kommun-1380.pdf", hours(25));
  file(s + "/fresh.kommun-1380.pdf", hours(23));
  file(d + "/old.vc-1.pdf", hours(49));
  file(d + "/fresh.vc-1.pdf", hours(47));
  file(d + "/.tmp-crashed.vc-1.pdf.AbC123", minutes(61));
  file(d + "/.tmp-writing.vc-1.pdf.XyZ789", minutes(1));
  file(d + "/notes.txt", hours(1000));  // not ours
  file(s + "/notes.txt", hours(1000));

  Result<int> removed = spool.Cleanup(now);
  ASSERT_TRUE(removed.ok()) << removed.error();
  EXPECT_EQ(*removed, 3);
  EXPECT_THAT(Names(s), UnorderedElementsAre("fresh.kommun-1380.pdf", "notes.txt"));
  EXPECT_THAT(Names(d), UnorderedElementsAre("fresh.vc-1.pdf", ".tmp-writing.vc-1.pdf.XyZ789",
                                             "notes.txt", "sent"));
  EXPECT_EQ(*spool.Cleanup(now), 0);
}

}  // namespace
}  // namespace slussen::adapters::letter
