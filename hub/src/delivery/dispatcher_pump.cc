// The dispatcher's Pump: reading the outbox, handing rows out (alone or chained behind their
// case's train), holding rows back behind a busy case, and due retries. The rest of the
// dispatcher (outcomes, failures, trains ending, pause, windows) is in dispatcher.cc.
#include <algorithm>

#include "delivery/dispatcher.h"
#include "delivery/maintenance_window.h"
#include "delivery/minimum_dataset.h"

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
  // Every row leaves the dispatcher here, first attempts and retries alike, for any transport.
  if (!ApplyMinimumDataset(policy_for_(item.destination), item)) {
    notices_.push_back(item.destination + ": the stored body of event " + item.event_id +
                       " does not decode, so its minimum dataset cannot be applied; sent "
                       "without a body");
  }
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
      rows_[item.seq] = {0,     name, item.case_id, item.event_id, item.attempts,
                         item.enqueued_at_us, 0, watch_ && watch_(item), item.kind,
                         item.patient_key};
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
  rows_[item.seq] = {0,     name, item.case_id, item.event_id, item.attempts,
                     item.enqueued_at_us, 0, watch_ && watch_(item), item.kind,
                     item.patient_key};
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
