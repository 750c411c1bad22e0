// BrokerTransport: lifecycle, the connection's coming and going, and inbound messages. Outbound
// is broker_outbound.cc.
#include "broker/broker_transport.h"

#include <spdlog/spdlog.h>

#include "config/broker_loader.h"
#include "hub_client.h"
#include "wire/broker_addressing.h"
#include "runtime/hub_session.h"

namespace slussen {
namespace {

constexpr std::chrono::milliseconds kReleaseDelay{1000};
// Dead letters are rare; a few at a time keep a flood of them from crowding the core's inbox.
constexpr int kDeadLetterCredit = 20;

// A decimal outbox seq as the hub wrote it, or 0.
int64_t ParseSeq(const std::string& text) {
  if (text.empty() || text.size() > 18) return 0;
  int64_t seq = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    seq = seq * 10 + (c - '0');
  }
  return seq;
}

adapter::HubConnectionConfig SessionConfig(const Config& config) {
  const BrokerConfig& b = *config.broker;
  adapter::HubConnectionConfig c;
  c.url = b.url;
  c.container_id = b.container_id;
  c.idle_timeout = b.idle_timeout;
  c.reconnect_initial = b.reconnect_initial;
  c.reconnect_max = b.reconnect_max;
  // Every destination may have its whole window waiting for the broker's credit at once.
  c.max_queued = b.in_flight * static_cast<int>(config.AllDestinations().size() + 1);
  if (!b.tls_ca.empty()) c.tls = adapter::HubConnectionConfig::Tls{b.tls_ca, b.tls_cert, b.tls_key};
  if (!b.user.empty()) c.sasl = adapter::HubConnectionConfig::Sasl{"PLAIN", b.user, b.password};
  c.broker.enabled = true;
  c.broker.queue_prefix = b.queue_prefix;
  // The transport holds the core's releases back itself (kReleaseDelay), a shorter pause: the
  // hub releases only while it cannot store, and takes the message as soon as it can.
  c.broker_release_delay = std::chrono::milliseconds(0);
  return c;
}

}  // namespace

BrokerTransport::BrokerTransport(const Config& config, Clock clock)
    : config_(config),
      broker_(*config.broker),
      clock_(std::move(clock)),
      session_(std::make_unique<adapter::HubSession>(SessionConfig(config), "broker")) {}

BrokerTransport::~BrokerTransport() { session_->Stop(std::chrono::milliseconds(0)); }

void BrokerTransport::Push(Command command) {
  {
    std::lock_guard lock(mu_);
    commands_.push_back(std::move(command));
  }
  cv_.notify_one();
}

void BrokerTransport::Run(CoreInbox& inbox, ReadyFn ready, FailFn) {
  inbox_ = &inbox;
  running_ = true;
  bool announced = false;
  session_->SetOnConnectionChange([this, &ready, &announced](bool up, int n) {
    Push([this, up, n, &ready, &announced] {
      if (!up) return OnDisconnected();
      OnConnected(n);
      if (!announced) {
        announced = true;
        const std::string host = config::UrlHost(broker_.url);
        const auto colon = broker_.url.rfind(':');
        int port = 5672;
        if (colon != std::string::npos && colon > broker_.url.find("://") + 2) {
          port = std::atoi(broker_.url.c_str() + colon + 1);
        }
        ready(host, port);
      }
    });
  });
  for (const Channel channel : {Channel::kEvents, Channel::kReceipts}) {
    session_->Subscribe(std::string(ChannelName(channel)), broker_.in_flight,
                        [this, channel](adapter::HubSession::Delivery d) {
                          Push([this, channel, d = std::move(d)]() mutable {
                            OnMessage(channel, d.token, std::move(d.message.user_id),
                                      std::move(d.message.message_id), std::move(d.message.body),
                                      d.message.body_is_data_section);
                          });
                        });
  }
  session_->Subscribe("dead", kDeadLetterCredit, [this](adapter::HubSession::Delivery d) {
    Push([this, d = std::move(d)] { OnDeadLetter(d.token, d.message); });
  });
  // The host only: a url may carry a password.
  spdlog::info("broker mode: connecting to {} (queues {}events, {}receipts, {}out.*)",
               config::UrlHost(broker_.url), broker_.queue_prefix, broker_.queue_prefix,
               broker_.queue_prefix);
  session_->Start();

  while (true) {
    std::deque<Command> batch;
    {
      std::unique_lock lock(mu_);
      const auto ready_to_run = [this] { return stop_ || !commands_.empty(); };
      if (releases_.empty()) {
        cv_.wait(lock, ready_to_run);
      } else {
        cv_.wait_until(lock, releases_.front().due, ready_to_run);
      }
      if (commands_.empty() && stop_) break;
      batch.swap(commands_);
    }
    for (auto& command : batch) command();
    ReleaseDue();
  }
  // The session was stopped (CloseAll, ForceStop) before stop_ was set: no callback of it runs
  // any more, so nothing uses `ready` or `announced` after this.
  running_ = false;
}

void BrokerTransport::StopAccepting() {
  accepting_ = false;
}

void BrokerTransport::CloseAll() {
  // Unsettled inbound deliveries are released (the broker keeps them), receivers are detached
  // before the connection closes (RabbitMQ 3.10 loses acknowledgements otherwise).
  session_->Stop(std::chrono::seconds(2));
  std::lock_guard lock(mu_);
  stop_ = true;
  cv_.notify_one();
}

