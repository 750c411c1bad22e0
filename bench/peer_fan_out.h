#pragma once
// What the bench's own peers (raw_peer.cc, journal_peer.cc) share: the ready line they print once
// listening, and the fan-out of every message to every attached consumer.
#include <proton/connection.hpp>
#include <proton/listen_handler.hpp>
#include <proton/sender.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace slussen::bench {

// An encoded AMQP message, shared by every consumer's queue.
using Bytes = std::shared_ptr<const std::vector<char>>;

// Prints "<name> ready amqp=HOST:PORT" once the listener is bound (what ChildProcess waits for).
class ReadyLine : public proton::listen_handler {
 public:
  ReadyLine(std::string name, std::string host) : name_(std::move(name)), host_(std::move(host)) {}
  void on_open(proton::listener& l) override;
  void on_error(proton::listener&, const std::string& e) override;

 private:
  std::string name_;
  std::string host_;
};

// Every consumer link gets a copy of each forwarded message, sent as the already-encoded bytes
// (the C++ API would encode a proton::message again), queued in memory only while it has no
// credit. All on the container thread.
class FanOut {
 public:
  void Add(proton::sender s) { outs_.push_back({s, {}, false}); }
  void Remove(const proton::sender& s);
  void RemoveConnection(const proton::connection& c);
  bool empty() const { return outs_.empty(); }
  // The consumers' source addresses.
  std::vector<std::string> Addresses() const;

  // A send on another connection than the one whose event is being handled is only written out
  // when that connection next wakes up; a work-queue item wakes it (one per burst, not per
  // message), as the hub's transport does.
  void Forward(const Bytes& bytes);
  void OnSendable(proton::sender& s) { Flush(s, false); }

 private:
  struct Out {
    proton::sender sender;
    std::deque<Bytes> queue;
    bool flush_queued = false;
  };
  void Flush(proton::sender s, bool from_queue);

  std::vector<Out> outs_;
  uint64_t next_tag_ = 0;
};

}  // namespace slussen::bench
