#pragma once
// A test's client of the message path in either mode (hub_mode_fixture.h): a HubClient on the
// hub's listener (embedded) or on the broker (broker mode), spoken to with the hub's logical
// addresses ("events", "out/kommun-1380"). In broker mode it maps them onto the test's queues
// (wire/broker_addressing.h) and stamps every message with its PLAIN login as the user-id, as an
// adapter's runtime does, so that the hub knows who sent it.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "hub_client.h"
#include "wire/broker_addressing.h"

namespace slussen::testing {

class ModeClient {
 public:
  // `addressing` disabled and `user_id` empty: the embedded hub, addresses as they are.
  ModeClient(std::string url, client::ClientSecurity security, std::string container_id,
             BrokerAddressing addressing, std::string user_id);

  bool Connect(std::chrono::milliseconds timeout, std::string* error) {
    return client_.Connect(timeout, error);
  }
  client::SendOutcome Send(const std::string& logical, client::OutgoingMessage msg,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::vector<client::SendOutcome> SendAll(
      const std::string& logical, std::vector<client::OutgoingMessage> msgs, int window = 500,
      std::chrono::milliseconds timeout = std::chrono::seconds(60));
  int Receive(const std::string& logical, client::HubClient::Handler handler, int credit,
              std::string* error, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void CloseReceiver(int receiver_id) { client_.CloseReceiver(receiver_id); }
  void Close() { client_.Close(); }

  // The address a logical one is on the wire (what IncomingMessage::address then says).
  std::string Address(const std::string& logical) const { return addressing_.Address(logical); }

 private:
  BrokerAddressing addressing_;
  std::string user_id_;
  client::HubClient client_;
};

}  // namespace slussen::testing
