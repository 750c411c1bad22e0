#include "testing/rabbitmq_node.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/loopback_port.h"

namespace slussen::testing {
namespace {

std::string ScriptPath() { return (SourceDir() / "scripts" / "rabbitmq-node.sh").string(); }

}  // namespace

Result<std::string> RabbitNode::Script(const std::vector<std::string>& args,
                                       const std::string& extra_env) {
  std::vector<std::string> argv = {"/usr/bin/env", "RMQ_DIR=" + dir_,
                                   "AMQP_PORT=" + std::to_string(port_)};
  std::istringstream extra(extra_env);
  for (std::string kv; extra >> kv;) argv.push_back(kv);
  argv.push_back(ScriptPath());
  argv.insert(argv.end(), args.begin(), args.end());
  // A first start may install rabbitmq-server with apt.
  const ProcessResult r = RunProcess(argv, std::chrono::minutes(5), Stderr::kMerged);
  if (!r.status.Ok()) {
    return Error{"rabbitmq-node.sh " + args.front() + " failed (" + r.status.ToString() + "):\n" + r.out};
  }
  return r.out;
}

Result<std::unique_ptr<RabbitNode>> RabbitNode::Start(const std::string& users) {
  static std::atomic<int> counter{0};
  const int port = FreeLoopbackPort();
  const int dist = FreeLoopbackPort();
  if (port == 0 || dist == 0) return Error{"no free loopback port for RabbitMQ"};
  const std::string dir = "/tmp/slussen-test-rabbitmq-" + std::to_string(::getpid()) + "-" +
                          std::to_string(counter++);
  std::unique_ptr<RabbitNode> node(new RabbitNode(port, dir, true));
  // Restart() must come back on the same distribution port: keep it for every later run.
  node->dist_port_env_ = "RABBITMQ_DIST_PORT=" + std::to_string(dist);
  auto started = node->Script({"start"}, node->dist_port_env_);
  if (!started) return Error{started.error()};
  std::istringstream pairs(users);  // "user:password ..."
  for (std::string pair; pairs >> pair;) {
    const auto colon = pair.find(':');
    if (colon == std::string::npos) return Error{"users: expected user:password, got " + pair};
    if (auto added = node->AddUser(pair.substr(0, colon), pair.substr(colon + 1)); !added) {
      return Error{added.error()};
    }
  }
  return node;
}

RabbitNode* RabbitNode::Shared(std::string* error) {
  static std::mutex mu;
  static std::unique_ptr<RabbitNode> shared;
  std::lock_guard lock(mu);
  if (shared) return shared.get();
  const char* port = std::getenv("SLUSSEN_TEST_RABBITMQ_PORT");
  const char* dir = std::getenv("SLUSSEN_TEST_RABBITMQ_DIR");
  if (port != nullptr && dir != nullptr) {
    shared.reset(new RabbitNode(std::atoi(port), dir, false));
    return shared.get();
  }
  auto started = Start("");
  if (!started) {
    *error = started.error();
    return nullptr;
  }
  shared = std::move(*started);
  return shared.get();
}

RabbitNode::~RabbitNode() {
  if (owned_) (void)Script({"stop"}, dist_port_env_);
  if (owned_) std::filesystem::remove_all(dir_);
}

std::string RabbitNode::url() const { return "amqp://127.0.0.1:" + std::to_string(port_); }

Status RabbitNode::Import(const std::string& definitions_json) {
  const std::string file = dir_ + "-import-" + std::to_string(::getpid()) + ".json";
  WriteFile(file, definitions_json);
  auto r = Script({"import", file}, dist_port_env_);
  std::filesystem::remove(file);
  if (!r) return Error{r.error()};
  return Ok{};
}

Status RabbitNode::AddUser(const std::string& user, const std::string& password) {
  auto r = Script({"user", user, password}, dist_port_env_);
  if (!r) return Error{r.error()};
  return Ok{};
}

Result<long> RabbitNode::WaitForDepth(const std::string& queue, long expected,
                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto depth = QueueDepth(queue);
    if (!depth || *depth == expected || std::chrono::steady_clock::now() >= deadline) return depth;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result<long> RabbitNode::QueueDepth(const std::string& queue) {
  auto r = Script({"status"}, dist_port_env_);
  if (!r) return Error{r.error()};
  // "name  messages  messages_unacknowledged  durable  type"; messages counts the unacknowledged
  // too.
  std::istringstream lines(*r);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name;
    long messages = 0;
    if (fields >> name >> messages && name == queue) return messages;
  }
  return Error{"no queue " + queue + " in:\n" + *r};
}

Status RabbitNode::Stop() {
  auto r = Script({"stop"}, dist_port_env_);
  if (!r) return Error{r.error()};
  return Ok{};
}

Status RabbitNode::Kill9() {
  auto r = Script({"kill"}, dist_port_env_);
  if (!r) return Error{r.error()};
  return Ok{};
}

Status RabbitNode::Restart() {
  auto r = Script({"start"}, dist_port_env_ + " RMQ_FRESH=0");
  if (!r) return Error{r.error()};
  return Ok{};
}

Status RabbitNode::DiskAlarm(bool on) {
  auto r = Script({"disk-alarm", on ? "on" : "off"}, dist_port_env_);
  if (!r) return Error{r.error()};
  return Ok{};
}

}  // namespace slussen::testing
