// The real hub on a disk whose fsync fails (tests/preload/fail_fsync.cc, preloaded): the store
// latches, the hub releases every inbound message from then on (also once fsync works again),
// says so in its log, and exits 1 at SIGTERM. A restart recovers what was committed and accepts
// again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "hub_client.h"
#include "testing/child_process.h"
#include "testing/hub_process.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"
#include "testing/test_config.h"
#include "testing/test_envelopes.h"
#include "testing/test_messages.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

using client::HubClient;
using client::OutcomeName;
using client::SendOutcome;
using ::testing::HasSubstr;

constexpr char kFlagVar[] = "SLUSSEN_TEST_FAIL_FSYNC_WHILE";

// Starts the hub with the fsync-failing library preloaded. The environment is set only around
// the spawn: the child takes it at exec.
::testing::AssertionResult StartWithFailingFsync(HubProcess& hub, const std::string& flag) {
  setenv("LD_PRELOAD", SLUSSEN_FAIL_FSYNC_LIB, 1);
  setenv(kFlagVar, flag.c_str(), 1);
  auto started = hub.Start();
  unsetenv("LD_PRELOAD");
  unsetenv(kFlagVar);
  return started;
}

SendOutcome::Kind SendOne(HubClient& c, const v1::Envelope& env) {
  return c.Send("events", ToMessage(env)).kind;
}

TEST(HubStoreLatch, FailedFsyncStopsAcceptingUntilRestartAndExitsOne) {
  TempDir dir("HubStoreLatch.FailedFsync");
  const std::string config = WriteTestConfig(dir.path());
  const std::string flag = dir.File("fsync-fails");
  const std::string log = dir.File("hub.stderr.log");
  {
    HubProcess hub(config, log);
    ASSERT_TRUE(StartWithFailingFsync(hub, flag));
    HubClient c(hub.url(), "itest-latch");
    std::string error;
    ASSERT_TRUE(c.Connect(std::chrono::seconds(10), &error)) << error;

    const v1::Envelope first = ValidInskrivning();
    ASSERT_EQ(SendOne(c, first), SendOutcome::Kind::kAccepted) << hub.StderrTail();

    WriteFile(flag, "");
    const v1::Envelope second = ValidInskrivning();
    EXPECT_EQ(SendOne(c, second), SendOutcome::Kind::kReleased) << hub.StderrTail();
    std::filesystem::remove(flag);

    // fsync works again, but the store stays latched: nothing is accepted, not even a duplicate.
    EXPECT_EQ(SendOne(c, ValidInskrivning()), SendOutcome::Kind::kReleased) << hub.StderrTail();
    EXPECT_EQ(SendOne(c, first), SendOutcome::Kind::kReleased) << hub.StderrTail();
    c.Close();
    // Another process sees it too.
    const ProcessResult status = RunProcess({SlussenBinary(), "--config", config, "--status"});
    EXPECT_TRUE(status.status.Ok()) << status.err;
    EXPECT_THAT(status.out, HasSubstr("\"store_latched\": \"store "));
    EXPECT_THAT(status.out, HasSubstr("fsync"));

    const ExitStatus st = hub.Stop();
    EXPECT_TRUE(st.exited && st.code == 1) << st.ToString() << "\n" << hub.StderrTail();
    const std::string tail = hub.StderrTail(65536);
    EXPECT_THAT(tail, HasSubstr("store latched"));
    EXPECT_THAT(tail, HasSubstr("fsync failed"));
    EXPECT_THAT(tail, HasSubstr("exiting 1"));
  }
  // Restarted on a working disk: what was committed is there, and the hub accepts again.
  HubProcess hub(config, log);
  ASSERT_TRUE(hub.Start());
  StoreReader store(dir.File("hub.db"));
  EXPECT_EQ(store.QueryInt("SELECT count(*) FROM events"), 1);
  {
    HubClient c(hub.url(), "itest-latch-after");
    std::string error;
    ASSERT_TRUE(c.Connect(std::chrono::seconds(10), &error)) << error;
    EXPECT_EQ(SendOne(c, ValidInskrivning()), SendOutcome::Kind::kAccepted) << hub.StderrTail();
    c.Close();
  }
  EXPECT_EQ(store.QueryInt("SELECT count(*) FROM events"), 2);
  const ProcessResult status = RunProcess({SlussenBinary(), "--config", config, "--status"});
  EXPECT_THAT(status.out, HasSubstr("\"store_latched\": null")) << status.out << status.err;
  const ExitStatus st = hub.Stop();
  EXPECT_TRUE(st.Ok()) << st.ToString();
}

}  // namespace
}  // namespace slussen::testing
