#include "raw_peer.h"

#include <proton/connection.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/listener.hpp>
#include <proton/message.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/target.hpp>
#include <proton/target_options.hpp>
#include <proton/transport.hpp>

#include <iostream>
#include <memory>
#include <vector>

#include "peer_fan_out.h"

namespace slussen::bench {
namespace {

class RawPeer : public proton::messaging_handler {
 public:
  void on_connection_open(proton::connection& c) override { c.open(); }

  // Echo the peer's address in our terminus: a null terminus would mean "refused".
  void on_receiver_open(proton::receiver& r) override {
    r.open(proton::receiver_options().auto_accept(true).credit_window(1000).target(
        proton::target_options().address(r.target().address())));
  }

  void on_sender_open(proton::sender& s) override {
    s.open(proton::sender_options().source(proton::source_options().address(s.source().address())));
    consumers_.Add(s);
  }

  // Encoded once, shared by every consumer's queue, sent as bytes.
  void on_message(proton::delivery&, proton::message& m) override {
    if (consumers_.empty()) return;
    auto bytes = std::make_shared<std::vector<char>>();
    m.encode(*bytes);
    consumers_.Forward(bytes);
  }

  void on_sendable(proton::sender& s) override { consumers_.OnSendable(s); }
  void on_sender_close(proton::sender& s) override { consumers_.Remove(s); }
  void on_transport_close(proton::transport& t) override {
    consumers_.RemoveConnection(t.connection());
  }
  void on_error(const proton::error_condition& e) override {
    std::cerr << "raw-peer: " << e.what() << "\n";
  }

 private:
  FanOut consumers_;
};

}  // namespace

int RunRawPeer(const std::string& host, int port) {
  RawPeer peer;
  ReadyLine ready("raw-peer", host);
  proton::container container(peer, "slussen-bench-raw-peer");
  container.listen(host + ":" + std::to_string(port), ready);
  container.run();
  return 0;
}

}  // namespace slussen::bench