void BrokerTransport::ForceStop() {
  session_->Stop(std::chrono::milliseconds(0));
  std::lock_guard lock(mu_);
  stop_ = true;
  cv_.notify_one();
}

void BrokerTransport::OnConnected(int generation) {
  generation_ = static_cast<uint64_t>(generation);
  connected_ = true;
  spdlog::info("broker mode: connected to {} (connection {})", config::UrlHost(broker_.url),
               generation);
  for (const std::string& destination : config_.AllDestinations()) {
    OutLink& link = out_[destination];
    link.id = next_link_id_++;
    link.destination = destination;
    AskForMore(link);
  }
}

void BrokerTransport::OnDisconnected() {
  connected_ = false;
  // What was published and not confirmed may or may not be in the broker: the core counts it as
  // a failed attempt and sends it again (the receiver deduplicates on the event id).
  for (auto& [destination, link] : out_) inbox_->Post(LinkGone{link.id});
  out_.clear();
  generation_ = 0;
}

void BrokerTransport::OnMessage(Channel channel, uint64_t token, std::string user_id,
                                std::string message_id, std::string body, bool body_ok) {
  if (!accepting_) {
    // Draining: the broker keeps it for the next start (the session hands back whatever is
    // unsettled when it stops).
    releases_.push_back({std::chrono::steady_clock::now() + kReleaseDelay, generation_, token});
    return;
  }
  InboundMessage in;
  in.conn_id = generation_;
  in.token = token;
  in.channel = channel;
  // The broker checked the user-id against the sender's login; the hub binds it to an adapter.
  // No user-id, or one no <adapter> has: bound to none, and ingest refuses it as unauthorized.
  if (const AdapterConfig* a =
          user_id.empty() ? nullptr
                          : config_.FindAdapterByLogin(AdapterLogin::Mechanism::kPlain, user_id)) {
    in.principal = a->name;
  }
  in.message_id = std::move(message_id);
  in.body_size = body.size();
  if (!body_ok) {
    in.body_problem =
        "expected exactly one AMQP data section holding a serialized slussen.v1.Envelope";
  } else if (in.body_size <= config_.max_message_bytes) {
    in.body = std::move(body);
  }
  in.received_at_us = ToMicros(clock_());
  inbox_->Post(std::move(in));
}

void BrokerTransport::OnDeadLetter(uint64_t token, const client::IncomingMessage& message) {
  if (!accepting_) {
    releases_.push_back({std::chrono::steady_clock::now() + kReleaseDelay, generation_, token});
    return;
  }
  const auto property = [&](std::string_view name) -> std::string {
    auto it = message.properties.find(std::string(name));
    return it == message.properties.end() ? std::string() : it->second;
  };
  // Only the hub's own login can publish with its user-id (the broker checks it), so an adapter
  // cannot make the hub believe one of its deliveries died.
  const int64_t seq = ParseSeq(property(kOutboxSeqProperty));
  const std::string destination = property(kDestinationProperty);
  if (broker_.user.empty() || message.user_id != broker_.user || seq == 0) {
    // What the hub refused on `events` or `receipts` (invalid, unauthorized): the hub recorded
    // it in its own dead letters before it rejected it, so the broker's copy is surplus.
    ++dead_letters_refused_;
    spdlog::debug("broker mode: took a message the hub refused off the dead-letter queue "
                  "({} so far; each is in the hub's dead letters)",
                  dead_letters_refused_);
    return session_->Settle(token, adapter::Disposition::kAccept);
  }
  BrokerDeadLetter dead;
  dead.conn_id = generation_;
  dead.token = token;
  dead.seq = seq;
  dead.destination = destination;
  dead.event_id = message.message_id;
  BrokerAddressing addressing;
  addressing.enabled = true;
  addressing.queue_prefix = broker_.queue_prefix;
  dead.queue = addressing.QueueName("out/" + destination);
  inbox_->Post(std::move(dead));
}

void BrokerTransport::ReleaseDue() {
  const auto now = std::chrono::steady_clock::now();
  while (!releases_.empty() && releases_.front().due <= now) {
    const DelayedRelease r = releases_.front();
    releases_.pop_front();
    // One of an earlier connection is back in the broker already: the session only frees its
    // slot (see Settle).
    session_->Settle(r.token, adapter::Disposition::kRelease);
  }
}

void BrokerTransport::Settle(uint64_t conn_id, uint64_t token, Settlement settlement) {
  Push([this, conn_id, token, settlement = std::move(settlement)] {
    // A delivery of an earlier connection cannot be settled any more (the broker sends it again),
    // but the session counts it against the queue's credit until it is told: a release frees the
    // slot and puts nothing on the wire. Left out, every lost connection would take the credit
    // of what was in flight for good, until the hub consumed nothing.
    if (conn_id != generation_) return session_->Settle(token, adapter::Disposition::kRelease);
    switch (settlement.kind) {
      case Settlement::Kind::kAccepted:
        return session_->Settle(token, adapter::Disposition::kAccept);
      case Settlement::Kind::kReleased:
        releases_.push_back({std::chrono::steady_clock::now() + kReleaseDelay, conn_id, token});
        return;
      case Settlement::Kind::kRejected:
        // The queue's dead-letter exchange takes it; the hub has recorded why.
        return session_->Settle(token, adapter::Disposition::kReject, settlement.condition,
                                settlement.description);
    }
  });
}

}  // namespace slussen
