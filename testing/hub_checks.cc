#include "testing/hub_checks.h"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "hub_client.h"
#include "testing/test_envelopes.h"
#include "testing/test_messages.h"

namespace slussen::testing {

int CountFds(pid_t pid, bool sockets_only) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (sockets_only) {
      char target[64] = {};
      const ssize_t len = ::readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
      if (len <= 0 || std::string(target, static_cast<std::size_t>(len)).rfind("socket:", 0) != 0) {
        continue;
      }
    }
    ++n;
  }
  ::closedir(d);
  return n;
}

std::unique_ptr<RawAmqpSocket> RawConnect(const HubProcess& hub) {
  std::string error;
  auto s = RawAmqpSocket::Open(hub.host(), hub.port(), RawAmqpSocket::In(std::chrono::seconds(10)),
                               &error);
  EXPECT_TRUE(s) << "raw AMQP connection to " << hub.url() << " failed: " << error;
  return s;
}

::testing::AssertionResult HubStillServes(HubProcess& hub) {
  if (!hub.Alive()) {
    return ::testing::AssertionFailure() << "hub died: " << hub.last_exit().ToString();
  }
  client::HubClient c(hub.url(), "still-serves-check");
  std::string error;
  if (!c.Connect(std::chrono::seconds(10), &error)) {
    return ::testing::AssertionFailure() << "cannot connect: " << error;
  }
  const client::SendOutcome out = c.Send("events", ToMessage(ValidInskrivning()));
  if (out.kind != client::SendOutcome::Kind::kAccepted) {
    return ::testing::AssertionFailure() << "a valid event got " << client::OutcomeName(out.kind)
                                         << " " << out.condition << ": " << out.description;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace slussen::testing
