#pragma once
// A private RabbitMQ 3.10 node for broker-mode tests (hub/DESIGN.md "Broker mode"), run by
// scripts/rabbitmq-node.sh: loopback only, its own node name, ports and data directory.
//
// Shared(): the node scripts/test.sh (and CI) started for the whole run, named by the
// environment (SLUSSEN_TEST_RABBITMQ_PORT, SLUSSEN_TEST_RABBITMQ_DIR), so that each test does not
// pay the node's start (about 6 s); tests on it keep apart by a queue prefix of their own. When
// the variables are unset (a test run by hand), the first Shared() starts a node for this process.
// Fault tests that stop or kill the broker start their own with Start().
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace slussen::testing {

class RabbitNode {
 public:
  // Starts a fresh node on free loopback ports, with these users ("user:password ...").
  static Result<std::unique_ptr<RabbitNode>> Start(const std::string& users);
  // The run's shared node (see above); nullptr with `error` when none can be had.
  static RabbitNode* Shared(std::string* error);
  ~RabbitNode();  // stops a node this object started

  // The AMQP url, amqp://127.0.0.1:PORT.
  std::string url() const;
  int port() const { return port_; }

  // Imports RabbitMQ definitions (JSON text: queues, users are not in them) into the running node.
  Status Import(const std::string& definitions_json);
  // Adds (or updates) a user with full rights on vhost /.
  Status AddUser(const std::string& user, const std::string& password);
  // Messages ready plus unacknowledged in `queue`, or an error. As the node's statistics last
  // had it: a quorum queue reports them on a timer, a few seconds late, so a test waits for the
  // figure it expects rather than reading it once.
  Result<long> QueueDepth(const std::string& queue);
  // QueueDepth polled until it is `expected` or `timeout` passes (the broker's figures lag; a
  // rabbitmqctl call each time): its last value, or the first error.
  Result<long> WaitForDepth(const std::string& queue, long expected,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Graceful stop (the broker closes connections with amqp:internal-error "shutdown"), SIGKILL,
  // and a start that keeps the data directory (queues and their messages come back).
  Status Stop();
  Status Kill9();
  Status Restart();
  // Raises (true) or lifts the node's disk alarm: with it the broker blocks every publisher
  // (scripts/rabbitmq-node.sh disk-alarm). Returns once the node reports the new state.
  Status DiskAlarm(bool on);

 private:
  RabbitNode(int port, std::string dir, bool owned) : port_(port), dir_(std::move(dir)), owned_(owned) {}
  // Runs scripts/rabbitmq-node.sh with this node's environment.
  Result<std::string> Script(const std::vector<std::string>& args, const std::string& extra_env = "");

  int port_ = 0;
  std::string dir_;
  bool owned_ = false;  // started by this object (stopped by its destructor)
  std::string dist_port_env_;  // "RABBITMQ_DIST_PORT=N" of a node this object started
};

}  // namespace slussen::testing
