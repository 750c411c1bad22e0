#pragma once
// What must not outlive an interrupted bench (SIGINT, SIGTERM, SIGHUP): the RabbitMQ node, a
// daemon that is no child of ours, and the hub, a child that would keep running. Normal exits
// and exceptions stop them through their owners' destructors; a signal does not unwind, so each
// owner also registers an action for as long as it holds the resource. On the first such signal a
// watcher thread runs the actions, newest first, and the bench exits with 128 + the signal.
#include <functional>

namespace slussen::bench {

// Once, before any system under test starts. Signal handlers are reset by exec, so children
// (the hub, the peers, the RabbitMQ script) keep their own default handling.
void InstallInterruptCleanup();

class OnInterrupt {
 public:
  explicit OnInterrupt(std::function<void()> action);
  ~OnInterrupt();  // unregisters
  OnInterrupt(const OnInterrupt&) = delete;
  OnInterrupt& operator=(const OnInterrupt&) = delete;

 private:
  long id_;
};

}  // namespace slussen::bench
