#pragma once
// GoogleTest fixture for tests against a running hub: a TempDir named after the test, a config
// written into it (override ConfigOptions() to change it), the hub started from it, and helpers
// for clients and the store. On failure the tail of the hub's stderr is printed and the temp dir
// is kept.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "hub_client.h"
#include "testing/hub_process.h"
#include "testing/poll.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"
#include "testing/test_config.h"
#include "testing/test_envelopes.h"
#include "testing/test_messages.h"

namespace slussen::testing {

// Whatever a test did, no log names a patient (issue 13: no personnummer or name in a log line):
// the hub's, and every adapter's the test started in its directory `dir` (*.log).
void ExpectNoPatientDataInLogs(const std::string& dir);

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  virtual TestConfigOptions ConfigOptions() const { return {}; }

  // A connected client, or nullptr (with a test failure recorded).
  std::unique_ptr<client::HubClient> NewClient();

  HubProcess& hub() { return *hub_; }
  TempDir& dir() { return *dir_; }
  StoreReader store() const { return StoreReader(dir_->File("hub.db")); }
  // The hub's stderr tail, to stream into failure messages.
  std::string HubLog() const;


 private:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<HubProcess> hub_;
  int client_count_ = 0;
};

}  // namespace slussen::testing
