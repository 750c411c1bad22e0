// RabbitMQ 3.10 (AMQP 1.0 plugin) as a system under test, with the same durability and fan-out as
// the hub: a durable fanout exchange into two durable classic queues, pre-declared by
// scripts/rabbitmq-bench.sh, which also starts and stops the private node.
#include <chrono>
#include <regex>

#include "sut.h"
#include "testing/child_process.h"

namespace slussen::bench {
namespace {

class RabbitSut final : public Sut {
 public:
  explicit RabbitSut(SutPaths paths) : paths_(std::move(paths)) {}
  ~RabbitSut() override { Stop(); }
  std::string name() const override { return "rabbitmq"; }

  bool Start(std::string* error) override {
    // Installing rabbitmq-server with apt on first use takes about a minute.
    const testing::ProcessResult r = testing::RunProcess(
        {paths_.rabbitmq_script, "start"}, std::chrono::minutes(5), testing::Stderr::kMerged);
    static const std::regex kUp(R"(rabbitmq up: amqp=(\S+) pid=([0-9]+))");
    std::smatch m;
    if (!r.status.Ok() || !std::regex_search(r.out, m, kUp)) {
      *error = paths_.rabbitmq_script + " start failed (" + r.status.ToString() + "):\n" + r.out;
      return false;
    }
    url_ = m[1].str();
    pid_ = static_cast<pid_t>(std::stol(m[2].str()));
    started_ = true;
    return true;
  }

  void Stop() override {
    if (!started_) return;
    testing::RunProcess({paths_.rabbitmq_script, "stop"}, std::chrono::minutes(1),
                        testing::Stderr::kMerged);
    started_ = false;
  }

  std::string url() const override { return url_; }
  // The exchange, with an empty routing key (a fanout exchange ignores it).
  std::string send_address() const override { return "/exchange/bench.fanout/"; }
  // Pre-declared queues: /amq/queue/ never declares (docs/amqp-notes.md §2).
  std::vector<std::string> receive_addresses() const override {
    return {"/amq/queue/bench.q1", "/amq/queue/bench.q2"};
  }
  pid_t pid() const override { return pid_; }
  std::string data_dir() const override {
    const char* dir = std::getenv("RMQ_DIR");
    return std::string(dir ? dir : "/tmp/slussen-bench-rabbitmq") + "/mnesia";
  }
  bool durable_termini() const override { return true; }

 private:
  SutPaths paths_;
  bool started_ = false;
  std::string url_;
  pid_t pid_ = -1;
};

}  // namespace

std::unique_ptr<Sut> MakeRabbitSut(const SutPaths& paths) {
  return std::make_unique<RabbitSut>(paths);
}

}  // namespace slussen::bench
