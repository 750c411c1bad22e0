// What a peer sends cannot forge a line of the hub's log, and the store is readable by the hub's
// user only (issue 13, item 6).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>
#include <string>

#include "testing/hub_fixture.h"

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
  EXPECT_THAT(log, HasSubstr("(event bad\\x0a2026-01-01T00:00:00.000+0000 info operat\\x1b[2J)"));
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_NE(line.rfind("2026-01-01T00:00:00.000+0000", 0), 0u) << "a forged line: " << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << "a raw escape: " << line;
  }
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

}  // namespace
}  // namespace slussen::testing
