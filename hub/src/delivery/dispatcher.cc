#include "delivery/dispatcher.h"

#include <algorithm>

namespace slussen {
namespace {
// Backoff after a receiver released or rejected a message: 100 ms, doubling, at most 30 s.
std::chrono::milliseconds RetryDelay(int attempts) {
  const int shift = std::min(attempts - 1, 9);
  return std::min(std::chrono::milliseconds(100) * (1 << std::max(shift, 0)),
                  std::chrono::milliseconds(30000));
}
}  // namespace

Dispatcher::Dispatcher(Store& store, Clock clock) : store_(store), clock_(std::move(clock)) {}

void Dispatcher::AddDemand(const LinkDemand& demand) {
  auto& dest = destinations_[demand.destination];
  for (auto& link : dest.links) {
    if (link.id == demand.link_id) {
      link.demand += demand.credit;
      return;
    }
  }
  dest.links.push_back({demand.link_id, demand.conn_id, demand.credit});
}

void Dispatcher::RemoveLink(uint64_t link_id) {
  for (auto& [name, dest] : destinations_) {
    std::erase_if(dest.links, [&](const Link& l) { return l.id == link_id; });
  }
  std::vector<std::pair<int64_t, std::string>> orphaned;
  for (const auto& [seq, item] : inflight_) {
    if (item.link_id == link_id) orphaned.emplace_back(seq, item.destination);
  }
  for (const auto& [seq, destination] : orphaned) {
    inflight_.erase(seq);
    Retry(seq, destination, /*backoff=*/false);
  }
}

std::optional<Dispatcher::Accepted> Dispatcher::OnOutcome(const DeliveryOutcome& outcome) {
  auto it = inflight_.find(outcome.seq);
  std::string destination = it != inflight_.end() ? it->second.destination : std::string();
  if (it != inflight_.end()) inflight_.erase(it);
  if (outcome.kind == DeliveryOutcome::Kind::kAccepted) {
    attempts_.erase(outcome.seq);
    // Even if the link was already reported gone, the receiver has it: drop any pending retry.
    for (auto& [name, dest] : destinations_) {
      if (dest.retry.erase(outcome.seq) > 0 && destination.empty()) destination = name;
    }
    return Accepted{outcome.seq, std::move(destination)};
  }
  if (!destination.empty()) Retry(outcome.seq, destination, /*backoff=*/true);
  return std::nullopt;
}

void Dispatcher::OnEnqueued(const std::string& destination) {
  destinations_[destination].maybe_more = true;
}

void Dispatcher::Retry(int64_t seq, const std::string& destination, bool backoff) {
  auto due = clock_();
  if (backoff) due += RetryDelay(++attempts_[seq]);
  auto& dest = destinations_[destination];
  dest.retry[seq] = due;
  ++dest.retried;
}

std::map<std::string, Dispatcher::Activity> Dispatcher::ActivityByDestination() const {
  std::map<std::string, Activity> out;
  for (const auto& [name, dest] : destinations_) {
    auto& a = out[name];
    a.waiting_retry = static_cast<int64_t>(dest.retry.size());
    a.receivers = static_cast<int>(dest.links.size());
    a.retried = dest.retried;
  }
  for (const auto& [seq, item] : inflight_) ++out[item.destination].in_flight;
  return out;
}

Dispatcher::Link* Dispatcher::NextLinkWithDemand(Destination& dest) {
  for (std::size_t i = 0; i < dest.links.size(); ++i) {
    auto& link = dest.links[(dest.next_link + i) % dest.links.size()];
    if (link.demand > 0) {
      dest.next_link = (dest.next_link + i + 1) % dest.links.size();
      return &link;
    }
  }
  return nullptr;
}

Status Dispatcher::PumpDestination(const std::string& name, Destination& dest,
                                   std::map<uint64_t, Batch>& batches) {
  auto hand_out = [&](OutboxItem item) {
    Link* link = NextLinkWithDemand(dest);
    --link->demand;
    inflight_[item.seq] = {link->id, name};
    auto& batch = batches[link->id];
    batch.conn_id = link->conn_id;
    batch.link_id = link->id;
    batch.items.push_back(std::move(item));
  };
  auto demand = [&] {
    int total = 0;
    for (const auto& l : dest.links) total += l.demand;
    return total;
  };

  const auto now = clock_();
  for (auto it = dest.retry.begin(); it != dest.retry.end() && demand() > 0;) {
    if (it->second > now) {
      ++it;
      continue;
    }
    auto rows = store_.PendingBySeq(it->first);
    if (!rows) return Error{rows.error()};
    const int64_t seq = it->first;
    it = dest.retry.erase(it);
    if (rows->empty()) {
      attempts_.erase(seq);  // delivered meanwhile
    } else {
      hand_out(std::move(rows->front()));
    }
  }
  while (dest.maybe_more && demand() > 0) {
    const int want = demand();
    auto rows = store_.PendingAfter(name, dest.cursor, want);
    if (!rows) return Error{rows.error()};
    if (static_cast<int>(rows->size()) < want) dest.maybe_more = false;
    for (auto& item : *rows) {
      dest.cursor = item.seq;
      // After a restart nothing is in flight; during a run a row past the cursor never is.
      if (inflight_.count(item.seq) == 0 && dest.retry.count(item.seq) == 0) {
        hand_out(std::move(item));
      }
    }
    if (rows->empty()) break;
  }
  return OkStatus();
}

Result<std::vector<Dispatcher::Batch>> Dispatcher::Pump() {
  std::map<uint64_t, Batch> batches;
  for (auto& [name, dest] : destinations_) {
    if (dest.links.empty()) continue;
    if (auto s = PumpDestination(name, dest, batches); !s) return Error{s.error()};
  }
  std::vector<Batch> out;
  out.reserve(batches.size());
  for (auto& [id, batch] : batches) out.push_back(std::move(batch));
  return out;
}

std::optional<std::chrono::system_clock::time_point> Dispatcher::NextRetryAt() const {
  std::optional<std::chrono::system_clock::time_point> next;
  for (const auto& [name, dest] : destinations_) {
    // Without demand a due retry cannot be sent; new credit wakes the core anyway.
    const bool has_demand = std::any_of(dest.links.begin(), dest.links.end(),
                                        [](const Link& l) { return l.demand > 0; });
    if (!has_demand) continue;
    for (const auto& [seq, due] : dest.retry) {
      if (!next || due < *next) next = due;
    }
  }
  return next;
}

}  // namespace slussen
