#pragma once
// One suite, two modes (issue 14, hub/DESIGN.md "Broker mode"): a GoogleTest fixture for the
// end-to-end scenarios that must hold whether the hub is the embedded AMQP listener or a client of
// a broker. Parameterized by HubMode; instantiate with
//
//   INSTANTIATE_TEST_SUITE_P(Embedded, Suite, ::testing::Values(HubMode::kEmbedded));
//   INSTANTIATE_TEST_SUITE_P(Broker, Suite, ::testing::Values(HubMode::kBroker));
//
// (SLUSSEN_BOTH_MODES(Suite) does both). Embedded: the hub on 127.0.0.1 port 0, as HubTest.
// Broker: the hub on the run's shared RabbitMQ node (StartBrokerHub: a queue prefix and broker
// users of this test's own, the queues imported), and the test reaches the message path through
// the broker: NewClient() logs in as the adapter user, maps logical addresses onto the queues and
// stamps the user-id; AdapterHubElement() writes an adapter process's <hub> for either mode.
//
// What differs by design, and the helpers for it: in broker mode `accepted` is the broker's (the
// hub commits after); in embedded mode `accepted` means durable, and other connections see it
// within the store's flush interval (hub/DESIGN.md "Durable write path"). So store checks wait
// (Committed()). A receiver's rejection is dead-lettered by the broker (BrokerQueueDepth()).
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "testing/broker_hub.h"
#include "testing/hub_process.h"
#include "testing/poll.h"
#include "testing/mode_client.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"
#include "testing/test_config.h"
#include "testing/test_envelopes.h"
#include "testing/test_messages.h"

namespace slussen::testing {

enum class HubMode { kEmbedded, kBroker };
std::string ModeName(HubMode mode);
inline void PrintTo(HubMode mode, std::ostream* os) { *os << ModeName(mode); }

class HubModeTest : public ::testing::TestWithParam<HubMode> {
 protected:
  void SetUp() override;
  void TearDown() override;

  virtual TestConfigOptions ConfigOptions() const { return {}; }

  HubMode mode() const { return GetParam(); }
  bool broker_mode() const { return GetParam() == HubMode::kBroker; }

  // A connected client, or nullptr (with a test failure recorded).
  std::unique_ptr<ModeClient> NewClient();
  // The wire address of a logical one (the logical one itself in embedded mode).
  std::string Address(const std::string& logical) const;

  // An adapter's <hub> element for this mode: the hub's listener, or the broker with the adapter
  // user's PLAIN login (its password file written into the test's directory), the test's queue
  // prefix and `release_delay`. `children`: further children (<reconnect/>), verbatim.
  std::string AdapterHubElement(const std::string& container_id, const std::string& children,
                                const std::string& release_delay = "200ms");

  // Store checks after `accepted`, through a connection of the test's own: `pred` is waited for
  // (embedded: the hub flushes what it made durable within its flush interval; broker: the
  // broker accepted and the hub commits later).
  bool Committed(const std::function<bool()>& pred);
  // Broker mode: messages in the test's queue for `logical` ("dead" for its dead-letter queue),
  // polled until it is `expected` (a rabbitmqctl call each time: about a second); its last value.
  long BrokerQueueDepth(const std::string& logical, long expected);

  HubProcess& hub() { return *hub_; }
  TempDir& dir() { return *dir_; }
  const BrokerHub& broker() const { return broker_; }
  StoreReader store() const { return StoreReader(dir_->File("hub.db")); }
  std::string HubLog() const;


 private:
  std::unique_ptr<TempDir> dir_;
  BrokerHub broker_;                    // broker mode
  std::unique_ptr<HubProcess> own_hub_;  // embedded mode
  HubProcess* hub_ = nullptr;
  int client_count_ = 0;
};

#define SLUSSEN_BOTH_MODES(Suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(Embedded, Suite,                                                \
                           ::testing::Values(::slussen::testing::HubMode::kEmbedded));     \
  INSTANTIATE_TEST_SUITE_P(Broker, Suite, ::testing::Values(::slussen::testing::HubMode::kBroker))
#define SLUSSEN_EMBEDDED_ONLY(Suite)             \
  INSTANTIATE_TEST_SUITE_P(Embedded, Suite,      \
                           ::testing::Values(::slussen::testing::HubMode::kEmbedded))

}  // namespace slussen::testing
