// The core's live statistics: counted on the core thread as batches commit, published as
// immutable snapshots (stats.h) for any thread to read.
#include <spdlog/spdlog.h>

#include "core/core.h"
#include "core/pending.h"

namespace slussen {

void Core::CountCommitted(const std::vector<Pending>& pending, const WriteBatch& batch) {
  for (const auto& p : pending) {
    const auto* refusal = std::get_if<Refusal>(&p.decision);
    if (!refusal) continue;
    std::string key =
        refusal->reasons.empty() ? "other" : RejectionReasonKey(refusal->reasons.front());
    if (!rejected_by_reason_.count(key) && rejected_by_reason_.size() >= CoreStats::kMaxReasons) {
      key = "other";
    }
    ++rejected_by_reason_[key];
  }
  // Running depth between two reads of the outbox (RefreshDepth corrects any drift).
  for (const auto& e : batch.events) {
    for (const auto& d : e.destinations) {
      auto& dest = depth_[d];
      if (dest.pending++ == 0) dest.oldest_enqueued_at_us = e.received_at_us;
    }
  }
  // A dead row leaves the pending ones too; the next RefreshDepth counts that (dead rows are
  // rare, and the record of a failure does not carry its destination).
  for (const Mark& m : unrecorded_marks_) {
    if (m.destination.empty()) continue;
    ++by_destination_[m.destination].delivered;
    auto it = depth_.find(m.destination);
    if (it != depth_.end() && it->second.pending > 0) --it->second.pending;
  }
  // Receipts and fallbacks per destination; a Receipt naming a system that is no destination
  // counts nowhere (the map holds configured destinations only).
  for (const auto& r : batch.receipts) {
    if (config_.IsDestination(r.destination)) ++by_destination_[r.destination].receipts;
  }
  for (const auto& t : batch.receipt_timeouts) {
    if (t.postpone_to_us) continue;  // waits on past a maintenance window: not overdue yet
    auto& counters = by_destination_[t.destination];
    ++counters.receipts_overdue;
    if (!t.fallback_to.empty()) ++counters.fallbacks;
  }
  for (const auto& f : batch.failed_attempts) {
    if (!f.fallback_to.empty()) ++by_destination_[f.destination].fallbacks;
  }
}

void Core::RefreshDepth() {
  auto summary = store_.PendingSummary();
  depth_refreshed_at_ = std::chrono::steady_clock::now();
  if (!summary) {
    spdlog::warn("store: cannot read the outbox depth for the statistics: {}", summary.error());
    return;
  }
  depth_.clear();
  for (auto& d : *summary) depth_[d.destination] = std::move(d);
  depth_known_ = true;
  depth_stale_ = false;
}

void Core::PublishStats(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - stats_published_at_ < tuning_.stats_interval) return;
  if ((force && !depth_known_) || now - depth_refreshed_at_ >= tuning_.depth_refresh_interval) {
    RefreshDepth();
  }

  auto s = std::make_shared<CoreStats>();
  s->published_at_us = ToMicros(clock_());
  s->started = depth_known_;
  s->accepted = counters_.accepted;
  s->duplicates = counters_.duplicates;
  s->rejected = counters_.rejected;
  s->released = counters_.released;
  s->rejected_by_reason = rejected_by_reason_;
  s->commits = counters_.commits;
  s->failed_commits = failed_commits_;
  s->commit_latency = commit_latency_;
  s->store_latched = store_.latched();
  if (s->store_latched) s->store_latched_reason = store_.latched_reason();
  s->store_bytes = disk_bound_.bytes();
  s->store_max_bytes = disk_bound_.max_bytes();
  s->store_full = disk_bound_.full();
  s->released_store_full = disk_bound_.released();
  s->audit_head_seq = audit_head_.seq;
  s->audit_head_hash = audit_head_.hash;
  s->delivered = counters_.delivered;
  const auto activity = dispatcher_.ActivityByDestination();
  for (const auto& name : config_.AllDestinations()) {
    DestinationLiveStats d;
    d.destination = name;
    if (auto it = depth_.find(name); it != depth_.end()) {
      d.depth = it->second.pending;
      d.oldest_pending_at_us = d.depth > 0 ? it->second.oldest_enqueued_at_us : 0;
    }
    if (auto it = activity.find(name); it != activity.end()) {
      d.in_flight = it->second.in_flight;
      d.waiting_retry = it->second.waiting_retry;
      d.receivers = it->second.receivers;
      d.retried = it->second.retried;
      d.dead = it->second.dead;
      d.cases_held_back = it->second.cases_held_back;
      d.paused = it->second.paused;
      d.maintenance_window = it->second.window;
      d.window_ends_at_us = it->second.window_ends_at_us;
    }
    if (auto it = by_destination_.find(name); it != by_destination_.end()) {
      d.delivered = it->second.delivered;
      d.receipts = it->second.receipts;
      d.receipts_overdue = it->second.receipts_overdue;
      d.fallbacks = it->second.fallbacks;
    }
    d.receipts_expected = config_.PolicyFor(name).receipt.timeout.count() > 0;
    s->destinations.push_back(std::move(d));
  }
  s->cases_evaluated_by_timer = cases_evaluated_by_timer_;
  s->case_cache_cases = cache_.cases();
  s->case_cache_events = cache_.events();
  s->case_cache_hits = cache_.hits();
  s->case_cache_misses = cache_.misses();
  stats_board_.Publish(std::move(s));
  stats_published_at_ = now;
  stats_dirty_ = false;
}

}  // namespace slussen
