#include "delivery/dispatcher.h"

#include <algorithm>

#include "common/time_format.h"
#include "delivery/maintenance_window.h"
#include "delivery/retry_policy.h"

namespace slussen {

Dispatcher::Dispatcher(Store& store, Clock clock, PolicyFor policy_for,
                       std::function<double()> random01)
    : store_(store),
      clock_(std::move(clock)),
      policy_for_(std::move(policy_for)),
      random01_(std::move(random01)),
      rng_(std::random_device{}()) {
  if (!random01_) {
    random01_ = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); };
  }
}

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

std::vector<FailedAttempt> Dispatcher::RemoveLink(uint64_t link_id) {
  for (auto& [name, dest] : destinations_) {
    std::erase_if(dest.links, [&](const Link& l) { return l.id == link_id; });
  }
  std::vector<int64_t> orphaned;
  for (const auto& [seq, link] : inflight_) {
    if (link == link_id) orphaned.push_back(seq);
  }
  std::sort(orphaned.begin(), orphaned.end());
  // A row behind another in its train was never sent: the transport sends it only after the
  // receiver accepted its predecessor, and that acceptance reaches the core before the link's
  // end. So only the first of each train made an attempt; the rest wait behind it.
  std::vector<int64_t> firsts;
  for (int64_t seq : orphaned) {
    Row& row = rows_.at(seq);
    if (IsFirstOfTrain(row, seq)) {
      firsts.push_back(seq);
    } else {
      inflight_.erase(seq);
      row.link_id = 0;
    }
  }
  std::vector<FailedAttempt> failed;
  for (int64_t seq : firsts) {
    inflight_.erase(seq);
    failed.push_back(Fail(seq, "link-lost", "", "", /*end_now=*/false, ""));
  }
  return failed;
}

bool Dispatcher::IsFirstOfTrain(const Row& row, int64_t seq) const {
  const auto& dest = destinations_.at(row.destination);
  auto train = dest.trains.find(row.case_id);
  return train != dest.trains.end() && !train->second.seqs.empty() &&
         train->second.seqs.front() == seq;
}

Dispatcher::Effect Dispatcher::OnOutcome(const DeliveryOutcome& outcome) {
  using Kind = DeliveryOutcome::Kind;
  Effect effect;
  auto row = rows_.find(outcome.seq);
  if (outcome.kind == Kind::kAccepted) {
    // Even if its link was reported gone and a retry waits, the receiver has it.
    Accepted accepted{outcome.seq, {}};
    if (row != rows_.end()) {
      Row& r = row->second;
      accepted.destination = r.destination;
      accepted.watched = r.watched;
      accepted.event_id = std::move(r.event_id);
      accepted.case_id = r.case_id;  // Finish still needs it
      accepted.kind = std::move(r.kind);
      accepted.patient_key = std::move(r.patient_key);
      Finish(outcome.seq);
    }
    effect.accepted = std::move(accepted);
    return effect;
  }
  // Not sent by this run, or already failed when its link went away: nothing more to say.
  if (row == rows_.end() || inflight_.erase(outcome.seq) == 0) return effect;
  auto& dest = destinations_[row->second.destination];
  switch (outcome.kind) {
    case Kind::kNotSent:
      // Not an attempt. The first of its train goes with the next credit; a later one waits
      // for its predecessor (it came back because that one did not reach the receiver).
      row->second.link_id = 0;
      if (IsFirstOfTrain(row->second, outcome.seq)) dest.retry[outcome.seq] = {clock_()};
      return effect;
    case Kind::kReleased:
      effect.failed = Fail(outcome.seq, "released", "", "", false, "");
      return effect;
    case Kind::kModified: {
      const bool end = outcome.undeliverable_here &&
                       policy_for_(row->second.destination).retry.modified_undeliverable ==
                           RetryPolicy::Modified::kDeadLetter;
      effect.failed = Fail(outcome.seq,
                           outcome.undeliverable_here ? "modified (undeliverable-here)" : "modified",
                           "", "", end, "the receiver marked it undeliverable-here");
      return effect;
    }
    case Kind::kRejected:
      effect.failed = Fail(outcome.seq, "rejected", outcome.condition, outcome.description,
                           /*end_now=*/true, "rejected by the receiver");
      return effect;
    case Kind::kAccepted:
      break;
  }
  return effect;
}

FailedAttempt Dispatcher::Fail(int64_t seq, const std::string& outcome,
                               const std::string& condition, const std::string& description,
                               bool end_now, const std::string& end_reason) {
  Row& row = rows_.at(seq);
  auto& dest = destinations_[row.destination];
  const RetryPolicy& policy = policy_for_(row.destination).retry;
  row.link_id = 0;
  ++row.attempts;
  ++dest.retried;
  const auto now = clock_();
  const auto next = now + BackoffDelay(policy, row.attempts, random01_());
  FailedAttempt f;
  f.seq = seq;
  f.destination = row.destination;
  f.event_id = row.event_id;
  f.case_id = row.case_id;
  f.attempt = row.attempts;
  f.at_us = ToMicros(now);
  f.outcome = outcome;
  f.condition = condition;
  f.description = description;
  if (end_now) {
    f.dead = true;
    f.reason = end_reason;
    if (!condition.empty()) f.reason += " (" + condition + ")";
    if (!description.empty()) f.reason += ": " + description;
  } else if (BudgetSpent(policy, row.attempts,
                         FromMicros(row.enqueued_at_us) +
                             std::chrono::duration_cast<std::chrono::microseconds>(
                                 WindowTime(row.destination, FromMicros(row.enqueued_at_us), next)),
                         next)) {
    f.dead = true;
    f.reason = "retries ended after " + std::to_string(row.attempts) +
               " failed attempts (the destination's retry budget); the last: " + outcome;
  }
  if (f.dead) {
    ++dest.dead;
    Finish(seq);
  } else {
    f.next_attempt_at_us = ToMicros(next);
    // Only the first of a train is sent, so only it can fail; were another to, it would go when
    // it becomes the first, never ahead of its predecessor.
    if (IsFirstOfTrain(row, seq)) dest.retry[seq] = {next};
  }
  return f;
}

