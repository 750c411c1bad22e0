#pragma once
// An adapter's connection to the hub, kept up for the adapter's whole life: it connects, and after
// any loss (the hub restarting, the network, a refused connection) reconnects with backoff and
// re-attaches every link. One Proton container on one thread of its own; every public method is
// thread-safe and returns at once.
//
// Sending with confirmation: Send() calls `done` with the hub's settlement. The upstream system
// is to be acknowledged only on kAccepted (the hub has the event on disk). kError means the outcome
// is unknown (the connection went before the hub settled, the session is stopping, too much is
// queued) or the message was not sent (it waited for credit on a connection that was lost): send
// again later; the event id makes the hub store it once. A send reported as kError is never sent
// by the session afterwards, so the caller's resend is the only copy still to go (at least once,
// and no more often than the lost connections make necessary); SendAndWait's timeout withdraws a
// send still waiting here. Sends made while no connection is open wait for the next one.
//
// Receiving with deferred settlement: a subscription's `on_message` gets each delivery with a
// token and must not block; the adapter hands the work to its own threads and calls Settle(token,
// …) from any thread when it is done (after its HTTP POST, its print job). A subscription holds at
// most `max_in_flight` deliveries unsettled: credit is granted only as they are settled, so a
// slow far side slows only that subscription, never the others nor the heartbeats. Deliveries of
// a connection that was lost are redelivered by the hub on the next one; a late Settle() of one is
// ignored (and counts its slot free).
//
// Stop(): nothing new is taken; what is in flight is given `grace` to finish (sends settled,
// deliveries settled by the adapter); whatever is left is handed back (released), receivers are
// detached before the connection closes, and the thread ends.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hub_client.h"
#include "runtime/hub_connection_config.h"

namespace slussen::adapter {

using client::Disposition;
using client::IncomingMessage;
using client::OutgoingMessage;
using client::SendOutcome;

class HubSession {
 public:
  // `name` is the adapter's ("slussen-ehr"): it names the container and the log lines.
  HubSession(HubConnectionConfig config, std::string name);
  ~HubSession();  // Stop(0) if still running
  HubSession(const HubSession&) = delete;
  HubSession& operator=(const HubSession&) = delete;

  // Starts connecting (in the background; see WaitConnected).
  void Start();
  // Waits until a connection to the hub is open; false after `timeout` (it keeps trying).
  bool WaitConnected(std::chrono::milliseconds timeout);
  bool connected() const;

  // Runs on the session's thread; must not block.
  using SendDone = std::function<void(const SendOutcome&)>;
  void Send(const std::string& address, OutgoingMessage message, SendDone done);
  // The same, on connection number `connection` only (numbered as OnConnectionChange numbers
  // them): when that one is not open any more, `done` gets kError and nothing is sent. For a
  // caller that counts everything it sent on a lost connection as failed (the hub's broker
  // transport), so that nothing it has given up on goes out later on the next connection.
  void SendOn(int connection, const std::string& address, OutgoingMessage message, SendDone done);
  // For the adapter's own threads (never the session's): Send and wait for `done`.
  SendOutcome SendAndWait(const std::string& address, OutgoingMessage message,
                          std::chrono::milliseconds timeout);

  struct Delivery {
    uint64_t token = 0;
    IncomingMessage message;
  };
  // Runs on the session's thread for each delivery; must not block.
  using OnMessage = std::function<void(Delivery)>;
  // Attaches a receiver to `address` now (or as soon as connected) and after every reconnect.
  void Subscribe(const std::string& address, int max_in_flight, OnMessage on_message);
  // Any thread. A token of a lost connection, or settled before, is ignored.
  void Settle(uint64_t token, Disposition disposition);
  // The same, and a kReject carries an AMQP error condition (a name such as
  // "slussen:http-400" and a description): the hub keeps both with the dead letter, as the
  // reason the receiver gave. Ignored for kAccept and kRelease, which carry none.
  void Settle(uint64_t token, Disposition disposition, std::string condition,
              std::string description);

  // Runs on the session's thread whenever a connection opens (true) or is gone (false), with
  // the number of connections opened so far; must not block. Set before Start().
  using OnConnectionChange = std::function<void(bool connected, int connections)>;
  void SetOnConnectionChange(OnConnectionChange fn);

  // Any thread but the session's. Returns when the connection is closed and the thread joined.
  void Stop(std::chrono::milliseconds grace);

  // For tests and the log: connections opened so far (1 after the first, 2 after a reconnect…).
  int connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace slussen::adapter
