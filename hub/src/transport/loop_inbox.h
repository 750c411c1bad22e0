#pragma once
// What other threads hand the socket loop: the core's settlements and deliveries, the shutdown
// steps, password checks done, and a reloaded TLS certificate. A mutex-guarded queue plus an eventfd that wakes the loop's epoll_wait. Items
// name connections by id only: the loop looks each one up when it runs it, and drops it if that
// connection is gone (the core has had, or will get, LinkGone for its links).
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <utility>
#include <variant>
#include <vector>

#include "api/core_messages.h"
#include "transport/tls_context.h"

namespace slussen {

struct SettleCommand {
  uint64_t conn_id = 0;
  uint64_t token = 0;
  Settlement settlement;
};
struct DeliverCommand {
  uint64_t conn_id = 0;
  uint64_t link_id = 0;
  std::vector<OutboxItem> items;
};
struct RecordedCommand {
  uint64_t conn_id = 0;
  uint64_t link_id = 0;
  std::vector<int64_t> seqs;
};
struct StopAcceptingCommand {};
struct CloseAllCommand {};
// A SASL PLAIN check finished (password_checker.h), or failed without one (throttled).
struct PlainCheckedCommand {
  uint64_t conn_id = 0;
  bool ok = false;
};
// SIGHUP: new connections get this TLS generation.
struct ReloadTlsCommand {
  std::shared_ptr<const TlsContext> tls;
};
using LoopCommand = std::variant<SettleCommand, DeliverCommand, RecordedCommand,
                                 StopAcceptingCommand, CloseAllCommand, PlainCheckedCommand,
                                 ReloadTlsCommand>;

class LoopInbox {
 public:
  LoopInbox() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~LoopInbox() {
    if (fd_ >= 0) close(fd_);
  }
  LoopInbox(const LoopInbox&) = delete;
  LoopInbox& operator=(const LoopInbox&) = delete;

  // Thread-safe.
  void Push(LoopCommand command) {
    bool was_empty = false;
    {
      std::lock_guard lock(mu_);
      was_empty = queue_.empty();
      queue_.push_back(std::move(command));
    }
    if (was_empty) Wake();
  }
  // Thread-safe: all of `commands`, in order, with at most one wake-up; leaves it empty.
  void PushAll(std::vector<LoopCommand>& commands) {
    if (commands.empty()) return;
    bool was_empty = false;
    {
      std::lock_guard lock(mu_);
      was_empty = queue_.empty();
      if (was_empty) {
        queue_.swap(commands);
      } else {
        std::move(commands.begin(), commands.end(), std::back_inserter(queue_));
      }
    }
    commands.clear();
    if (was_empty) Wake();
  }
  // Thread-safe: makes the loop look at its flags.
  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(fd_, &one, sizeof one);
  }
  // Loop thread, when fd() is readable. Clears the eventfd first: a Push after that wakes again.
  std::vector<LoopCommand> Take() {
    uint64_t count = 0;
    [[maybe_unused]] const ssize_t n = read(fd_, &count, sizeof count);
    std::lock_guard lock(mu_);
    return std::exchange(queue_, {});
  }
  int fd() const { return fd_; }

 private:
  const int fd_;
  std::mutex mu_;
  std::vector<LoopCommand> queue_;  // guarded by mu_
};

}  // namespace slussen
