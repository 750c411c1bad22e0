// What a peer sends cannot forge a line of the hub's log, and the store is readable by the hub's
// user only (issue 13, item 6).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "testing/hub_fixture.h"
#include "testing/log_scan.h"
#include "testing/child_process.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;

// A rejected event's id carries a newline, the start of a line of its own and a terminal escape:
// in the log it is one escaped field of the hub's own line.
TEST_F(HubTest, AnEventIdWithANewlineCannotForgeALogLine) {
  const std::string forged = "2026-01-01T00:00:00.000+0000 info operator admin: forged line";
  v1::Envelope env = ValidInskrivning();
  env.set_event_id("bad\n" + forged.substr(0, 40) + "\x1b[2J");
  auto client = NewClient();
  ASSERT_TRUE(client);
  EXPECT_EQ(client->Send("events", ToMessage(env)).kind, client::SendOutcome::Kind::kRejected);
  ASSERT_TRUE(PollUntil([&] { return HubLog().find("rejected message on") != std::string::npos; }))
      << HubLog();
  const std::string log = HubLog();
  EXPECT_THAT(log, HasSubstr("(event bad\\x0a2026-01-01T00:00:00.000+0000 info operat\\x1b[2J"));
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_NE(line.rfind("2026-01-01T00:00:00.000+0000", 0), 0u) << "a forged line: " << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << "a raw escape: " << line;
  }
}

// A peer chooses its container id: one that carries a line break, a forged line, a personnummer
// and a terminal escape is logged as one escaped field with the number redacted, so the log scan
// of TearDown finds nothing.
TEST_F(HubTest, AContainerIdCannotForgeALineOrPutAPersonnummerIntoTheLog) {
  const std::string personnummer = TestPersonnummer().front();
  const std::string container = "rogue\n2026-01-01T00:00:00.000+0000 info forged " +
                                personnummer.substr(0, 8) + "-" + personnummer.substr(8) + "\x1b[2J";
  client::HubClient client(hub().url(), container);
  std::string error;
  ASSERT_TRUE(client.Connect(std::chrono::seconds(10), &error)) << error;
  ASSERT_TRUE(PollUntil([&] { return HubLog().find("from container 'rogue") != std::string::npos; }))
      << HubLog();
  const std::string log = HubLog();
  EXPECT_THAT(log, HasSubstr("from container 'rogue\\x0a2026-01-01T00:00:00.000+0000 info forged "
                             "<personnummer?>\\x1b[2J'"));
  EXPECT_THAT(PatientDataInLog(log), ::testing::IsEmpty());
}

// The scan every hub test runs on the hub's log at its end (HubTest::TearDown): it finds what it
// must and leaves ids alone.
TEST(PatientDataInLog, FindsPersonnummerAndNamesButNotIds) {
  EXPECT_EQ(PatientDataInLog("info event 5f0c…: patient 202508242381 rejected\n").size(), 1u);
  EXPECT_EQ(PatientDataInLog("x 19121212-1212 y\n").size(), 1u);  // hyphenated
  EXPECT_EQ(PatientDataInLog("x 197010632391 y\n").size(), 1u);   // samordningsnummer (day 63)
  EXPECT_EQ(PatientDataInLog("warning name Testsson in a reason\n").size(), 1u);
  EXPECT_TRUE(PatientDataInLog(
                  "info event 3b1e2a4c-1111-4222-8333-201001011234 (case SE2321000115-SH01/"
                  "VT-1) stored at 2026-11-29T06:42:23.352+00:00 seq 1764398543123456\n")
                  .empty());
}

// A rejected message names its patient by a pseudonym: the same one each time (so one patient's
// rejections can be followed), and never the personnummer (the log scan at the end checks that).
TEST_F(HubTest, ARejectionNamesThePatientByAPseudonymOnly) {
  v1::Envelope env = ValidInskrivning();
  env.mutable_patient()->mutable_identity()->set_id(kBadCheckDigitPersonnummer);
  auto client = NewClient();
  ASSERT_TRUE(client);
  for (int i = 0; i < 2; ++i) {
    env.set_event_id(NewEventId());
    ASSERT_EQ(client->Send("events", ToMessage(env)).kind, client::SendOutcome::Kind::kRejected);
  }
  std::vector<std::string> pseudonyms;
  ASSERT_TRUE(PollUntil([&] {
    pseudonyms.clear();
    std::istringstream lines(HubLog());
    for (std::string line; std::getline(lines, line);) {
      const auto at = line.find(", patient p-");
      if (at != std::string::npos) pseudonyms.push_back(line.substr(at + 10, 14));
    }
    return pseudonyms.size() == 2;
  })) << HubLog();
  EXPECT_EQ(pseudonyms[0], pseudonyms[1]);
  EXPECT_THAT(pseudonyms[0], ::testing::MatchesRegex("p-[0-9a-f]{12}"));
}

TEST_F(HubTest, TheStoreIsReadableByTheHubsUserOnly) {
  // Something stored, so the write-ahead log exists too.
  auto client = NewClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->Send("events", ToMessage(ValidInskrivning())).kind,
            client::SendOutcome::Kind::kAccepted);
  for (const std::string name : {"hub.db", "hub.db-wal"}) {
    struct stat st {};
    ASSERT_EQ(::stat(dir().File(name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name << " is " << std::oct << (st.st_mode & 0777);
  }
}

// A group other than the process's own that it may give files to: root may give any, others
// only their own groups (the test then shows the mode alone).
std::string GroupForTheStore() {
  if (::geteuid() == 0) return "nogroup";
  const struct group* own = ::getgrgid(::getgid());
  return own != nullptr ? own->gr_name : "";
}

class StoreGroupTest : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.store_attributes = "group=\"" + GroupForTheStore() + "\"";
    return o;
  }
};

TEST_F(StoreGroupTest, TheStoreIsSharedWithTheConfiguredGroupReadOnly) {
  const std::string group = GroupForTheStore();
  ASSERT_FALSE(group.empty());
  const struct group* g = ::getgrnam(group.c_str());
  ASSERT_NE(g, nullptr) << group;
  const gid_t gid = g->gr_gid;
  auto client = NewClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->Send("events", ToMessage(ValidInskrivning())).kind,
            client::SendOutcome::Kind::kAccepted);
  for (const std::string name : {"hub.db", "hub.db-wal", "hub.db-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat(dir().File(name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0640u) << name << " is " << std::oct << (st.st_mode & 0777);
    EXPECT_EQ(st.st_gid, gid) << name;
  }
}

TEST(StoreGroup, AnUnknownGroupStopsTheHubWithAClearError) {
  TempDir dir("StoreGroup.unknown");
  TestConfigOptions o;
  o.store_attributes = "group=\"no-such-group-slussen\"";
  const std::string config = WriteTestConfig(dir.path(), o);
  const ProcessResult r = RunProcess({SlussenBinary(), "--config", config});
  EXPECT_TRUE(r.status.exited && r.status.code != 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("group 'no-such-group-slussen' does not exist")) << r.err;
}

}  // namespace
}  // namespace slussen::testing
