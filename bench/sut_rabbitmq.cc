// RabbitMQ 3.10 (AMQP 1.0 plugin) as a system under test, with the same durability and fan-out as
// the hub: a durable fanout exchange into two durable classic queues, pre-declared by
// scripts/rabbitmq-bench.sh, which also starts and stops the private node (rabbit_node.h).
#include "rabbit_node.h"
#include "sut.h"

namespace slussen::bench {
namespace {

class RabbitSut final : public Sut {
 public:
  explicit RabbitSut(const SutPaths& paths) : node_(paths.rabbitmq_script) {}
  std::string name() const override { return "rabbitmq"; }
  bool Start(std::string* error) override { return node_.Start("", error); }
  void Stop() override { node_.Stop(); }
  std::string unavailable() const override { return RabbitMqMissing(); }
  std::string url() const override { return node_.url(); }
  // The exchange, with an empty routing key (a fanout exchange ignores it).
  std::string send_address() const override { return "/exchange/bench.fanout/"; }
  // Pre-declared queues: /amq/queue/ never declares (docs/amqp-notes.md §2).
  std::vector<std::string> receive_addresses() const override {
    return {"/amq/queue/bench.q1", "/amq/queue/bench.q2"};
  }
  pid_t pid() const override { return node_.pid(); }
  std::vector<SutProcess> processes() const override { return {{"rabbitmq", node_.pid()}}; }
  std::string data_dir() const override { return node_.data_dir(); }
  bool durable_termini() const override { return true; }

 private:
  BenchRabbitNode node_;
};

}  // namespace

std::unique_ptr<Sut> MakeRabbitSut(const SutPaths& paths) {
  return std::make_unique<RabbitSut>(paths);
}

}  // namespace slussen::bench
