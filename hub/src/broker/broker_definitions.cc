#include "broker/broker_definitions.h"

#include "wire/broker_addressing.h"

namespace slussen {
namespace {

nlohmann::json Queue(const std::string& name, nlohmann::json arguments) {
  arguments["x-queue-type"] = "quorum";
  return {{"name", name},       {"vhost", "/"}, {"durable", true},
          {"auto_delete", false}, {"arguments", std::move(arguments)}};
}

}  // namespace

nlohmann::json BrokerDefinitions(const Config& config) {
  BrokerAddressing addressing;
  addressing.enabled = true;
  addressing.queue_prefix = config.broker ? config.broker->queue_prefix : "slussen.";
  const std::string dead = addressing.QueueName("dead");
  const nlohmann::json to_dead = {{"x-dead-letter-exchange", ""},
                                  {"x-dead-letter-routing-key", dead}};
  nlohmann::json queues = nlohmann::json::array();
  queues.push_back(Queue(addressing.QueueName("events"), to_dead));
  queues.push_back(Queue(addressing.QueueName("receipts"), to_dead));
  for (const std::string& destination : config.AllDestinations()) {
    nlohmann::json arguments = to_dead;
    arguments["x-delivery-limit"] = kOutQueueDeliveryLimit;
    queues.push_back(Queue(addressing.QueueName("out/" + destination), std::move(arguments)));
  }
  queues.push_back(Queue(dead, nlohmann::json::object()));
  return {{"rabbit_version", "3.10.8"},
          {"vhosts", nlohmann::json::array({{{"name", "/"}}})},
          {"queues", std::move(queues)},
          {"exchanges", nlohmann::json::array()},
          {"bindings", nlohmann::json::array()}};
}

}  // namespace slussen
