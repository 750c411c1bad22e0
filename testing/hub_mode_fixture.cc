#include "testing/hub_mode_fixture.h"

#include <sys/stat.h>

#include <iostream>
#include <thread>

#include "testing/files.h"
#include "testing/hub_fixture.h"

namespace slussen::testing {

std::string ModeName(HubMode mode) { return mode == HubMode::kBroker ? "Broker" : "Embedded"; }

void HubModeTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = std::make_unique<TempDir>(std::string(info->test_suite_name()) + "." + info->name());
  if (broker_mode()) {
    const ::testing::AssertionResult started = StartBrokerHub(dir_->path(), broker_, ConfigOptions());
    hub_ = broker_.hub.get();
    ASSERT_TRUE(started) << HubLog();
    return;
  }
  const std::string config = WriteTestConfig(dir_->path(), ConfigOptions());
  own_hub_ = std::make_unique<HubProcess>(config, dir_->File("hub.stderr.log"));
  hub_ = own_hub_.get();
  ASSERT_TRUE(hub_->Start());
}

void HubModeTest::TearDown() {
  if (hub_ != nullptr && hub_->Alive()) {
    const ExitStatus st = hub_->Stop();
    EXPECT_TRUE(st.Ok()) << "hub did not exit 0 on SIGTERM at the end of the test: "
                         << st.ToString();
  }
  if (dir_) ExpectNoPatientDataInLogs(dir_->path());
  if (HasFailure() && hub_ != nullptr) {
    std::cerr << "--- hub stderr (" << hub_->stderr_path() << ", tail) ---\n"
              << hub_->StderrTail(16384) << "\n--- end of hub stderr ---\n";
  }
  hub_ = nullptr;
  own_hub_.reset();
  broker_.hub.reset();
  dir_.reset();
}

std::string HubModeTest::HubLog() const {
  return hub_ != nullptr ? "\n--- hub stderr (tail) ---\n" + hub_->StderrTail() + "\n--- end ---"
                         : "";
}

std::string HubModeTest::Address(const std::string& logical) const {
  return broker_mode() ? broker_.Address(logical) : logical;
}

std::unique_ptr<ModeClient> HubModeTest::NewClient() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string container =
      std::string("itest-") + info->name() + "-" + std::to_string(++client_count_);
  std::unique_ptr<ModeClient> c;
  if (broker_mode()) {
    client::ClientSecurity login;
    login.user = broker_.adapter_user;
    login.password = broker_.password;
    login.mechanisms = "PLAIN";
    login.allow_insecure_mechanisms = true;  // loopback
    BrokerAddressing addressing;
    addressing.enabled = true;
    addressing.queue_prefix = broker_.prefix;
    c = std::make_unique<ModeClient>(broker_.node->url(), login, container, addressing,
                                     broker_.adapter_user);
  } else {
    c = std::make_unique<ModeClient>(hub_->url(), client::ClientSecurity{}, container,
                                     BrokerAddressing{}, "");
  }
  std::string error;
  if (!c->Connect(std::chrono::seconds(10), &error)) {
    ADD_FAILURE() << "cannot connect to the " << (broker_mode() ? "broker" : "hub") << ": "
                  << error << HubLog();
    return nullptr;
  }
  return c;
}

std::string HubModeTest::AdapterHubElement(const std::string& container_id,
                                           const std::string& children,
                                           const std::string& release_delay) {
  if (!broker_mode()) {
    return "<hub url=\"amqp://" + hub_->url() + "\" container-id=\"" + container_id + "\">" +
           children + "</hub>";
  }
  const std::string secret = dir_->File("adapter.secret");
  WriteFile(secret, broker_.password + "\n");
  ::chmod(secret.c_str(), 0600);
  return "<hub url=\"" + broker_.node->url() + "\" container-id=\"" + container_id + "\">" +
         children + "<sasl mechanism=\"PLAIN\" user=\"" + broker_.adapter_user +
         "\" password-file=\"" + secret + "\"/><broker queue-prefix=\"" + broker_.prefix +
         "\" release-delay=\"" + release_delay + "\"/></hub>";
}

bool HubModeTest::Committed(const std::function<bool()>& pred) {
  return PollUntil(pred);
}

long HubModeTest::BrokerQueueDepth(const std::string& logical, long expected) {
  const std::string queue = BrokerAddressing{true, broker_.prefix}.QueueName(logical);
  auto depth = broker_.node->WaitForDepth(queue, expected);
  if (!depth.ok()) {
    ADD_FAILURE() << depth.error();
    return -1;
  }
  return *depth;
}


}  // namespace slussen::testing
