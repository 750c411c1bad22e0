#pragma once
// Child processes of the benchmark: a server (the real `slussen` binary, or the bench's own raw
// peer) started the way the integration tests start the hub (tests/util/hub_process.h): spawned
// with stdout on a pipe and stderr appended to a log file, ready once it prints the line
// "<name> ready amqp=HOST:PORT"; and plain commands run to completion (the RabbitMQ script).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace slussen::bench {

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();  // SIGKILLs a server that is still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Spawns `argv` and waits for its ready line; false with `error` (including the log's tail).
  bool Start(const std::vector<std::string>& argv, const std::string& log_path,
             std::chrono::milliseconds timeout, std::string* error);
  // SIGTERM and wait (SIGKILL after `timeout`); true if it exited 0.
  bool Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGKILL and reap.
  void Kill9();
  bool Alive();

  pid_t pid() const { return pid_; }
  std::string url() const { return host_ + ":" + std::to_string(port_); }
  // steady-clock µs at which the last Start() spawned the process and saw its ready line.
  int64_t spawned_us() const { return spawned_us_; }
  int64_t ready_us() const { return ready_us_; }

 private:
  void Reap(bool block);
  void JoinDrain();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string host_;
  uint16_t port_ = 0;
  int64_t spawned_us_ = 0;
  int64_t ready_us_ = 0;
  int exit_status_ = 0;
  std::string log_path_;
  std::thread drain_;
};

struct CommandResult {
  bool ok = false;     // exited 0
  std::string output;  // stdout and stderr, interleaved
};
CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// The last `max_bytes` of a file.
std::string FileTail(const std::string& path, std::size_t max_bytes = 4096);

}  // namespace slussen::bench
