#include "transport/transport.h"

#include <spdlog/spdlog.h>

namespace slussen {

EmbeddedTransport::EmbeddedTransport(const Config& config, Clock clock)
    : config_(config), clock_(std::move(clock)) {}

EmbeddedTransport::~EmbeddedTransport() = default;

void EmbeddedTransport::Run(CoreInbox& core, ReadyFn ready, FailFn fail) {
  running_ = true;
  {
    SocketLoop loop(config_, clock_, core, inbox_, counters_, accepting_, force_stop_);
    loop.SetTls(tls_);
    auto port = loop.Listen(config_.amqp_host, config_.amqp_port);
    if (!port) {
      fail(port.error());
    } else {
      ready(config_.amqp_host, *port);
      loop.Run();
    }
  }  // every socket is closed here
  const auto& c = counters_;
  spdlog::info("amqp: listener stopped ({} connections accepted, {} refused, {} unauthorized, "
               "{} links refused at attach, {} failed, {} idle timeouts, {} oversized deliveries, {} accept errors)",
               c.connections_accepted.load(), c.connections_refused.load(),
               c.connections_unauthorized.load(), c.links_unauthorized.load(),
               c.connections_failed.load(), c.idle_timeouts.load(), c.oversized_deliveries.load(),
               c.accept_errors.load());
  running_ = false;
}

void EmbeddedTransport::StopAccepting() {
  // The flag at once (a message arriving from now on is released, not posted to the core that
  // is about to drain), the listener through the loop.
  accepting_ = false;
  inbox_.Push(StopAcceptingCommand{});
}

void EmbeddedTransport::CloseAll() { inbox_.Push(CloseAllCommand{}); }

void EmbeddedTransport::ForceStop() {
  force_stop_ = true;
  inbox_.Wake();
}

void EmbeddedTransport::Settle(uint64_t conn_id, uint64_t token, Settlement settlement) {
  held_.emplace_back(SettleCommand{conn_id, token, std::move(settlement)});
}

void EmbeddedTransport::Deliver(uint64_t conn_id, uint64_t link_id, std::vector<OutboxItem> items) {
  // If the connection is gone, its LinkGone puts these items back in the core's retry set.
  held_.emplace_back(DeliverCommand{conn_id, link_id, std::move(items)});
}

void EmbeddedTransport::Recorded(uint64_t conn_id, uint64_t link_id, std::vector<int64_t> seqs) {
  held_.emplace_back(RecordedCommand{conn_id, link_id, std::move(seqs)});
}

void EmbeddedTransport::EndOfTurn() {
  inbox_.PushAll(held_);
}

}  // namespace slussen
