#include "transport/socket_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <set>

namespace slussen {
namespace {

constexpr uint64_t kListenerTag = 0;
constexpr uint64_t kInboxTag = 1;
constexpr int kReadsPerWakeup = 4;          // then others get their turn (level-triggered epoll)
constexpr std::size_t kMaxRefusing = 64;    // beyond this, surplus sockets are closed unanswered
constexpr int64_t kAcceptPauseMs = 100;
constexpr int64_t kAcceptLogEveryMs = 10'000;
// argon2id checks at once (each takes its memory cost, ~19 MiB) and waiting at most.
constexpr std::size_t kPasswordWorkers = 2;
constexpr std::size_t kMaxPasswordChecks = 64;

std::string ErrnoText(int err) { return std::strerror(err); }

std::string PeerAddress(const sockaddr_storage& a) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (a.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(a).sin_addr, text, sizeof text);
  } else if (a.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(a).sin6_addr, text, sizeof text);
  }
  return text;
}

}  // namespace

SocketLoop::SocketLoop(const Config& config, Clock clock, CoreInbox& core, LoopInbox& inbox,
                       TransportCounters& counters, const std::atomic<bool>& accepting,
                       const std::atomic<bool>& force_stop)
    : config_(config),
      clock_(std::move(clock)),
      core_(core),
      inbox_(inbox),
      counters_(counters),
      accepting_(accepting),
      force_stop_(force_stop),
      // A client may skip SASL only where it may be anonymous: a plain="allow" listener with an
      // adapter that has the anonymous login (the demo and the tests).
      require_auth_(!(config.amqp_allow_plain &&
                      config.FindAdapterByLogin(AdapterLogin::Mechanism::kAnonymous, "") != nullptr)),
      passwords_(kPasswordWorkers, kMaxPasswordChecks,
                 [&inbox](uint64_t conn_id, bool ok) { inbox.Push(PlainCheckedCommand{conn_id, ok}); }),
      epoll_fd_(epoll_create1(EPOLL_CLOEXEC)),
      spare_fd_(open("/dev/null", O_RDONLY | O_CLOEXEC)) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kInboxTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, inbox_.fd(), &ev);
}

SocketLoop::~SocketLoop() {
  while (!sockets_.empty()) CloseSocket(sockets_.begin()->first);
  StopListening();
  if (spare_fd_ >= 0) close(spare_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Result<int> SocketLoop::Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return Error{std::string("cannot resolve: ") + gai_strerror(rc)};
  }
  std::string error = "no address";
  for (addrinfo* a = found; a && listen_fd_ < 0; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = ErrnoText(errno);
      continue;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      error = ErrnoText(errno);
      close(fd);
      continue;
    }
    listen_fd_ = fd;
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) return Error{error};
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  const int bound_port = ntohs(bound.ss_family == AF_INET6
                                   ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                   : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  return bound_port;
}

int64_t SocketLoop::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SocketLoop::Run() {
  std::array<epoll_event, 64> events{};
  while (!force_stop_) {
    if (closing_ && sockets_.empty()) break;
    int64_t now = NowMs();
    int64_t wait = -1;
    if (!timers_.empty()) wait = std::max<int64_t>(0, timers_.begin()->first - now);
    if (accept_paused_until_ms_ > 0) {
      const int64_t resume = std::max<int64_t>(0, accept_paused_until_ms_ - now);
      wait = wait < 0 ? resume : std::min(wait, resume);
    }
    const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                             static_cast<int>(std::min<int64_t>(wait, INT_MAX)));
    if (n < 0 && errno != EINTR) {
      spdlog::error("amqp: epoll_wait failed: {}", ErrnoText(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kListenerTag) {
        Accept();
      } else if (tag == kInboxTag) {
        RunCommands();
      } else {
        Service(tag, events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR));
      }
    }
    now = NowMs();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      const uint64_t id = timers_.begin()->second;
      timers_.erase(timers_.begin());
      if (auto it = sockets_.find(id); it != sockets_.end()) it->second.deadline_ms = 0;
      Service(id, false);
    }
    if (accept_paused_until_ms_ > 0 && now >= accept_paused_until_ms_) {
      accept_paused_until_ms_ = 0;
      if (listen_fd_ >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kListenerTag;
        epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
      }
    }
  }
}