void Dispatcher::Finish(int64_t seq) {
  auto row = rows_.find(seq);
  if (row == rows_.end()) return;
  auto& dest = destinations_[row->second.destination];
  inflight_.erase(seq);
  dest.retry.erase(seq);
  --dest.on_its_way;
  const std::string case_id = row->second.case_id;
  const int64_t resume_after = row->second.resume_after;
  rows_.erase(row);
  auto& train = dest.trains[case_id];
  const bool was_first = !train.seqs.empty() && train.seqs.front() == seq;
  if (auto it = std::find(train.seqs.begin(), train.seqs.end(), seq); it != train.seqs.end()) {
    train.seqs.erase(it);
  }
  train.high = std::max({train.high, seq, resume_after});
  if (!train.seqs.empty()) {
    // The next is on its way already (the transport sends it now), or it was given back and
    // goes with the next credit.
    const int64_t next = train.seqs.front();
    if (was_first && rows_.at(next).link_id == 0 && !dest.retry.count(next)) {
      dest.retry[next] = {clock_()};
    }
    return;
  }
  const int64_t after = train.high;
  auto held = dest.held_back.find(case_id);
  if (auto revived = dest.revived.find(case_id); revived != dest.revived.end()) {
    // A revived row of the case goes next; whatever else the cursor passed over waits for it.
    train.high = 0;  // stays reserved (empty) until Pump has fetched it
    dest.freed.push_back({case_id, after, revived->second, {}});
    dest.revived.erase(revived);
  } else if (held != dest.held_back.end()) {
    // Still reserved (the cursor keeps passing its rows over) until Pump has fetched its next.
    train.high = 0;
    dest.freed.push_back({case_id, after, 0, std::move(held->second)});
    dest.held_back.erase(held);
  } else {
    dest.trains.erase(case_id);
  }
}

void Dispatcher::OnEnqueued(const std::string& destination) {
  destinations_[destination].maybe_more = true;
}

void Dispatcher::SetPaused(const std::string& destination, bool paused) {
  destinations_[destination].paused = paused;
}

void Dispatcher::Revive(int64_t seq, const std::string& destination, const std::string& case_id) {
  auto& dest = destinations_[destination];
  if (rows_.count(seq)) return;
  if (dest.trains.count(case_id)) {
    dest.revived.emplace(case_id, seq);
  } else {
    dest.trains[case_id];  // reserved until Pump has fetched it
    dest.freed.push_back({case_id, 0, seq, {}});
  }
}

void Dispatcher::Forget(int64_t seq) { Finish(seq); }

std::vector<std::string> Dispatcher::TakeNotices() {
  std::vector<std::string> out;
  out.swap(notices_);
  return out;
}

bool Dispatcher::InWindow(const std::string& name, Destination& dest,
                          std::chrono::system_clock::time_point now) {
  const auto& windows = policy_for_(name).windows;
  if (windows.empty()) return false;
  auto active = ActiveWindow(windows, now);
  if (active && !dest.window) {
    notices_.push_back(name + ": maintenance window '" + active->name + "' began; nothing is sent " +
                       "to it until " + FormatStockholmTime(active->end));
  } else if (!active && dest.window) {
    notices_.push_back(name + ": maintenance window '" + dest.window->first +
                       "' ended; delivery resumes");
  }
  if (active) {
    dest.window.emplace(active->name, active->end);
  } else {
    dest.window.reset();
  }
  return active.has_value();
}

std::chrono::system_clock::duration Dispatcher::WindowTime(
    const std::string& destination, std::chrono::system_clock::time_point from,
    std::chrono::system_clock::time_point to) const {
  const auto& windows = policy_for_(destination).windows;
  std::chrono::system_clock::duration total{0};
  if (windows.empty()) return total;
  auto t = from;
  // Each step moves past one window; a budget's age spans days, so this ends in few steps.
  for (int steps = 0; t < to && steps < 1000; ++steps) {
    if (auto active = ActiveWindow(windows, t)) {
      const auto end = std::min(active->end, to);
      total += end - t;
      t = active->end;
    } else if (auto next = NextWindowStart(windows, t); next && next->start < to) {
      t = next->start;
    } else {
      break;
    }
  }
  return total;
}

std::map<std::string, Dispatcher::Activity> Dispatcher::ActivityByDestination() const {
  std::map<std::string, Activity> out;
  for (const auto& [name, dest] : destinations_) {
    auto& a = out[name];
    a.waiting_retry = static_cast<int64_t>(dest.retry.size());
    a.cases_held_back = static_cast<int64_t>(dest.held_back.size() + dest.freed.size());
    a.receivers = static_cast<int>(dest.links.size());
    a.retried = dest.retried;
    a.dead = dest.dead;
    a.paused = dest.paused;
    if (dest.window) {
      a.window = dest.window->first;
      a.window_ends_at_us = ToMicros(dest.window->second);
    }
  }
  for (const auto& [seq, link] : inflight_) ++out[rows_.at(seq).destination].in_flight;
  return out;
}

}  // namespace slussen
