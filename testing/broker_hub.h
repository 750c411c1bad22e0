#pragma once
// A hub in broker mode for a test (hub/DESIGN.md "Broker mode"): on the run's shared RabbitMQ
// node (rabbitmq_node.h) or a test's own, with a queue prefix and broker users of its own (so tests share the
// node), the queues imported as `slussen --broker-definitions` prints them, and the hub started.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "runtime/hub_connection_config.h"
#include "testing/hub_process.h"
#include "testing/rabbitmq_node.h"
#include "testing/test_config.h"

namespace slussen::testing {

struct BrokerHub {
  RabbitNode* node = nullptr;
  std::string prefix;        // "t<pid>-<n>."
  std::string hub_user;      // the hub's broker login
  std::string adapter_user;  // the login of the one <adapter name="broker-test"> (may do anything)
  std::string password;      // both users'
  std::string config_path;
  std::unique_ptr<HubProcess> hub;

  // An adapter runtime's connection to the broker as adapter_user.
  adapter::HubConnectionConfig AdapterConnection() const;
  // The broker address of a logical one ("events" -> "/amq/queue/<prefix>events").
  std::string Address(const std::string& logical) const;
};

// Where the hub's broker is and what its <broker> holds besides the url and login.
struct BrokerHubOptions {
  RabbitNode* node = nullptr;   // null: the run's shared node; fault tests pass a private one
  std::string broker_children;  // verbatim inside <broker> (a <reconnect .../>)
};

// Writes the config into `dir` (`options` with <broker> and the adapter set), imports the queues
// and starts the hub; `out` is filled as far as it got.
::testing::AssertionResult StartBrokerHub(const std::string& dir, BrokerHub& out,
                                          TestConfigOptions options = {},
                                          const BrokerHubOptions& broker = {});

}  // namespace slussen::testing
