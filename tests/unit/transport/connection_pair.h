#pragma once
// In-memory test support for the transport: the hub's real AmqpConnection wired to a client
// proton::io::connection_driver through byte buffers, no sockets (as Proton's own
// connection_driver_test does with its driver_pair), and a CoreInbox that records what the
// connection posts.
#include <proton/connection.hpp>
#include <proton/delivery.hpp>
#include <proton/io/connection_driver.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/transfer.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/sender.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "amqp/proton_compat.h"
#include "api/core_messages.h"
#include "config/config.h"
#include "transport/amqp_connection.h"
#include "transport/transport_counters.h"

namespace slussen::testing {

// Keeps every input, in order.
class RecordingInbox : public CoreInbox {
 public:
  void Post(CoreInput input) override { inputs.push_back(std::move(input)); }
  template <typename T>
  std::vector<T> All() const {
    std::vector<T> out;
    for (const auto& in : inputs) {
      if (const auto* t = std::get_if<T>(&in)) out.push_back(*t);
    }
    return out;
  }
  // Sum of the credit of every LinkDemand for `link_id`.
  int DemandFor(uint64_t link_id) const;
  std::vector<CoreInput> inputs;
};

// What the client side saw.
class ClientHandler : public proton::messaging_handler {
 public:
  struct Outcome {
    int state = 0;  // a proton::transfer::state
    amqp::Condition condition;
  };
  std::map<std::string, Outcome> outcomes;  // by the tag the client sent with
  std::vector<proton::delivery> deliveries;  // messages received, unsettled
  std::vector<proton::message> messages;
  std::string connection_error;               // "name: description" of the hub's close
  bool closed = false;

 private:
  void on_tracker_accept(proton::tracker& t) override { Record(t); }
  void on_tracker_reject(proton::tracker& t) override { Record(t); }
  void on_tracker_release(proton::tracker& t) override { Record(t); }
  void on_message(proton::delivery& d, proton::message& m) override {
    deliveries.push_back(d);
    messages.push_back(m);
  }
  void on_connection_close(proton::connection& c) override {
    closed = true;
    if (c.error()) connection_error = c.error().name() + ": " + c.error().description();
  }
  void on_transport_close(proton::transport&) override { closed = true; }
  void on_error(const proton::error_condition&) override {}
  void Record(proton::tracker& t) {
    outcomes[std::string(proton::binary(t.tag()))] = {t.state(), amqp::RemoteCondition(t)};
  }
};

// A hub connection and a client, connected in memory.
class ConnectionPair {
 public:
  // `client_options`: e.g. sasl_enabled(false) for a client that sends a plain AMQP header
  // (the default client does a SASL ANONYMOUS exchange first). `security`: the hub's SASL server
  // (and no TLS: in memory); without it, Proton's default SASL.
  ConnectionPair(uint64_t id, const Config& config, CoreInbox& inbox, LinkIdSource& link_ids,
                 TransportCounters& counters, const std::atomic<bool>& accepting,
                 proton::connection_options client_options = {},
                 const AmqpConnection::Security* security = nullptr);
  // Moves bytes both ways and runs both sides until nothing moves.
  void Pump();
  // Opens a sending link to the hub (with its credit once pumped).
  proton::sender OpenSender(const std::string& address);
  proton::receiver OpenReceiver(const std::string& address, int credit);
  // Sends `bytes` as one complete delivery with `tag`, as they are.
  void SendRaw(proton::sender& s, const std::string& tag, const std::string& bytes);
  // Sends an ordinary message with a data-section body.
  void Send(proton::sender& s, const std::string& tag, const std::string& message_id,
            const std::string& body);

  ClientHandler handler;
  proton::io::connection_driver client;
  AmqpConnection server;
};

// An encoded message with a message-id and the given sections after its properties, for
// bodies a normal client would not produce. `sections` are raw AMQP section bytes.
std::string EncodedMessage(const std::string& message_id, const std::string& sections);
// The bytes of one data section holding `body`.
std::string DataSection(const std::string& body);

// A small config: hub "test", destinations "letter" and "ehr".
Config TestTransportConfig();

}  // namespace slussen::testing
