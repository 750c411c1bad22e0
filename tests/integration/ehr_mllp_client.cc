#include "ehr_mllp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <variant>

#include "hl7/parser.h"

namespace slussen::testing {

MllpClient::~MllpClient() {
  if (fd_ >= 0) ::close(fd_);
}

Status MllpClient::Connect(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string::npos) return Error{"not HOST:PORT: " + endpoint};
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(endpoint.substr(colon + 1))));
  if (::inet_pton(AF_INET, endpoint.substr(0, colon).c_str(), &a.sin_addr) != 1) {
    return Error{"not an IPv4 address: " + endpoint};
  }
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return Error{"connect " + endpoint + ": " + std::strerror(errno)};
  }
  return OkStatus();
}

Status MllpClient::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{std::string("send: ") + std::strerror(errno)};
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return OkStatus();
}

Ack MllpClient::ReadAck(std::chrono::milliseconds timeout) {
  Ack ack;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string frame;
  bool have = false;
  char buf[4096];
  while (!have) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ack.error = "no ACK within " + std::to_string(timeout.count()) + " ms";
      return ack;
    }
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno != EINTR) {
      ack.error = std::string("poll: ") + std::strerror(errno);
      return ack;
    }
    if (r <= 0) continue;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ack.error = n == 0 ? "the adapter closed the connection" : std::strerror(errno);
      return ack;
    }
    for (auto& e : framer_.Feed(std::string_view(buf, static_cast<std::size_t>(n)))) {
      if (auto* f = std::get_if<hl7::MllpFrame>(&e); f != nullptr && !have) {
        frame = std::move(f->payload);
        have = true;
      } else if (f != nullptr) {
        ack.error = "more than one frame in answer to one message";
        return ack;
      }
    }
  }
  auto parsed = hl7::Parse(frame);
  if (!parsed) {
    ack.error = "the ACK does not parse: " + parsed.error();
    return ack;
  }
  ack.ok = true;
  ack.message = std::move(*parsed);
  ack.code = ack.message.Get("MSA", 1);
  ack.text = ack.message.Get("MSA", 3);
  return ack;
}

Ack MllpClient::Exchange(std::string_view payload, std::chrono::milliseconds timeout) {
  if (const Status s = SendFrame(payload); !s.ok()) {
    Ack ack;
    ack.error = s.error();
    return ack;
  }
  return ReadAck(timeout);
}

}  // namespace slussen::testing
