#pragma once
// A blocking client for the Slussen hub (or any AMQP 1.0 peer), for adapters, the demo, tests and
// the benchmark. It runs its own single-threaded Proton container on a background thread; every
// public method is thread-safe and talks to that thread through its work queue.
//
// Errors from the network arrive as values (SendOutcome with kind kError, or an exception-free
// `false`), never as exceptions from the container thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace slussen::client {

// How the peer settled one message we sent.
struct SendOutcome {
  enum class Kind { kAccepted, kRejected, kReleased, kModified, kError };
  Kind kind = Kind::kError;
  std::string condition;    // AMQP error condition name, e.g. "slussen:invalid-event"
  std::string description;  // its description, or the local error text for kError
};
const char* OutcomeName(SendOutcome::Kind kind);

// One message to send. `body` goes into a single AMQP data section (binary) unless
// `body_as_string` is set, in which case it is sent as an AMQP string (amqp-value): tests use that
// to check the hub's handling of the wrong body type.
struct OutgoingMessage {
  std::string message_id;
  std::string subject;
  std::string body;
  bool body_as_string = false;
  std::string content_type = "application/x-protobuf";
  std::map<std::string, std::string> properties;  // application properties (string values)
  // The AMQP user-id; empty: none. A broker that checks it (RabbitMQ) ends the session unless it
  // is the login's, and the hub in broker mode knows the sender by it.
  std::string user_id;
};

// One message received from the hub.
struct IncomingMessage {
  std::string address;      // the source address of the link, e.g. "out/kommun-1380"
  std::string message_id;
  std::string subject;
  std::string content_type;
  std::map<std::string, std::string> properties;  // string-valued application properties
  std::string body;         // bytes of the data section (or the text of a string body)
  bool body_is_binary = false;        // the body was AMQP binary
  bool body_is_data_section = false;  // ... and came as a data section (not amqp-value binary)
  bool durable = false;
  // The AMQP user-id, as text; a broker that checks it (RabbitMQ) vouches it is the sender's
  // login. Empty if the message had none.
  std::string user_id;
};

enum class Disposition { kAccept, kRelease, kReject };

// How a client reaches the hub securely: TLS (checking the hub's certificate against `ca` and its
// name against the URL's host) and a SASL login. All empty: plain AMQP and whatever mechanism
// Proton picks (ANONYMOUS), for a hub listening with plain="allow" on loopback.
struct ClientSecurity {
  std::string ca;    // non-empty: TLS
  std::string cert;  // our client certificate and its key (SASL EXTERNAL), PEM files
  std::string key;
  std::string mechanisms;  // the SASL mechanisms we allow ("PLAIN", "EXTERNAL"); empty: any
  std::string user;        // PLAIN
  std::string password;    // PLAIN; never logged
  // PLAIN without TLS (only a loopback hub with plain="allow" offers it).
  bool allow_insecure_mechanisms = false;
};

class HubClient {
 public:
  // `url` like "127.0.0.1:5672" or "amqp://127.0.0.1:5672". Does not connect yet.
  explicit HubClient(std::string url, std::string container_id = "");
  HubClient(std::string url, ClientSecurity security, std::string container_id = "");
  ~HubClient();  // closes links (receivers first, then the connection) and joins the thread
  HubClient(const HubClient&) = delete;
  HubClient& operator=(const HubClient&) = delete;

  // Connects; false with `error` filled if the connection fails within `timeout`.
  bool Connect(std::chrono::milliseconds timeout, std::string* error);

  // Sends one message to `address` and waits for its settlement.
  SendOutcome Send(const std::string& address, const OutgoingMessage& msg,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Sends many messages, keeping up to `window` unsettled at a time, and returns one outcome per
  // message, in order. Used by the demo feed and the benchmark.
  std::vector<SendOutcome> SendAll(const std::string& address,
                                   const std::vector<OutgoingMessage>& msgs, int window = 500,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Attaches a receiver to `address` (e.g. "out/kommun-1380") with `credit`. The handler runs on
  // the client's thread and decides each message's disposition; it must not call this client's
  // blocking methods (they would wait for the very thread the handler occupies). A handler that
  // throws releases the message. Returns a receiver id, or -1 with
  // `error` if the attach was refused (e.g. unknown address -> amqp:not-found).
  using Handler = std::function<Disposition(const IncomingMessage&)>;
  int Receive(const std::string& address, Handler handler, int credit, std::string* error,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Detaches one receiver and waits for the peer's detach.
  void CloseReceiver(int receiver_id);

  // Closes everything gracefully (receivers, then connection). Idempotent.
  void Close();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace slussen::client
