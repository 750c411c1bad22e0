#include "rabbit_node.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>

#include "interrupt_cleanup.h"
#include "testing/child_process.h"

namespace slussen::bench {
namespace {

constexpr const char* kServer = "/usr/sbin/rabbitmq-server";

testing::ProcessResult RunScript(const std::vector<std::string>& argv,
                                 std::chrono::minutes timeout) {
  return testing::RunProcess(argv, timeout, testing::Stderr::kMerged);
}

}  // namespace

BenchRabbitNode::BenchRabbitNode(std::string script) : script_(std::move(script)) {}

BenchRabbitNode::~BenchRabbitNode() { Stop(); }

bool BenchRabbitNode::Start(const std::string& users, std::string* error) {
  tried_ = true;
  const std::string script = script_;
  on_interrupt_ = std::make_unique<OnInterrupt>(
      [script] { RunScript({script, "stop"}, std::chrono::minutes(1)); });
  // Installing rabbitmq-server with apt on first use takes about a minute.
  const testing::ProcessResult r =
      RunScript({"/usr/bin/env", "RMQ_USERS=" + users, script_, "start"}, std::chrono::minutes(5));
  static const std::regex kUp(R"(rabbitmq up: amqp=(\S+) pid=([0-9]+))");
  std::smatch m;
  if (!r.status.Ok() || !std::regex_search(r.out, m, kUp)) {
    *error = script_ + " start failed (" + r.status.ToString() + "):\n" + r.out;
    return false;
  }
  url_ = m[1].str();
  pid_ = static_cast<pid_t>(std::stol(m[2].str()));
  return true;
}

bool BenchRabbitNode::Import(const std::string& definitions_file, std::string* error) {
  const testing::ProcessResult r =
      RunScript({script_, "import", definitions_file}, std::chrono::minutes(1));
  if (!r.status.Ok()) *error = script_ + " import failed (" + r.status.ToString() + "):\n" + r.out;
  return r.status.Ok();
}

void BenchRabbitNode::Stop() {
  if (!tried_) return;
  RunScript({script_, "stop"}, std::chrono::minutes(1));
  tried_ = false;
  pid_ = -1;
  on_interrupt_.reset();
}

std::string BenchRabbitNode::data_dir() const {
  const char* dir = std::getenv("RMQ_DIR");
  return std::string(dir ? dir : "/tmp/slussen-bench-rabbitmq") + "/mnesia";
}

std::string RabbitMqMissing() {
  if (access(kServer, X_OK) == 0) return {};
  return std::string("rabbitmq-server is not installed (cannot run ") + kServer +
         "; scripts/install-deps.sh or apt-get install rabbitmq-server)";
}

}  // namespace slussen::bench
