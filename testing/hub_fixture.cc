#include "testing/hub_fixture.h"

#include <filesystem>
#include <thread>

#include "testing/files.h"
#include "testing/log_scan.h"

namespace slussen::testing {

void ExpectNoPatientDataInLogs(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto& path = entry.path();
    if (!entry.is_regular_file() || path.extension() != ".log") continue;
    for (const auto& line : PatientDataInLog(ReadFile(path.string()))) {
      ADD_FAILURE() << "patient data in " << path.filename().string() << ": " << line;
    }
  }
}

void HubTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = std::make_unique<TempDir>(std::string(info->test_suite_name()) + "." + info->name());
  const std::string config = WriteTestConfig(dir_->path(), ConfigOptions());
  hub_ = std::make_unique<HubProcess>(config, dir_->File("hub.stderr.log"));
  ASSERT_TRUE(hub_->Start());
}

void HubTest::TearDown() {
  if (hub_ && hub_->Alive()) {
    const ExitStatus st = hub_->Stop();
    EXPECT_TRUE(st.Ok()) << "hub did not exit 0 on SIGTERM at the end of the test: "
                         << st.ToString();
  }
  if (dir_) ExpectNoPatientDataInLogs(dir_->path());
  if (HasFailure() && hub_) {
    std::cerr << "--- hub stderr (" << hub_->stderr_path() << ", tail) ---\n"
              << hub_->StderrTail(16384) << "\n--- end of hub stderr ---\n";
  }
  hub_.reset();
  dir_.reset();
}

std::string HubTest::HubLog() const {
  return hub_ ? "\n--- hub stderr (tail) ---\n" + hub_->StderrTail() + "\n--- end ---" : "";
}

std::unique_ptr<client::HubClient> HubTest::NewClient() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto c = std::make_unique<client::HubClient>(
      hub_->url(), std::string("itest-") + info->name() + "-" + std::to_string(++client_count_));
  std::string error;
  if (!c->Connect(std::chrono::seconds(10), &error)) {
    ADD_FAILURE() << "cannot connect to the hub at " << hub_->url() << ": " << error << HubLog();
    return nullptr;
  }
  return c;
}


}  // namespace slussen::testing