void SocketLoop::Accept() {
  while (listen_fd_ >= 0) {
    sockaddr_storage peer_addr{};
    socklen_t peer_len = sizeof peer_addr;
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer_addr), &peer_len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (err == EINTR || err == ECONNABORTED) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) return;
      counters_.accept_errors++;
      if ((err == EMFILE || err == ENFILE) && spare_fd_ >= 0) {
        // Take the waiting peer with the spare descriptor and close it at once: it sees its
        // connection end instead of hanging in the backlog.
        close(spare_fd_);
        const int peer = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (peer >= 0) close(peer);
        spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
      }
      const int64_t now = NowMs();
      ++accept_errors_unlogged_;
      if (now - last_accept_log_ms_ >= kAcceptLogEveryMs) {
        spdlog::error("amqp: cannot accept connections: {} ({} time(s) since the last report); "
                      "pausing accept for {} ms", ErrnoText(err), accept_errors_unlogged_, kAcceptPauseMs);
        last_accept_log_ms_ = now;
        accept_errors_unlogged_ = 0;
      }
      PauseAccepting(now);
      return;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    counters_.connections_accepted++;
    const bool refuse = sockets_.size() - refusing_ >= config_.transport.max_connections;
    if (refuse) {
      counters_.connections_refused++;
      if (refusing_ >= kMaxRefusing) {
        close(fd);
        continue;
      }
    }
    const uint64_t id = next_id_++;
    auto amqp = std::make_unique<AmqpConnection>(id, config_, core_, clock_, link_ids_, counters_,
                                                 accepting_);
    const std::string peer_address = PeerAddress(peer_addr);
    amqp->Start(AmqpConnection::ServerOptions(config_), SecurityFor(id, peer_address));
    if (refuse) {
      const int64_t now = NowMs();
      ++refusals_unlogged_;
      if (now - last_refusal_log_ms_ >= kAcceptLogEveryMs) {
        spdlog::warn("amqp: refused {} connection(s): {} connections are open (max-connections)",
                     refusals_unlogged_, config_.transport.max_connections);
        last_refusal_log_ms_ = now;
        refusals_unlogged_ = 0;
      }
      amqp->Close("amqp:resource-limit-exceeded",
                  "the hub has its maximum of " + std::to_string(config_.transport.max_connections) +
                      " connections open; try again later");
      ++refusing_;
    }
    Socket& s = sockets_[id];
    s.fd = fd;
    s.amqp = std::move(amqp);
    s.refused = refuse;
    s.peer = peer_address;
    s.interest = EPOLLIN;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    counters_.connections_open = sockets_.size() - refusing_;
    Service(id, false);  // writes our protocol header
  }
}

void SocketLoop::PauseAccepting(int64_t now_ms) {
  if (listen_fd_ < 0) return;
  epoll_event ev{};
  ev.events = 0;
  ev.data.u64 = kListenerTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
  accept_paused_until_ms_ = now_ms + kAcceptPauseMs;
}

void SocketLoop::StopListening() {
  if (listen_fd_ < 0) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  close(listen_fd_);
  listen_fd_ = -1;
  accept_paused_until_ms_ = 0;
}

