#include "raw_peer.h"

#include "amqp/proton_compat.h"

#include <cstdint>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <proton/connection.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/listen_handler.hpp>
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
#include <proton/work_queue.hpp>
#include <vector>

namespace slussen::bench {
namespace {

class Ready : public proton::listen_handler {
 public:
  explicit Ready(std::string host) : host_(std::move(host)) {}
  void on_open(proton::listener& l) override {
    std::printf("raw-peer ready amqp=%s:%d\n", host_.c_str(), l.port());
    std::fflush(stdout);
  }
  void on_error(proton::listener&, const std::string& e) override {
    std::cerr << "raw-peer: cannot listen: " << e << "\n";
  }

 private:
  std::string host_;
};

using Bytes = std::shared_ptr<const std::vector<char>>;

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
    outs_.push_back({s, {}});
  }

  // A send on another connection than the one whose event is being handled is only written out
  // when that connection next wakes up; a work-queue item wakes it (one per burst, not per
  // message), as the hub's transport does.
  // Encoded once, shared by every consumer's queue, sent as bytes.
  void on_message(proton::delivery&, proton::message& m) override {
    if (outs_.empty()) return;
    auto bytes = std::make_shared<std::vector<char>>();
    m.encode(*bytes);
    for (auto& out : outs_) {
      out.queue.push_back(bytes);
      if (!out.flush_queued) {
        out.flush_queued = true;
        proton::sender s = out.sender;
        s.work_queue().add([this, s] { Flush(s, true); });
      }
    }
  }

  void on_sendable(proton::sender& s) override { Flush(s, false); }

  void on_sender_close(proton::sender& s) override {
    std::erase_if(outs_, [&](const Out& o) { return o.sender == s; });
  }

  void on_transport_close(proton::transport& t) override {
    const proton::connection c = t.connection();
    std::erase_if(outs_, [&](const Out& o) { return o.sender.connection() == c; });
  }

  void on_error(const proton::error_condition& e) override {
    std::cerr << "raw-peer: " << e.what() << "\n";
  }

 private:
  struct Out {
    proton::sender sender;
    std::deque<Bytes> queue;
    bool flush_queued = false;
  };

  void Flush(proton::sender s, bool from_queue) {
    for (auto& out : outs_) {
      if (!(out.sender == s)) continue;
      if (from_queue) out.flush_queued = false;
      // Already-encoded bytes: the C++ API would encode a proton::message again.
      while (!out.queue.empty() && s.credit() > 0) {
        const uint64_t tag = next_tag_++;
        const auto& bytes = *out.queue.front();
        amqp::SendRaw(s, {reinterpret_cast<const char*>(&tag), sizeof tag}, {bytes.data(), bytes.size()});
        out.queue.pop_front();
      }
    }
  }
  std::vector<Out> outs_;
  uint64_t next_tag_ = 0;
};

}  // namespace

int RunRawPeer(const std::string& host, int port) {
  RawPeer peer;
  Ready ready(host);
  proton::container container(peer, "slussen-bench-raw-peer");
  container.listen(host + ":" + std::to_string(port), ready);
  container.run();
  return 0;
}

}  // namespace slussen::bench
