#include "interrupt_cleanup.h"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace slussen::bench {
namespace {

std::mutex mu;
std::map<long, std::function<void()>>& Actions() {
  static auto* actions = new std::map<long, std::function<void()>>;  // outlives static teardown
  return *actions;
}
long next_id = 0;
int pipe_fds[2] = {-1, -1};

extern "C" void OnSignal(int sig) {
  const unsigned char byte = static_cast<unsigned char>(sig);
  // Async-signal-safe: the watcher thread does the rest. A full pipe means it is already on it.
  [[maybe_unused]] const ssize_t n = write(pipe_fds[1], &byte, 1);
}

void Watch() {
  unsigned char sig = 0;
  while (read(pipe_fds[0], &sig, 1) != 1) {
  }
  std::vector<std::function<void()>> actions;
  {
    std::lock_guard lock(mu);
    for (auto it = Actions().rbegin(); it != Actions().rend(); ++it) actions.push_back(it->second);
  }
  std::cerr << "\nslussen-bench: signal " << int(sig) << ": stopping what it started ("
            << actions.size() << ")\n";
  for (const auto& action : actions) action();
  _exit(128 + sig);
}

}  // namespace

void InstallInterruptCleanup() {
  std::lock_guard lock(mu);
  if (pipe_fds[0] >= 0) return;
  if (pipe(pipe_fds) != 0) return;  // then interrupts kill the bench as before
  std::thread(Watch).detach();
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

OnInterrupt::OnInterrupt(std::function<void()> action) {
  std::lock_guard lock(mu);
  id_ = next_id++;
  Actions()[id_] = std::move(action);
}

OnInterrupt::~OnInterrupt() {
  std::lock_guard lock(mu);
  Actions().erase(id_);
}

}  // namespace slussen::bench
