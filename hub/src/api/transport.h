#pragma once
// The lifecycle every transport implements: the embedded AMQP listener (transport/) today, a
// broker client (RabbitMQ) next. The core talks to a transport only through CoreOutput (settle,
// deliver) and hears from it only through CoreInbox; main() drives this lifecycle.
#include <functional>
#include <string>

#include "api/core_messages.h"

namespace slussen {

class Transport : public CoreOutput {
 public:
  using ReadyFn = std::function<void(const std::string& host, int port)>;
  using FailFn = std::function<void(const std::string& error)>;

  // Runs the transport on the calling thread until it has stopped. `ready` is called once it can
  // take traffic (for the embedded listener: bound, with the actual port); `fail` if it cannot
  // start (Run then returns).
  virtual void Run(CoreInbox& inbox, ReadyFn ready, FailFn fail) = 0;
  // Thread-safe. Step 1 of a graceful stop: take no new connections or inbound messages.
  virtual void StopAccepting() = 0;
  // Thread-safe. Step 2, after the core has drained: close every connection; Run() returns.
  virtual void CloseAll() = 0;
  // Thread-safe. Last resort when peers do not answer the close: abort everything.
  virtual void ForceStop() = 0;
  // Thread-safe. True while Run() runs.
  virtual bool running() const = 0;
};

}  // namespace slussen
