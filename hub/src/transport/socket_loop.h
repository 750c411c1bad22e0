#pragma once
// The embedded listener's socket loop: one thread, one epoll set holding the listening socket,
// the LoopInbox's eventfd and every connection's socket. It accepts, reads, writes and runs
// timers (Proton's idle timeout and heartbeats, through AmqpConnection::Tick), and it owns the
// AmqpConnection objects: nothing outside this thread ever holds one.
//
// Every socket it gives up on is closed: a finished or failed connection's at once (after its
// close frame is written, or a 2 s grace), all of them when the loop ends. Out of descriptors
// (EMFILE/ENFILE) at accept is survived: the spare descriptor kept open for this is released to
// accept and close the waiting connection, accepting pauses for 100 ms, and it is logged at most
// every 10 s.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "api/core_messages.h"
#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "transport/amqp_connection.h"
#include "transport/auth_throttle.h"
#include "transport/loop_inbox.h"
#include "transport/password_checker.h"
#include "transport/tls_context.h"
#include "transport/transport_counters.h"

namespace slussen {

class SocketLoop {
 public:
  // Everything passed must outlive the loop.
  SocketLoop(const Config& config, Clock clock, CoreInbox& core, LoopInbox& inbox,
             TransportCounters& counters, const std::atomic<bool>& accepting,
             const std::atomic<bool>& force_stop);
  ~SocketLoop();  // closes every socket it still holds
  SocketLoop(const SocketLoop&) = delete;
  SocketLoop& operator=(const SocketLoop&) = delete;

  // The TLS generation new connections get; required when the config has <amqp><tls>. Later
  // generations arrive as ReloadTlsCommand.
  void SetTls(std::shared_ptr<const TlsContext> tls) { tls_ = std::move(tls); }

  // Binds and listens; returns the bound port.
  Result<int> Listen(const std::string& host, int port);
  // Runs until CloseAll has closed every connection, or force_stop is set.
  void Run();

 private:
  struct Socket {
    int fd = -1;
    std::unique_ptr<AmqpConnection> amqp;
    bool refused = false;      // over max-connections: being closed
    uint32_t interest = 0;     // events registered with epoll
    int64_t deadline_ms = 0;   // next Tick, 0 = none
    std::string peer;          // the peer's address (no port), for the login throttle and logs
  };

  void Accept();
  void PauseAccepting(int64_t now_ms);
  void StopListening();
  void RunCommands();
  AmqpConnection::Security SecurityFor(uint64_t id, const std::string& peer);
  // Starts the check of a PLAIN login of connection `id` (see AuthThrottle, PasswordChecker).
  bool CheckPlain(uint64_t id, const std::string& peer, const std::string& user,
                  std::string password);
  void PlainChecked(uint64_t id, bool ok, std::set<uint64_t>& touched);
  // Reads (if `readable`), runs timers, dispatches and writes; closes the socket when finished.
  void Service(uint64_t id, bool readable);
  void Flush(Socket& s);
  void UpdateInterest(uint64_t id, Socket& s);
  void CloseSocket(uint64_t id);
  int64_t NowMs() const;

  const Config& config_;
  Clock clock_;
  CoreInbox& core_;
  LoopInbox& inbox_;
  TransportCounters& counters_;
  const std::atomic<bool>& accepting_;
  const std::atomic<bool>& force_stop_;
  std::shared_ptr<const TlsContext> tls_;
  const bool require_auth_;
  AuthThrottle throttle_;
  std::unordered_map<std::string, int> checks_per_peer_;  // PLAIN checks waiting, by address
  std::unordered_map<uint64_t, std::string> check_peer_;   // connection -> its waiting check's address
  PasswordChecker passwords_;  // its workers post to inbox_ (which outlives the loop)

  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int spare_fd_ = -1;        // released when out of descriptors, so one accept can still succeed
  int64_t accept_paused_until_ms_ = 0;
  int64_t last_accept_log_ms_ = -1'000'000;
  uint64_t accept_errors_unlogged_ = 0;
  int64_t last_refusal_log_ms_ = -1'000'000;
  uint64_t refusals_unlogged_ = 0;
  bool closing_ = false;     // CloseAll: end when the last connection has gone
  uint64_t next_id_ = 2;     // 0 and 1 tag the listener and the eventfd in epoll
  LinkIdSource link_ids_;
  std::unordered_map<uint64_t, Socket> sockets_;
  std::set<std::pair<int64_t, uint64_t>> timers_;  // (deadline_ms, id)
  std::size_t refusing_ = 0;
};

}  // namespace slussen
