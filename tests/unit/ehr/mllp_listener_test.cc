// The MLLP listener on real loopback sockets, with handlers that echo: frames answered in order,
// connections served independently, and its bounds (connections, frame size, idle time) and stop.
#include "server/mllp_listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <variant>

namespace slussen::ehr {
namespace {

using namespace std::chrono_literals;

// A blocking client: connect, send bytes, read frames (with a deadline).
class Peer {
 public:
  explicit Peer(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Peer() { ::close(fd_); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // The next frame's payload; nullopt when the listener closed the connection (or 30 s passed).
  std::optional<std::string> Read() {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (auto& e : pending_) {
        if (auto* f = std::get_if<hl7::MllpFrame>(&e)) {
          std::string p = f->payload;
          pending_.erase(pending_.begin());
          return p;
        }
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      for (auto& e : framer_.Feed(std::string_view(buf, static_cast<std::size_t>(n)))) {
        pending_.push_back(std::move(e));
      }
    }
    return std::nullopt;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  hl7::MllpFramer framer_;
  std::vector<hl7::MllpEvent> pending_;
};

MllpListener::Options Options() {
  MllpListener::Options o;
  o.listen = {"127.0.0.1", 0};
  o.max_frame_bytes = 1024;
  o.max_connections = 2;
  o.idle_timeout = 10min;
  return o;
}

MllpListener::Handlers Echo() {
  return {[](std::string_view payload, const std::string&) { return "re:" + std::string(payload); },
          [](const hl7::MllpError& e, const std::string&) {
            return e.kind == hl7::MllpError::Kind::kOversized ? std::string("too large")
                                                              : std::string();
          }};
}

std::unique_ptr<MllpListener> Started(MllpListener::Options o, MllpListener::Handlers h) {
  auto l = MllpListener::Bind(std::move(o), std::move(h));
  EXPECT_TRUE(l.ok()) << l.error();
  if (!l.ok()) return nullptr;
  (*l)->Start();
  return std::move(*l);
}

TEST(MllpListener, AnswersEachFrameInOrderAndRecoversFromBadOnes) {
  auto l = Started(Options(), Echo());
  ASSERT_TRUE(l);
  EXPECT_NE(l->port(), 0);
  EXPECT_EQ(l->address(), "127.0.0.1:" + std::to_string(l->port()));
  Peer p(l->port());
  ASSERT_TRUE(p.connected());
  // Two frames in one write, split oddly, then garbage and an oversized frame, then a good one.
  p.Send(hl7::MllpWrap("one") + hl7::MllpWrap("two").substr(0, 3));
  p.Send(hl7::MllpWrap("two").substr(3) + "garbage" + hl7::MllpWrap(std::string(4000, 'x')) +
         hl7::MllpWrap("three"));
  EXPECT_EQ(p.Read(), "re:one");
  EXPECT_EQ(p.Read(), "re:two");
  EXPECT_EQ(p.Read(), "too large");
  EXPECT_EQ(p.Read(), "re:three");
}

TEST(MllpListener, ASlowMessageHoldsUpOnlyItsOwnConnection) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  MllpListener::Handlers h = Echo();
  h.on_frame = [released](std::string_view payload, const std::string&) {
    if (payload == "slow") released.wait();
    return "re:" + std::string(payload);
  };
  auto l = Started(Options(), h);
  ASSERT_TRUE(l);
  Peer slow(l->port());
  Peer fast(l->port());
  slow.Send(hl7::MllpWrap("slow"));
  fast.Send(hl7::MllpWrap("fast"));
  EXPECT_EQ(fast.Read(), "re:fast");
  release.set_value();
  EXPECT_EQ(slow.Read(), "re:slow");
}

TEST(MllpListener, ConnectionsBeyondTheLimitAreClosed) {
  auto l = Started(Options(), Echo());
  ASSERT_TRUE(l);
  Peer a(l->port());
  Peer b(l->port());
  a.Send(hl7::MllpWrap("a"));
  b.Send(hl7::MllpWrap("b"));
  ASSERT_EQ(a.Read(), "re:a");
  ASSERT_EQ(b.Read(), "re:b");
  Peer c(l->port());
  c.Send(hl7::MllpWrap("c"));
  EXPECT_EQ(c.Read(), std::nullopt);
}

TEST(MllpListener, AnIdleConnectionIsClosed) {
  auto o = Options();
  o.idle_timeout = 200ms;
  auto l = Started(o, Echo());
  ASSERT_TRUE(l);
  Peer p(l->port());
  EXPECT_EQ(p.Read(), std::nullopt);
  EXPECT_TRUE(l->WaitIdle(std::chrono::steady_clock::now() + 30s));
}

TEST(MllpListener, StopLetsTheMessageInFlightFinishAndClosesTheRest) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  MllpListener::Handlers h = Echo();
  h.on_frame = [&entered, released](std::string_view payload, const std::string&) {
    if (payload == "in flight") {
      entered.set_value();
      released.wait();
    }
    return "re:" + std::string(payload);
  };
  auto l = Started(Options(), h);
  ASSERT_TRUE(l);
  Peer busy(l->port());
  busy.Send(hl7::MllpWrap("in flight"));
  entered.get_future().wait();
  Peer idle(l->port());
  idle.Send(hl7::MllpWrap("hello"));
  ASSERT_EQ(idle.Read(), "re:hello");
  l->StopAccepting();
  EXPECT_EQ(idle.Read(), std::nullopt);
  release.set_value();
  EXPECT_EQ(busy.Read(), "re:in flight");
  EXPECT_EQ(busy.Read(), std::nullopt);
  EXPECT_TRUE(l->WaitIdle(std::chrono::steady_clock::now() + 30s));
  l->Join();
  EXPECT_FALSE(Peer(l->port()).connected());
}

TEST(MllpListener, APortInUseIsAnError) {
  auto first = Started(Options(), Echo());
  ASSERT_TRUE(first);
  auto o = Options();
  o.listen.port = first->port();
  auto second = MllpListener::Bind(o, Echo());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("cannot listen"), std::string::npos) << second.error();
}

}  // namespace
}  // namespace slussen::ehr
