#include "testing/mode_client.h"

#include <utility>

namespace slussen::testing {

ModeClient::ModeClient(std::string url, client::ClientSecurity security, std::string container_id,
                       BrokerAddressing addressing, std::string user_id)
    : addressing_(std::move(addressing)),
      user_id_(std::move(user_id)),
      client_(std::move(url), std::move(security), std::move(container_id)) {}

client::SendOutcome ModeClient::Send(const std::string& logical, client::OutgoingMessage msg,
                                     std::chrono::milliseconds timeout) {
  msg.user_id = user_id_;
  return client_.Send(Address(logical), msg, timeout);
}

std::vector<client::SendOutcome> ModeClient::SendAll(const std::string& logical,
                                                     std::vector<client::OutgoingMessage> msgs,
                                                     int window,
                                                     std::chrono::milliseconds timeout) {
  for (auto& m : msgs) m.user_id = user_id_;
  return client_.SendAll(Address(logical), msgs, window, timeout);
}

int ModeClient::Receive(const std::string& logical, client::HubClient::Handler handler,
                        int credit, std::string* error, std::chrono::milliseconds timeout) {
  return client_.Receive(Address(logical), std::move(handler), credit, error, timeout);
}

}  // namespace slussen::testing
