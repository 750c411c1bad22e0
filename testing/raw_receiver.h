#pragma once
// A deliberately incomplete receiver, written straight on Proton: it takes `credit` messages from
// `address`, accepts the first `accept_first`, leaves the rest UNSETTLED and then detaches the
// link and closes the connection. HubClient always settles, so tests use this to show what the
// hub does with deliveries in flight when a receiver goes away.
#include <chrono>
#include <string>
#include <vector>

namespace slussen::testing {

struct RawReceiveResult {
  bool ok = false;
  std::string error;                       // when !ok
  std::vector<std::string> accepted_ids;   // message-ids we accepted
  std::vector<std::string> unsettled_ids;  // message-ids we left unsettled at detach
};

RawReceiveResult ReceiveThenDetach(const std::string& url, const std::string& address, int credit,
                                   int accept_first,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace slussen::testing
