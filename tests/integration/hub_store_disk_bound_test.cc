// The store's disk bound with the real hub (<store max-bytes resume-below>, hub/DESIGN.md "Disk
// bound"): reached, inbound is released with nothing stored, the log says why, `slussen --status`
// shows it, and delivery goes on; released, inbound is accepted again.
//
// The two ways out, as they are in the hub: the write-ahead log grew because a reader held it
// (here the test's own read transaction, as a long report would) and the hub truncates it once
// the reader is gone, by itself; or the database file itself is at the bound, which never shrinks,
// and an operator raises max-bytes and restarts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "hub_client.h"
#include "testing/child_process.h"
#include "testing/hub_process.h"
#include "testing/message_collector.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"
#include "testing/test_config.h"
#include "testing/test_envelopes.h"
#include "testing/test_messages.h"

namespace slussen::testing {
namespace {

using client::HubClient;
using client::OutcomeName;
using client::SendOutcome;
using ::testing::HasSubstr;

constexpr uint64_t kKiB = 1024;

SendOutcome::Kind SendOne(HubClient& c, const v1::Envelope& env) {
  return c.Send("events", ToMessage(env)).kind;
}

std::string Status(const std::string& config) {
  const ProcessResult status = RunProcess({SlussenBinary(), "--config", config, "--status"});
  EXPECT_TRUE(status.status.Ok()) << status.err;
  return status.out;
}

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

class HubDiskBound : public ::testing::Test {
 protected:
  // Starts the hub once without a bound, so that it creates its store, and stops it: the size of
  // a fresh store (the log is folded in and removed at a clean stop).
  uint64_t FreshStoreBytes() {
    WriteTestConfig(dir_.path());
    HubProcess hub(config_, log_);
    EXPECT_TRUE(hub.Start());
    const ExitStatus st = hub.Stop();
    EXPECT_TRUE(st.Ok()) << st.ToString();
    return FileSize(db_) + FileSize(db_ + "-wal");
  }
  void WriteBound(uint64_t max_bytes, uint64_t resume_below) {
    TestConfigOptions options;
    options.store_attributes = "max-bytes=\"" + std::to_string(max_bytes) + "\" resume-below=\"" +
                               std::to_string(resume_below) + "\"";
    WriteTestConfig(dir_.path(), options);
  }
  std::unique_ptr<HubClient> Connect(HubProcess& hub, const std::string& name) {
    auto c = std::make_unique<HubClient>(hub.url(), name);
    std::string error;
    EXPECT_TRUE(c->Connect(std::chrono::seconds(10), &error)) << error;
    return c;
  }
  int64_t Events() { return StoreReader(db_).QueryInt("SELECT count(*) FROM events"); }

