#pragma once
// The RabbitMQ definitions (the JSON that `load_definitions` and `rabbitmqctl
// import_definitions` read) of the queues a hub config needs in broker mode: what
// `slussen --broker-definitions` prints and deploy/rabbitmq/ holds for the demo region.
//
//   PREFIXevents, PREFIXreceipts   the hub consumes; adapters publish
//   PREFIXout.DESTINATION          one per destination: the hub publishes, the adapter consumes
//   PREFIXdead                     where the broker dead-letters
//
// All durable quorum queues (RabbitMQ's replicated type: the message path survives the loss of
// a cluster node). Every queue dead-letters into PREFIXdead: an inbound event the hub rejected
// (it has recorded why), and an outbound message its adapter rejected or that passed the
// out-queues' delivery limit. The inbound queues have no delivery limit on purpose: the hub
// hands a message back only when it cannot store it (disk bound, draining), and a limit would
// turn such an outage into dead letters.
#include <nlohmann/json.hpp>

#include "config/config.h"

namespace slussen {

// Deliveries of one message from an out queue (the adapter released it each time) before the
// broker dead-letters it. With the adapters' release delay in broker mode (30 s) that is about
// 50 minutes of the receiving system being away.
inline constexpr int kOutQueueDeliveryLimit = 100;

nlohmann::json BrokerDefinitions(const Config& config);

}  // namespace slussen
