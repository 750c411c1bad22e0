#pragma once
// A stream of messages to one address on one connection, as an adapter sends them: up to
// `window` unsettled at a time, each settlement reported the moment it arrives (the client
// library's SendAll only answers for a whole batch, too late for a test that acts on the Nth
// acceptance). Written on Proton C++ directly, on its own container thread.
//
// The stream ends when every message is settled or the connection is lost (its peer was
// killed): a message without a settlement then was not accepted, and the caller sends it again
// on the next connection. Errors are values; nothing here throws into the caller.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hub_client.h"

namespace slussen::testing {

class StreamSender {
 public:
  struct Callbacks {
    // Each settlement, on the container thread: the message's index in the stream, its outcome
    // and how many messages are still unsettled after it. May block (to kill the peer).
    std::function<void(std::size_t index, client::SendOutcome::Kind kind, int unsettled)>
        settled;
    // Once, on the container thread, in the first turn after the first window of messages was
    // handed to the connection for writing: `unsettled` is what is in flight then (normally the
    // whole window: the peer has not answered yet).
    std::function<void(int unsettled)> first_window_written;
  };

  // Connects to `url` (host:port) and starts sending at once.
  StreamSender(std::string url, std::string address, std::vector<client::OutgoingMessage> msgs,
               int window, Callbacks callbacks);
  // Stops the container if it still runs and joins its thread.
  ~StreamSender();
  StreamSender(const StreamSender&) = delete;
  StreamSender& operator=(const StreamSender&) = delete;

  // Waits until the stream has ended (all settled, or the connection is gone); false if it has
  // not by `deadline` (then the destructor stops it).
  bool WaitUntil(std::chrono::steady_clock::time_point deadline);

  // Valid once WaitUntil returned true.
  std::size_t transfers() const { return transfers_.load(); }  // messages handed to the link
  std::size_t settlements() const { return settlements_.load(); }
  bool connected() const { return connected_.load(); }   // the connection was opened
  const std::string& error() const;                       // why the connection ended, if not by us
  // For reports from other threads while the stream runs.
  int unsettled() const { return unsettled_.load(); }

 private:
  class Handler;
  std::unique_ptr<Handler> handler_;
  std::thread thread_;
  std::atomic<std::size_t> transfers_{0};
  std::atomic<std::size_t> settlements_{0};
  std::atomic<int> unsettled_{0};
  std::atomic<bool> connected_{false};
};

}  // namespace slussen::testing