void SocketLoop::RunCommands() {
  std::set<uint64_t> touched;
  auto find = [&](uint64_t id) -> AmqpConnection* {
    auto it = sockets_.find(id);
    if (it == sockets_.end()) return nullptr;  // gone: the core has its LinkGone
    touched.insert(id);
    return it->second.amqp.get();
  };
  for (auto& command : inbox_.Take()) {
    if (auto* settle = std::get_if<SettleCommand>(&command)) {
      if (auto* c = find(settle->conn_id)) c->Settle(settle->token, settle->settlement);
    } else if (auto* deliver = std::get_if<DeliverCommand>(&command)) {
      if (auto* c = find(deliver->conn_id)) c->Deliver(deliver->link_id, deliver->items);
    } else if (auto* recorded = std::get_if<RecordedCommand>(&command)) {
      if (auto* c = find(recorded->conn_id)) c->Recorded(recorded->link_id, recorded->seqs);
    } else if (auto* checked = std::get_if<PlainCheckedCommand>(&command)) {
      PlainChecked(checked->conn_id, checked->ok, touched);
    } else if (auto* reload = std::get_if<ReloadTlsCommand>(&command)) {
      tls_ = std::move(reload->tls);
      spdlog::info("amqp: new connections get TLS certificate generation {}", tls_->generation);
    } else if (std::holds_alternative<StopAcceptingCommand>(command)) {
      StopListening();
    } else if (std::holds_alternative<CloseAllCommand>(command)) {
      closing_ = true;
      StopListening();
      for (auto& [id, s] : sockets_) {
        s.amqp->Close("amqp:connection:forced", "slussen is shutting down");
        touched.insert(id);
      }
    }
  }
  for (uint64_t id : touched) Service(id, false);
}

void SocketLoop::Service(uint64_t id, bool readable) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  Socket& s = it->second;
  AmqpConnection& a = *s.amqp;
  if (readable && a.plain_pending()) {
    // Not reading while its login is checked (no EPOLLIN interest), yet epoll reports a hang-up
    // or an error whatever the interest: the peer has gone, and ignoring that would wake the
    // loop again and again until the outcome.
    a.Disconnected("the peer went away while its login was checked");
  }
  if (readable && a.WantsRead()) {
    for (int i = 0; i < kReadsPerWakeup; ++i) {
      const auto buf = a.ReadBuffer();
      if (buf.size == 0) break;
      const ssize_t n = read(s.fd, buf.data, buf.size);
      if (n > 0) {
        a.ReadDone(static_cast<std::size_t>(n));
        a.Process();  // after every read, so an oversized delivery is caught as it passes
        if (!a.WantsRead() || static_cast<std::size_t>(n) < buf.size) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      a.Disconnected(n == 0 ? "the peer closed the socket" : ErrnoText(errno));
      break;
    }
  }
  const int64_t next = a.Tick(NowMs());
  a.Process();
  Flush(s);
  if (a.Finished()) {
    CloseSocket(id);
    return;
  }
  if (s.deadline_ms != next) {
    if (s.deadline_ms) timers_.erase({s.deadline_ms, id});
    s.deadline_ms = next;
    if (next) timers_.insert({next, id});
  }
  UpdateInterest(id, s);
}

void SocketLoop::Flush(Socket& s) {
  AmqpConnection& a = *s.amqp;
  while (true) {
    const auto buf = a.WriteBuffer();
    if (buf.size == 0) break;
    const ssize_t n = send(s.fd, buf.data, buf.size, MSG_NOSIGNAL);
    if (n > 0) {
      a.WriteDone(static_cast<std::size_t>(n));
      a.Process();  // handlers may have more to say once output has drained
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;  // EPOLLOUT will call again
    a.Disconnected(ErrnoText(errno));
    a.Process();
    break;
  }
}

void SocketLoop::UpdateInterest(uint64_t id, Socket& s) {
  const uint32_t want = (s.amqp->WantsRead() ? EPOLLIN : 0u) | (s.amqp->WriteBuffer().size > 0 ? EPOLLOUT : 0u);
  if (want == s.interest) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = id;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, s.fd, &ev);
  s.interest = want;
}

void SocketLoop::CloseSocket(uint64_t id) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  Socket& s = it->second;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s.fd, nullptr);
  close(s.fd);
  if (s.deadline_ms) timers_.erase({s.deadline_ms, id});
  if (s.refused) --refusing_;
  sockets_.erase(it);  // the connection's destructor tells the core its links are gone
  counters_.connections_open = sockets_.size() - refusing_;
}

}  // namespace slussen
