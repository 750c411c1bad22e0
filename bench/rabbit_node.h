#pragma once
// The bench's private RabbitMQ 3.10 node, started and stopped by scripts/rabbitmq-bench.sh (its
// own node name and ports, loopback only, a fresh store on every start). The `rabbitmq` column
// and the broker-mode column each start it for their run, one after the other.
#include <sys/types.h>

#include <memory>
#include <string>

namespace slussen::bench {

class OnInterrupt;

class BenchRabbitNode {
 public:
  explicit BenchRabbitNode(std::string script);
  ~BenchRabbitNode();  // Stop()
  BenchRabbitNode(const BenchRabbitNode&) = delete;
  BenchRabbitNode& operator=(const BenchRabbitNode&) = delete;

  // `users`: "user:password ..." added with full rights on vhost / (may be empty).
  bool Start(const std::string& users, std::string* error);
  // Imports a RabbitMQ definitions file (queues) into the running node.
  bool Import(const std::string& definitions_file, std::string* error);
  // Stops the node. Also after a failed Start: the script may have got as far as the beam.
  void Stop();

  std::string url() const { return url_; }  // 127.0.0.1:PORT
  pid_t pid() const { return pid_; }         // the beam
  std::string data_dir() const;

 private:
  std::string script_;
  bool tried_ = false;  // Start() ran: Stop() must run the script's stop
  std::string url_;
  pid_t pid_ = -1;
  std::unique_ptr<OnInterrupt> on_interrupt_;
};

// Why RabbitMQ cannot run on this machine ("rabbitmq-server is not installed ..."), or empty.
// The script installs it with apt when it can; asked after a failed start.
std::string RabbitMqMissing();

}  // namespace slussen::bench