  TempDir dir_{"HubDiskBound"};
  std::string config_ = dir_.File("hub.xml");
  std::string db_ = dir_.File("hub.db");
  std::string log_ = dir_.File("hub.stderr.log");
};

TEST_F(HubDiskBound, ReachedWhileAReaderHoldsTheLogAndReleasedWhenItLetsGo) {
  const uint64_t fresh = FreshStoreBytes();
  ASSERT_GT(fresh, 0u);
  // Each event's commit adds some 30 KiB to the log while the reader holds it: full after about
  // 16 events. What the log's pages add to the database file when they are copied back is far
  // below the gap to resume-below.
  const uint64_t max_bytes = fresh + 512 * kKiB;
  WriteBound(max_bytes, fresh + 384 * kKiB);
  HubProcess hub(config_, log_);
  ASSERT_TRUE(hub.Start());
  auto reader = std::make_unique<HeldReadTransaction>(db_);
  auto c = Connect(hub, "itest-disk-bound");
  ASSERT_TRUE(c);

  // The hub measures its store at most once a second, so a few events pass the bound before it
  // notices; the pause between them only keeps that number small.
  std::set<std::string> accepted;
  v1::Envelope released;
  for (int i = 0; i < 2000; ++i) {
    const v1::Envelope env = ValidInskrivning();
    const SendOutcome::Kind kind = SendOne(*c, env);
    if (kind == SendOutcome::Kind::kReleased) {
      released = env;
      break;
    }
    ASSERT_EQ(kind, SendOutcome::Kind::kAccepted) << OutcomeName(kind) << hub.StderrTail();
    accepted.insert(env.event_id());
    if (FileSize(db_) + FileSize(db_ + "-wal") >= max_bytes) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_FALSE(released.event_id().empty()) << "never released" << hub.StderrTail();
  EXPECT_GE(FileSize(db_) + FileSize(db_ + "-wal"), max_bytes);

  // Full: everything inbound is released and nothing is stored for it, not even a dead letter.
  const int64_t stored = Events();
  EXPECT_EQ(stored, static_cast<int64_t>(accepted.size()));
  EXPECT_EQ(SendOne(*c, ValidInskrivning()), SendOutcome::Kind::kReleased) << hub.StderrTail();
  EXPECT_EQ(SendOne(*c, released), SendOutcome::Kind::kReleased) << hub.StderrTail();
  EXPECT_EQ(Events(), stored);
  EXPECT_EQ(StoreReader(db_).QueryInt("SELECT count(*) FROM dead_letters"), 0);
  const std::string status = Status(config_);
  EXPECT_THAT(status, HasSubstr("\"store_full\": \"store "));
  EXPECT_THAT(status, HasSubstr("reached max-bytes " + std::to_string(max_bytes)));
  EXPECT_THAT(status, HasSubstr("\"store_max_bytes\": " + std::to_string(max_bytes)));
  EXPECT_THAT(hub.StderrTail(65536), HasSubstr("store full: "));

  // Delivery goes on while full, and its acceptances are written.
  MessageCollector kommun;
  std::string error;
  ASSERT_GE(c->Receive(OutAddress(KommunDestination(kTestKommun)), kommun.Handler(), 100, &error),
            0)
      << error;
  EXPECT_TRUE(kommun.WaitForIds(accepted)) << Describe(kommun.Messages()) << hub.StderrTail();
  const std::string delivered_sql =
      "SELECT count(*) FROM outbox WHERE destination = '" + KommunDestination(kTestKommun) +
      "' AND delivered_at_us IS NOT NULL";
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (StoreReader(db_).QueryInt(delivered_sql) < stored &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(StoreReader(db_).QueryInt(delivered_sql), stored);

  // The reader lets go: the hub truncates its log and accepts again; the released event too,
  // which its sender kept. (The deadline is a safety net against a hang, not a timing.)
  reader.reset();
  SendOutcome::Kind kind = SendOutcome::Kind::kReleased;
  while (kind == SendOutcome::Kind::kReleased && std::chrono::steady_clock::now() < give_up +
                                                     std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kind = SendOne(*c, released);
  }
  EXPECT_EQ(kind, SendOutcome::Kind::kAccepted) << OutcomeName(kind) << hub.StderrTail();
  EXPECT_EQ(Events(), stored + 1);
  EXPECT_TRUE(kommun.WaitForId(released.event_id())) << hub.StderrTail();
  EXPECT_THAT(Status(config_), HasSubstr("\"store_full\": null"));
  EXPECT_THAT(hub.StderrTail(65536), HasSubstr("store below resume-below again"));
  c->Close();
  const ExitStatus st = hub.Stop();
  EXPECT_TRUE(st.Ok()) << st.ToString() << hub.StderrTail();
}

// The database file itself is over the bound: it never shrinks, so the hub stays full (and says
// so from its start) until an operator raises max-bytes and restarts it.
TEST_F(HubDiskBound, DatabaseOverTheBoundWaitsForTheOperator) {
  const uint64_t fresh = FreshStoreBytes();
  ASSERT_GT(fresh, 8 * kKiB);
  WriteBound(fresh / 2, fresh / 4);
  const v1::Envelope env = ValidInskrivning();
  {
    HubProcess hub(config_, log_);
    ASSERT_TRUE(hub.Start());
    auto c = Connect(hub, "itest-disk-bound-db");
    ASSERT_TRUE(c);
    EXPECT_EQ(SendOne(*c, env), SendOutcome::Kind::kReleased) << hub.StderrTail();
    EXPECT_EQ(Events(), 0);
    EXPECT_THAT(Status(config_), HasSubstr("\"store_full\": \"store "));
    const std::string log = hub.StderrTail(65536);
    EXPECT_THAT(log, HasSubstr("store full: "));
    EXPECT_THAT(log, HasSubstr("raises max-bytes"));
    c->Close();
    const ExitStatus st = hub.Stop();
    EXPECT_TRUE(st.Ok()) << st.ToString();  // full is no failure of the store
  }
  WriteBound(fresh + 1024 * kKiB, fresh + 512 * kKiB);  // the operator's change
  HubProcess hub(config_, log_);
  ASSERT_TRUE(hub.Start());
  EXPECT_THAT(Status(config_), HasSubstr("\"store_full\": null"));
  auto c = Connect(hub, "itest-disk-bound-db-after");
  ASSERT_TRUE(c);
  EXPECT_EQ(SendOne(*c, env), SendOutcome::Kind::kAccepted) << hub.StderrTail();
  EXPECT_EQ(Events(), 1);
  c->Close();
  const ExitStatus st = hub.Stop();
  EXPECT_TRUE(st.Ok()) << st.ToString();
}

}  // namespace
}  // namespace slussen::testing
