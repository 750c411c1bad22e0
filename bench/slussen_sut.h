#pragma once
// Slussen as a system under test: the real hub binary, started as the integration tests start it
// (testing/child_process.h), with a generated config (testing/test_config.h) and a store in a
// fresh temporary directory. Scenarios also kill it with SIGKILL and restart it on the same store.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sut.h"
#include "testing/child_process.h"

namespace slussen::bench {

class OnInterrupt;

class SlussenSut final : public Sut {
 public:
  // `kommun_vc`: destination pairs; pair 0 is what receive_addresses() returns.
  SlussenSut(SutPaths paths, std::vector<std::pair<std::string, std::string>> kommun_vc);
  ~SlussenSut() override;
  // The hub's <admin> element, verbatim (testing::TestConfigOptions::admin_element); set before
  // Start(). Empty (the default): no admin listener.
  void set_admin_element(std::string xml) { admin_element_ = std::move(xml); }
  // Broker mode: the hub's <broker> element and the content of <adapters>, verbatim
  // (testing::TestConfigOptions); set before Prepare().
  void set_broker(std::string broker_element, std::string adapters) {
    broker_element_ = std::move(broker_element);
    adapters_ = std::move(adapters);
  }
  // "HOST:PORT" of the admin listener from the ready line; empty without one.
  std::string admin_endpoint() const { return process_.Endpoint("admin"); }
  std::string name() const override { return "slussen"; }
  bool Start(std::string* error) override;  // Prepare(), then Restart()
  // Creates the directory and writes the config, without starting the hub.
  bool Prepare(std::string* error);
  std::string config_path() const { return config_; }
  // Starts the hub again on the same store (after Kill9 or a stop of the process).
  bool Restart(std::string* error);
  void Stop() override;  // SIGTERM (clean drain), then removes the directory
  std::string url() const override { return process_.url(); }
  std::string send_address() const override { return "events"; }
  std::vector<std::string> receive_addresses() const override { return addresses(0); }
  // The two destinations of pair `i`.
  std::vector<std::string> addresses(std::size_t i) const;
  pid_t pid() const override { return process_.pid(); }
  std::vector<SutProcess> processes() const override { return {{"hub", process_.pid()}}; }
  std::string data_dir() const override { return dir_; }
  testing::ChildProcess& process() { return process_; }
  std::string log_path() const { return dir_ + "/slussen.log"; }

 private:
  SutPaths paths_;
  std::vector<std::pair<std::string, std::string>> kommun_vc_;
  std::string admin_element_;
  std::string broker_element_;
  std::string adapters_;
  testing::ChildProcess process_;
  std::string dir_;
  std::string config_;
  std::unique_ptr<OnInterrupt> on_interrupt_;  // kills the hub if the bench is interrupted
};

}  // namespace slussen::bench
