#pragma once
// A TCP port free on 127.0.0.1 right now, for a server that must come back on the same port
// after a restart (a client configured with it reconnects there). 0 if none could be had.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace slussen::testing {

inline int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace slussen::testing
