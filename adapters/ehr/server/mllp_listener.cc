#include "server/mllp_listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <variant>
#include <vector>

#include "server/log_text.h"

namespace slussen::ehr {
namespace {

std::string PeerName(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (a.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (a.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  return "?";
}

int BoundPort(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return -1;
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
  return -1;
}

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

Result<std::unique_ptr<MllpListener>> MllpListener::Bind(Options options, Handlers handlers) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options.listen.port);
  if (const int rc = ::getaddrinfo(options.listen.host.c_str(), port.c_str(), &hints, &found);
      rc != 0) {
    return Error{"mllp: cannot resolve " + options.listen.host + ": " + ::gai_strerror(rc),
                 ErrorCode::kInvalidArgument};
  }
  std::string why = "no address";
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      why = Errno("socket");
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      why = Errno("bind/listen");
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    return Error{"mllp: cannot listen on " + options.listen.host + ":" + port + ": " + why,
                 ErrorCode::kUnavailable};
  }
  const int stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  const int bound = BoundPort(fd);
  if (stop_fd < 0 || bound < 0) {
    const std::string e = Errno("eventfd/getsockname");
    ::close(fd);
    if (stop_fd >= 0) ::close(stop_fd);
    return Error{"mllp: " + e, ErrorCode::kInternal};
  }
  return std::unique_ptr<MllpListener>(
      new MllpListener(std::move(options), std::move(handlers), fd, stop_fd, bound));
}

MllpListener::MllpListener(Options options, Handlers handlers, int listen_fd, int stop_fd,
                           int port)
    : options_(std::move(options)),
      handlers_(std::move(handlers)),
      listen_fd_(listen_fd),
      stop_fd_(stop_fd),
      port_(port) {}

MllpListener::~MllpListener() {
  StopAccepting();
  Join();
  ::close(stop_fd_);
}

std::string MllpListener::address() const {
  const std::string& h = options_.listen.host;
  const bool v6 = h.find(':') != std::string::npos;
  return (v6 ? "[" + h + "]" : h) + ":" + std::to_string(port_);
}

void MllpListener::Start() {
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

void MllpListener::StopAccepting() {
  if (stopping_.exchange(true)) return;
  const uint64_t one = 1;
  // Level-triggered for every poll() that watches it, now and later.
  [[maybe_unused]] const ssize_t n = ::write(stop_fd_, &one, sizeof one);
}

bool MllpListener::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_until(lock, deadline, [this] {
    return std::all_of(connections_.begin(), connections_.end(),
                       [](const Connection& c) { return c.done; });
  });
}

void MllpListener::Join() {
  if (accept_thread_.joinable()) accept_thread_.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  {
    // Connections still open (a handler still waiting for the hub): end their reads and writes.
    std::lock_guard lock(mu_);
    for (auto& c : connections_) {
      if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);
    }
  }
  for (auto& c : connections_) {
    if (c.thread.joinable()) c.thread.join();
  }
  std::lock_guard lock(mu_);
  connections_.clear();
}

int MllpListener::open_connections() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(connections_.begin(), connections_.end(),
                                        [](const Connection& c) { return !c.done; }));
}

void MllpListener::ReapDone() {
  std::list<Connection> finished;
  {
    std::lock_guard lock(mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      auto next = std::next(it);
      if (it->done) finished.splice(finished.end(), connections_, it);
      it = next;
    }
  }
  for (auto& c : finished) c.thread.join();
}

void MllpListener::AcceptLoop() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  while (!stopping_) {
    const int n = ::poll(fds, 2, -1);
    if (n < 0 && errno != EINTR) {
      spdlog::error("mllp: {}", Errno("poll"));
      return;
    }
    if (n <= 0 || (fds[1].revents & POLLIN) != 0) continue;
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors, or the peer gave up before we took it: the listener carries on.
      if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
        spdlog::warn("mllp: {}", Errno("accept"));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    ReapDone();
    const std::string name = PeerName(peer);
    if (open_connections() >= options_.max_connections) {
      spdlog::warn("mllp: connection from {} refused: {} connections open (max-connections)", name,
                   options_.max_connections);
      ::close(fd);
      continue;
    }
    const timeval tv{static_cast<time_t>(options_.write_timeout.count() / 1000),
                     static_cast<suseconds_t>(options_.write_timeout.count() % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::lock_guard lock(mu_);
    Connection& c = connections_.emplace_back();
    c.id = next_id_++;
    c.fd = fd;
    const std::string label = "#" + std::to_string(c.id) + " " + name;
    spdlog::info("mllp {}: connected", label);
    c.thread = std::thread([this, conn = &c, label] { Serve(conn, label); });
  }
}

bool MllpListener::WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void MllpListener::Close(Connection* c) {
  std::lock_guard lock(mu_);
  ::close(c->fd);
  c->fd = -1;
  c->done = true;
  idle_cv_.notify_all();
}

void MllpListener::Serve(Connection* c, std::string peer) {
  int fd = -1;
  {
    std::lock_guard lock(mu_);
    fd = c->fd;
  }
  hl7::MllpFramer framer(options_.max_frame_bytes);
  std::vector<char> buffer(64 * 1024);
  auto last_input = std::chrono::steady_clock::now();
  std::string why = "closed by the peer";
  bool open = true;

  // Answers everything the bytes completed, in order; false when the answer cannot be written.
  auto answer = [&](std::vector<hl7::MllpEvent> events) {
    for (auto& e : events) {
      std::string reply;
      if (auto* frame = std::get_if<hl7::MllpFrame>(&e)) {
        reply = handlers_.on_frame(frame->payload, peer);
      } else {
        reply = handlers_.on_error(std::get<hl7::MllpError>(e), peer);
      }
      if (!reply.empty() && !WriteAll(fd, hl7::MllpWrap(reply))) {
        why = Errno("cannot write the acknowledgement");
        return false;
      }
    }
    return true;
  };

  while (open) {
    if (stopping_) {
      why = "the adapter is stopping";
      break;
    }
    const auto idle_left = std::chrono::duration_cast<std::chrono::milliseconds>(
        last_input + options_.idle_timeout - std::chrono::steady_clock::now());
    if (idle_left.count() <= 0) {
      why = "idle for " + std::to_string(options_.idle_timeout.count()) + " ms (idle-timeout)";
      break;
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(idle_left.count(), 60'000)));
    if (n < 0 && errno != EINTR) {
      why = Errno("poll");
      break;
    }
    if (n <= 0 || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      why = Errno("read");
      break;
    }
    if (got == 0) {
      // The peer closed its side; a last frame that lacked only its CR is still answered.
      answer(framer.Finish());
      break;
    }
    open = answer(framer.Feed(std::string_view(buffer.data(), static_cast<std::size_t>(got))));
    // Idle counts from the last answer: a wait for the hub is not the peer's silence.
    last_input = std::chrono::steady_clock::now();
  }
  spdlog::info("mllp {}: closed ({})", peer, LogSafe(why, 120));
  Close(c);
}

}  // namespace slussen::ehr
