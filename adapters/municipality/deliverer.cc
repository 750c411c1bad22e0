#include "adapters/municipality/deliverer.h"

#include <spdlog/spdlog.h>

#include "adapters/municipality/outcome.h"
#include "slussen/v1/events.pb.h"
#include "wire/event_kind.h"
#include "xmldoc/xmldoc.h"

namespace slussen::municipality {

using client::Disposition;

Deliverer::Deliverer(const MunicipalityConfig& config, adapter::HubSession& session)
    : config_(config), session_(session) {}

Deliverer::~Deliverer() { Abort(); }

void Deliverer::Start() {
  for (int i = 0; i < config_.max_in_flight; ++i) {
    posters_.push_back(std::make_unique<HttpPoster>(config_));
  }
  for (auto& p : posters_) workers_.emplace_back([this, poster = p.get()] { Work(*poster); });
}

void Deliverer::Enqueue(adapter::HubSession::Delivery delivery) {
  {
    std::lock_guard lock(mu_);
    if (!draining_) {
      queue_.push_back(std::move(delivery));
      cv_.notify_one();
      return;
    }
  }
  session_.Settle(delivery.token, Disposition::kRelease);
}

void Deliverer::Drain() {
  std::deque<adapter::HubSession::Delivery> left;
  {
    std::lock_guard lock(mu_);
    draining_ = true;
    left.swap(queue_);
  }
  cv_.notify_all();
  for (const auto& d : left) session_.Settle(d.token, Disposition::kRelease);
}

void Deliverer::Abort() {
  Drain();
  for (auto& p : posters_) p->Abort();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
}

void Deliverer::Work(HttpPoster& poster) {
  for (;;) {
    adapter::HubSession::Delivery d;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return draining_ || !queue_.empty(); });
      if (queue_.empty()) return;  // draining, nothing left
      d = std::move(queue_.front());
      queue_.pop_front();
    }
    Deliver(poster, d);
  }
}

void Deliverer::Deliver(HttpPoster& poster, const adapter::HubSession::Delivery& d) {
  const std::string& from = d.message.address;
  v1::Envelope env;
  if (!env.ParseFromString(d.message.body)) {
    // Never a document: sending it again cannot help.
    spdlog::error("delivery {} from {}: the body is not a slussen.v1 Envelope; rejected", d.token,
                  from);
    session_.Settle(d.token, Disposition::kReject, "slussen:invalid-envelope",
                    "the message body is not a serialized slussen.v1.Envelope");
    return;
  }
  const std::string& id = env.event_id();
  const auto kind = KindOf(env);
  const std::string kind_name = kind ? std::string(EventKindName(*kind)) : "unknown kind";
  auto document = xmldoc::WriteDocument(env);
  if (!document) {
    // The error names fields and may quote values: it goes to the hub's dead letter, not the log.
    spdlog::error("event {} ({}) from {}: cannot be written as its XML document; rejected", id,
                  kind_name, from);
    session_.Settle(d.token, Disposition::kReject, "slussen:not-representable",
                    PrintableUtf8(document.error(), kMaxKeptBody));
    return;
  }
  const PostResult result = poster.Post(*document, id);
  const Settlement s = SettlementFor(result);
  switch (s.disposition) {
    case Disposition::kAccept:
      spdlog::info("event {} ({}) from {}: delivered, {}", id, kind_name, from, s.summary);
      session_.Settle(d.token, Disposition::kAccept);
      break;
    case Disposition::kReject:
      spdlog::warn("event {} ({}) from {}: refused by the system, {}; rejected (dead letter)", id,
                   kind_name, from, s.summary);
      session_.Settle(d.token, Disposition::kReject, s.condition, s.description);
      break;
    case Disposition::kRelease:
      spdlog::warn("event {} ({}) from {}: not taken, {}; released for retry", id, kind_name, from,
                   s.summary);
      session_.Settle(d.token, Disposition::kRelease);
      break;
  }
}

}  // namespace slussen::municipality
