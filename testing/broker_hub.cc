#include "testing/broker_hub.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <random>

#include "wire/broker_addressing.h"
#include "testing/child_process.h"
#include "testing/files.h"

namespace slussen::testing {

adapter::HubConnectionConfig BrokerHub::AdapterConnection() const {
  adapter::HubConnectionConfig c;
  c.url = node->url();
  c.sasl = adapter::HubConnectionConfig::Sasl{"PLAIN", adapter_user, password};
  c.broker.enabled = true;
  c.broker.queue_prefix = prefix;
  c.reconnect_initial = std::chrono::milliseconds(50);
  c.reconnect_max = std::chrono::milliseconds(500);
  return c;
}

std::string BrokerHub::Address(const std::string& logical) const {
  BrokerAddressing a;
  a.enabled = true;
  a.queue_prefix = prefix;
  return a.Address(logical);
}

::testing::AssertionResult StartBrokerHub(const std::string& dir, BrokerHub& out,
                                          TestConfigOptions options,
                                          const BrokerHubOptions& broker) {
  std::string error;
  out.node = broker.node != nullptr ? broker.node : RabbitNode::Shared(&error);
  if (out.node == nullptr) return ::testing::AssertionFailure() << error;
  std::random_device random;
  const std::string suffix = std::to_string(::getpid()) + "-" + std::to_string(random() % 1000000);
  out.prefix = "t" + suffix + ".";
  out.hub_user = "hub-" + suffix;
  out.adapter_user = "adapter-" + suffix;
  out.password = "a-test-password-of-some-length";
  for (const std::string& user : {out.hub_user, out.adapter_user}) {
    if (auto added = out.node->AddUser(user, out.password); !added) {
      return ::testing::AssertionFailure() << added.error();
    }
  }
  const std::string secret = dir + "/broker.secret";
  WriteFile(secret, out.password + "\n");
  ::chmod(secret.c_str(), 0600);
  options.broker_element = "<broker url=\"" + out.node->url() + "\" queue-prefix=\"" +
                           out.prefix + "\"><login user=\"" + out.hub_user +
                           "\" password-file=\"" + secret + "\"/>" + broker.broker_children +
                           "</broker>";
  options.adapters = "<adapter name=\"broker-test\"><login user=\"" + out.adapter_user +
                     "\"/><sends as=\"*\"/><reads destinations=\"*\"/>"
                     "<receipts-for destinations=\"*\"/></adapter>";
  out.config_path = WriteTestConfig(dir, options);
  const ProcessResult defs =
      RunProcess({SlussenBinary(), "--config", out.config_path, "--broker-definitions"});
  if (!defs.status.Ok()) {
    return ::testing::AssertionFailure() << "--broker-definitions: " << defs.err;
  }
  if (auto imported = out.node->Import(defs.out); !imported) {
    return ::testing::AssertionFailure() << imported.error();
  }
  out.hub = std::make_unique<HubProcess>(out.config_path, dir + "/hub.log");
  return out.hub->Start();
}

}  // namespace slussen::testing
