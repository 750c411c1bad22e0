#include "delivery/dispatcher.h"

#include <algorithm>

#include "common/time_format.h"
#include "delivery/maintenance_window.h"
#include "delivery/retry_policy.h"

namespace slussen {
namespace {
// Outbox rows one Pump reads per destination at most. Rows of cases that wait behind an earlier
// row are read and passed over; a long run of them must not stall the core for seconds (the
// next Pump goes on from the cursor at once).
constexpr std::size_t kScanPerPump = 4096;
// Seqs remembered per held-back case (a discharge chain is a handful of events); beyond them the
// case's rows are found by case in the store.
constexpr std::size_t kHeldSeqsPerCase = 16;
}  // namespace

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
    std::string destination;
    if (row != rows_.end()) {
      destination = row->second.destination;
      Finish(outcome.seq);
    }
    effect.accepted = Accepted{outcome.seq, std::move(destination)};
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

void Dispatcher::ManuallyDelivered(int64_t seq) { Finish(seq); }

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

int Dispatcher::Demand(const Destination& dest) const {
  int total = 0;
  for (const auto& l : dest.links) total += l.demand;
  return total;
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

Dispatcher::Link* Dispatcher::FindLink(Destination& dest, uint64_t link_id) {
  for (auto& link : dest.links) {
    if (link.id == link_id) return &link;
  }
  return nullptr;
}

void Dispatcher::HandOut(Link& link, OutboxItem item, int64_t after_seq,
                         std::map<uint64_t, Batch>& batches) {
  --link.demand;
  inflight_[item.seq] = link.id;
  rows_.at(item.seq).link_id = link.id;
  item.after_seq = after_seq;
  auto& batch = batches[link.id];
  batch.conn_id = link.conn_id;
  batch.link_id = link.id;
  batch.items.push_back(std::move(item));
}

Dispatcher::Link* Dispatcher::JoinableTrain(const std::string& name, Destination& dest,
                                            const std::string& case_id) {
  auto train = dest.trains.find(case_id);
  if (train == dest.trains.end() || train->second.seqs.empty()) return nullptr;
  if (dest.held_back.count(case_id) || dest.on_its_way >= policy_for_(name).in_flight) {
    return nullptr;
  }
  const uint64_t tail_link = rows_.at(train->second.seqs.back()).link_id;
  if (tail_link == 0) return nullptr;
  Link* link = FindLink(dest, tail_link);
  return link && link->demand > 0 ? link : nullptr;
}

bool Dispatcher::Take(const std::string& name, Destination& dest, OutboxItem item,
                      std::map<uint64_t, Batch>& batches) {
  if (rows_.count(item.seq)) return true;  // on its way already
  const auto now = clock_();
  const bool waits = item.next_attempt_at_us > ToMicros(now);
  if (auto train = dest.trains.find(item.case_id); train != dest.trains.end()) {
    if (Link* link = waits ? nullptr : JoinableTrain(name, dest, item.case_id)) {
      // Behind the case's last row on that link: the transport sends it once that one is
      // accepted.
      const int64_t after = train->second.seqs.back();
      train->second.seqs.push_back(item.seq);
      ++dest.on_its_way;
      rows_[item.seq] = {0, name, item.case_id, item.event_id, item.attempts, item.enqueued_at_us};
      HandOut(*link, std::move(item), after, batches);
      return true;
    }
    // Remembered in order until the first one that does not fit; from then on (`more`) every
    // later row is found by case, so none is taken before an earlier one.
    auto& held = dest.held_back[item.case_id];
    if (!held.more && held.seqs.size() < kHeldSeqsPerCase) {
      held.seqs.push_back(item.seq);
    } else {
      held.more = true;
    }
    return true;
  }
  if (dest.on_its_way >= policy_for_(name).in_flight) return false;
  if (!waits && Demand(dest) == 0) return false;
  dest.trains[item.case_id].seqs.push_back(item.seq);
  ++dest.on_its_way;
  rows_[item.seq] = {0, name, item.case_id, item.event_id, item.attempts, item.enqueued_at_us};
  if (waits) {
    // A schedule from before a restart: it goes on where it was.
    dest.retry[item.seq] = {FromMicros(item.next_attempt_at_us)};
  } else {
    HandOut(*NextLinkWithDemand(dest), std::move(item), 0, batches);
  }
  return true;
}

Status Dispatcher::HandOutFollowers(Destination& dest, const std::string& case_id, Link& link,
                                    std::map<uint64_t, Batch>& batches) {
  for (std::size_t i = 1; link.demand > 0;) {
    auto train = dest.trains.find(case_id);
    if (train == dest.trains.end() || i >= train->second.seqs.size()) break;
    const int64_t seq = train->second.seqs[i];
    if (rows_.at(seq).link_id != 0) break;
    auto rows = store_.PendingBySeq(seq);
    if (!rows) return Error{rows.error()};
    if (rows->empty()) {
      Finish(seq);  // delivered or dead meanwhile: the next takes its place
      continue;
    }
    rows->front().case_id = case_id;
    HandOut(link, std::move(rows->front()), train->second.seqs[i - 1], batches);
    ++i;
  }
  return OkStatus();
}

Status Dispatcher::PumpDestination(const std::string& name, Destination& dest,
                                   std::map<uint64_t, Batch>& batches) {
  const auto now = clock_();
  // 1. Due retries: each already holds a slot of the window.
  for (auto it = dest.retry.begin(); it != dest.retry.end() && Demand(dest) > 0;) {
    if (it->second.due > now) {
      ++it;
      continue;
    }
    const int64_t seq = it->first;
    auto rows = store_.PendingBySeq(seq);
    if (!rows) return Error{rows.error()};
    it = dest.retry.erase(it);
    if (rows->empty()) {
      Finish(seq);  // delivered or dead meanwhile (an outcome that came after its link went)
      continue;
    }
    const std::string case_id = rows_.at(seq).case_id;
    Link& link = *NextLinkWithDemand(dest);
    HandOut(link, std::move(rows->front()), 0, batches);
    if (auto s = HandOutFollowers(dest, case_id, link, batches); !s) return s;
  }
  // 2. Cases whose row ended while their later rows were passed over: the next of each, before
  // the cursor reads anything newer of them.
  std::vector<Destination::Freed> freed;
  freed.swap(dest.freed);
  for (std::size_t i = 0; i < freed.size(); ++i) {
    Destination::Freed f = std::move(freed[i]);
    Result<std::vector<OutboxItem>> next = std::vector<OutboxItem>();
    int64_t taken_seq = 0;  // a held-back seq this fetch consumes
    if (f.revive) {
      next = store_.PendingBySeq(f.revive);
    } else {
      // The seqs the cursor passed over, in order; one delivered or dead meanwhile is skipped.
      while (!f.held.seqs.empty() && next && next->empty()) {
        taken_seq = f.held.seqs.front();
        f.held.seqs.pop_front();
        next = store_.PendingBySeq(taken_seq);
      }
      if (next && next->empty() && f.held.more) {
        next = store_.NextPendingOfCase(name, f.case_id, std::max(f.after, taken_seq), dest.cursor);
        f.held.more = !next || !next->empty();  // after this one there may be more still
      }
    }
    if (!next) {
      if (taken_seq) f.held.seqs.push_front(taken_seq);
      dest.freed.push_back(std::move(f));
      for (std::size_t j = i + 1; j < freed.size(); ++j) dest.freed.push_back(std::move(freed[j]));
      return Error{next.error()};
    }
    dest.trains.erase(f.case_id);  // the reservation ends: Take starts the case's train
    if (next->empty()) continue;
    // A revived row counts as one of the case's, whatever case its outbox row was read with.
    next->front().case_id = f.case_id;
    if (!Take(name, dest, std::move(next->front()), batches)) {
      dest.trains[f.case_id];  // reserved again: no room yet, tried at the next Pump
      if (taken_seq) f.held.seqs.push_front(taken_seq);
      dest.freed.push_back(std::move(f));
      continue;
    }
    if (f.revive) {
      if (auto row = rows_.find(f.revive); row != rows_.end()) row->second.resume_after = f.after;
      continue;
    }
    // The remembered rows chain behind it while the link has room for them.
    Status read = OkStatus();
    while (!f.held.seqs.empty() && JoinableTrain(name, dest, f.case_id)) {
      auto row = store_.PendingBySeq(f.held.seqs.front());
      if (!row) {
        read = Error{row.error()};
        break;
      }
      if (!row->empty() && row->front().next_attempt_at_us > ToMicros(now)) break;
      f.held.seqs.pop_front();
      if (!row->empty()) {
        row->front().case_id = f.case_id;
        Take(name, dest, std::move(row->front()), batches);
      }
    }
    // What else the cursor passed over waits for this one, before anything it passed since.
    if (!f.held.seqs.empty() || f.held.more) {
      auto& held = dest.held_back[f.case_id];
      if (f.held.more) {
        // Rows of unknown seq come before any remembered since: all are found by case, in order.
        held.seqs.clear();
        held.more = true;
      }
      for (auto it = f.held.seqs.rbegin(); it != f.held.seqs.rend(); ++it) held.seqs.push_front(*it);
    }
    if (!read) {
      for (std::size_t j = i + 1; j < freed.size(); ++j) dest.freed.push_back(std::move(freed[j]));
      return read;
    }
  }
  // 3. New rows from the cursor.
  std::size_t scanned = 0;
  const int window = policy_for_(name).in_flight;
  while (dest.maybe_more && Demand(dest) > 0 && dest.on_its_way < window) {
    const int want = std::max(Demand(dest), 64);
    auto rows = store_.PendingAfter(name, dest.cursor, want);
    if (!rows) return Error{rows.error()};
    if (static_cast<int>(rows->size()) < want) dest.maybe_more = false;
    bool full = false;
    for (auto& item : *rows) {
      const int64_t seq = item.seq;
      if (!Take(name, dest, std::move(item), batches)) {
        full = true;
        break;
      }
      dest.cursor = seq;
    }
    if (full) {
      dest.maybe_more = true;
      break;
    }
    if (rows->empty()) break;
    scanned += rows->size();
    if (scanned >= kScanPerPump) {
      read_more_now_ = dest.maybe_more;
      break;
    }
  }
  return OkStatus();
}

Result<std::vector<Dispatcher::Batch>> Dispatcher::Pump() {
  read_more_now_ = false;
  std::map<uint64_t, Batch> batches;
  const auto now = clock_();
  for (auto& [name, dest] : destinations_) {
    // In a window nothing is sent (what is in flight finishes), so no retry spends an attempt.
    if (InWindow(name, dest, now) || dest.paused || dest.links.empty()) continue;
    if (auto s = PumpDestination(name, dest, batches); !s) return Error{s.error()};
  }
  std::vector<Batch> out;
  out.reserve(batches.size());
  for (auto& [id, batch] : batches) out.push_back(std::move(batch));
  return out;
}

std::optional<std::chrono::system_clock::time_point> Dispatcher::NextWakeAt() const {
  if (read_more_now_) return clock_();
  std::optional<std::chrono::system_clock::time_point> next;
  for (const auto& [name, dest] : destinations_) {
    // Without demand nothing can be sent; new credit wakes the core anyway.
    if (Demand(dest) == 0 || dest.paused) continue;
    if (dest.window) {
      if (!next || dest.window->second < *next) next = dest.window->second;
      continue;
    }
    // A window that begins must be noticed even if nothing is due: check at its start.
    if (const auto& windows = policy_for_(name).windows; !windows.empty()) {
      if (auto start = NextWindowStart(windows, clock_()); start && (!next || start->start < *next)) {
        next = start->start;
      }
    }
    // Freed cases wait for room in the window; that comes with an outcome, which wakes the core.
    if (!dest.freed.empty() && dest.on_its_way < policy_for_(name).in_flight) return clock_();
    for (const auto& [seq, waiting] : dest.retry) {
      if (!next || waiting.due < *next) next = waiting.due;
    }
  }
  return next;
}

}  // namespace slussen
