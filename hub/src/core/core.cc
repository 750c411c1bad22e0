#include "core/core.h"

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "common/log_safe.h"
#include "common/thread_name.h"
#include "core/pending.h"

namespace slussen {

Core::Core(const Config& config, Store& store, CoreOutput& output, Clock clock, CoreTuning tuning)
    : config_(config),
      store_(store),
      output_(output),
      clock_(clock),
      dispatcher_(store, clock,
                  [&config](const std::string& destination) -> const DeliveryPolicy& {
                    return config.PolicyFor(destination);
                  }),
      tuning_(tuning),
      cache_(config.case_cache_events) {}

Core::~Core() { Stop(); }

void Core::Start() {
  WatchNoticeDeliveries();  // before the thread: the dispatcher is the core thread's from then on
  store_.SetDurableListener([this] {
    {
      std::lock_guard lock(mu_);
      durable_news_ = true;
    }
    cv_.notify_one();
  });
  thread_ = std::thread([this] { Run(); });
}

void Core::Post(CoreInput input) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(std::move(input));
  }
  cv_.notify_one();
}

void Core::Drain() {
  if (!thread_.joinable()) return;
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(Barrier{done});
  }
  cv_.notify_one();
  future.wait();
}

void Core::Stop() {
  if (!thread_.joinable()) return;
  Drain();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  store_.SetDurableListener({});
}

std::vector<Core::Item> Core::TakeBatch() {
  std::unique_lock lock(mu_);
  auto has_work = [&] { return stopping_ || !queue_.empty() || durable_news_; };
  if (auto wake = WakeAt()) {
    cv_.wait_until(lock, *wake, has_work);
  } else {
    cv_.wait(lock, has_work);
  }
  durable_news_ = false;
  std::vector<Item> items;
  std::size_t inbound = 0;
  while (!queue_.empty()) {
    auto& front = queue_.front();
    if (auto* in = std::get_if<CoreInput>(&front); in && std::holds_alternative<InboundMessage>(*in)) {
      if (inbound == config_.commit_batch_max) break;
      ++inbound;
    }
    items.push_back(std::move(front));
    queue_.pop_front();
  }
  return items;
}

// The next timer (on the injected clock), the next flush of acceptances or the next statistics
// snapshot (real time: they pace work, they are no business deadlines), whichever comes first.
std::optional<std::chrono::steady_clock::time_point> Core::WakeAt() const {
  std::optional<std::chrono::steady_clock::time_point> wake;
  auto consider = [&](std::chrono::steady_clock::time_point t) {
    if (!wake || t < *wake) wake = t;
  };
  if (auto due = timers_.NextDue()) {
    consider(std::chrono::steady_clock::now() +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(*due - clock_()));
  }
  if (!unrecorded_marks_.empty() || !unrecorded_failures_.empty()) {
    consider(marks_since_ + tuning_.mark_flush_interval);
  }
  if (stats_dirty_) consider(stats_published_at_ + tuning_.stats_interval);
  if (unflushed_since_) consider(*unflushed_since_ + tuning_.flush_interval);
  // The depth per destination is counted in the store at most every depth_refresh_interval; once
  // the outbox may have changed (or was never counted) the count is due then even if nothing else
  // happens, so an idle hub's statistics do not stay stale.
  if (!depth_known_ || depth_stale_) consider(depth_refreshed_at_ + tuning_.depth_refresh_interval);
  if (auto check = disk_bound_.NextCheckAt()) consider(*check);
  return wake;
}

void Core::Run() {
  NameThisThread("core");
  spdlog::debug("core: started");
  // Cases whose evaluation fell due while the hub was down (or that a migration marked) first.
  ArmCaseEvaluationFromStore(clock_());
  ArmReceiptTimerFromStore(clock_());
  RestorePausedDestinations();
  if (auto s = LoadAudit(); !s) {
    spdlog::error("audit log cannot be read ({}): nothing is written until it can", s.error());
  }
  ArmRetention(clock_());
  // The outbox's depth is first read by the first drain or after depth_refresh_interval, not
  // here: with a large backlog that count would delay the first delivery after a restart.
  depth_refreshed_at_ = std::chrono::steady_clock::now();
  disk_bound_.Check(store_, depth_refreshed_at_);  // a store already full says so at once
  PublishStats(/*force=*/false);  // the destinations at once; their depth once counted
  while (true) {
    if (auto retry = dispatcher_.NextWakeAt()) {
      timers_.Arm(TimerId::kDeliveryRetry, *retry);
    } else {
      timers_.Disarm(TimerId::kDeliveryRetry);
    }
    auto items = TakeBatch();
    if (items.empty()) {
      std::lock_guard lock(mu_);
      if (stopping_ && queue_.empty()) break;
    }
    if (!items.empty()) stats_dirty_ = depth_stale_ = true;
    ReleaseDurable();
    Process(items);
    Pump();
    output_.EndOfTurn();  // before the flush, which may take a while
    SyncOrHandOver();
    bool barrier = false;
    for (const auto& item : items) barrier |= std::holds_alternative<Barrier>(item);
    FlushStore(/*now_anyway=*/barrier);
    // A barrier's flush waited for every batch to be durable: told before the barrier opens.
    if (barrier && ReleaseDurable()) {
      Pump();
      output_.EndOfTurn();
    }
    PublishStats(/*force=*/barrier);
    for (auto& item : items) {
      if (auto* b = std::get_if<Barrier>(&item)) b->done->set_value();
    }
  }
  FlushStore(/*now_anyway=*/true);
  ReleaseDurable();
  output_.EndOfTurn();
  spdlog::debug("core: stopped");
}

void Core::FlushStore(bool now_anyway) {
  if (!store_.unflushed()) {
    unflushed_since_.reset();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!unflushed_since_) unflushed_since_ = now;
  if (!now_anyway && now < *unflushed_since_ + tuning_.flush_interval) return;
  unflushed_since_.reset();
  if (auto s = store_.Flush(); !s) {
    // Nothing is lost (what was written is durable); tried again an interval later.
    spdlog::error("store: flush failed: {}", s.error());
  }
}

void Core::Process(std::vector<Item>& items) {
  // The batch's decoded envelopes live on an arena: their many small parts are allocated and
  // freed at once, not one by one (protobuf decoding and destruction were a seventh of the core
  // thread at full load). Declared before `pending`, whose envelopes point into it.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = 64 * 1024;
  arena_options.max_block_size = 1024 * 1024;
  google::protobuf::Arena arena(arena_options);
  std::vector<Pending> pending;
  pending.reserve(items.size());
  const auto now = clock_();
  const int64_t now_us = ToMicros(now);
  bool barrier = false;
  for (auto& item : items) {
    auto* input = std::get_if<CoreInput>(&item);
    if (!input) {
      barrier = true;
      continue;
    }
    if (auto* msg = std::get_if<InboundMessage>(input)) {
      auto& p = pending.emplace_back();
      p.msg = msg;
      p.envelope = google::protobuf::Arena::CreateMessage<v1::Envelope>(&arena);
      p.decision = DecideInbound(*msg, config_, now, p.envelope);
    } else if (auto* demand = std::get_if<LinkDemand>(input)) {
      dispatcher_.AddDemand(*demand);
    } else if (auto* gone = std::get_if<LinkGone>(input)) {
      for (auto& failed : dispatcher_.RemoveLink(gone->link_id)) RecordFailure(std::move(failed));
    } else if (auto* cmd = std::get_if<OperatorCommand>(input)) {
      AcceptCommand(std::move(*cmd), now);
    } else if (auto* dead = std::get_if<BrokerDeadLetter>(input)) {
      OnBrokerDeadLetter(*dead, now_us);
    } else if (auto* outcome = std::get_if<DeliveryOutcome>(input)) {
      auto effect = dispatcher_.OnOutcome(*outcome);
      if (effect.accepted) {
        if (NothingUnrecorded()) marks_since_ = std::chrono::steady_clock::now();
        Dispatcher::Accepted& a = *effect.accepted;
        unrecorded_marks_.push_back({a.seq, now_us, std::move(a.destination), outcome->conn_id,
                                     outcome->link_id, a.watched, std::move(a.event_id),
                                     std::move(a.case_id), std::move(a.kind),
                                     std::move(a.patient_key)});
      }
      if (effect.failed) {
        if (effect.failed->dead) {
          // The receiver's own words go to the store, not the log: they are the peer's strings.
          spdlog::warn("delivery of event {} to {} is dead after {} attempt(s): {}{}",
                       effect.failed->event_id, effect.failed->destination, effect.failed->attempt,
                       effect.failed->outcome,
                       effect.failed->outcome == "rejected" ? " (the receiver's condition is stored with it)" : "");
        }
        RecordFailure(std::move(*effect.failed));
      }
    }
  }
  bool purge = false;
  for (TimerId fired : timers_.TakeDue(now)) {
    if (fired == TimerId::kCaseEvaluation) FetchDueCases(now);
    if (fired == TimerId::kReceiptDue) FetchDueReceipts(now);
    purge |= fired == TimerId::kRetention;
  }
  // Between group commits: the purge is a short transaction of its own before this batch's.
  if (purge) PurgeBatch(now);
  // A full store: nothing is written for inbound (the senders keep it); deliveries, their
  // records and the cases' timers go on.
  const bool was_full = disk_bound_.full();
  const bool full = disk_bound_.Check(store_, std::chrono::steady_clock::now());
  if (full != was_full) stats_dirty_ = true;  // published also when it changed without traffic
  if (full && !pending.empty()) {
    disk_bound_.CountReleased(pending.size());
    Release(pending);
    pending.clear();
  }
  const bool flush_marks =
      !NothingUnrecorded() &&
      (barrier || unrecorded_marks_.size() >= tuning_.mark_flush_max ||
       std::chrono::steady_clock::now() >= marks_since_ + tuning_.mark_flush_interval);
  if (pending.empty() && !flush_marks && due_cases_.empty() && receipt_timeouts_.empty() &&
      commands_.empty()) {
    return;
  }

  if (store_.latched()) {
    due_cases_.clear();
    receipt_timeouts_.clear();
    OnCommandsDone(Error{"the store is latched: " + store_.latched_reason(),
                         ErrorCode::kFailedPrecondition});
    return RefuseWhileLatched(pending);
  }
  WorkingCases working;
  auto batch = BuildWrite(pending, now, working);
  Status written = batch ? OkStatus() : Status(batch.as_error());
  int64_t number = 0;
  if (batch) {
    // Not waited for: the batch's record is synced on the store's thread while this one goes
    // on; what the batch tells the outside waits for that (HoldUntilDurable).
    auto submitted = store_.Submit(*batch);
    if (submitted) {
      number = *submitted;
    } else {
      written = submitted.as_error();
    }
  }
  if (!written) {
    ++failed_commits_;
    // The cases taken for this batch are not put back (the cache holds only what is committed);
    // due ones are still due in the store: fetch them again a little later, not in a busy loop.
    if (evaluating_ > 0 || !due_cases_.empty() || more_due_) {
      timers_.ArmNoLaterThan(TimerId::kCaseEvaluation, now + std::chrono::seconds(1));
    }
    due_cases_.clear();
    more_due_ = false;
    evaluating_ = 0;
    OnCommandsDone(written);  // refused: the operator may try again
    return OnWriteFailed(pending, written);
  }
  // Before the settlements when the flush interval is 0: a sender that reads the store after
  // its acknowledgement sees what it sent. Otherwise after them (Run), so that the batch that
  // falls due for a flush does not wait for it.
  if (tuning_.flush_interval.count() == 0) FlushStore(/*now_anyway=*/true);
  audit_head_ = audit_batch_head_;
  CountCommitted(pending, *batch);
  HoldUntilDurable(number, pending, *batch);
  OnCasesCommitted(working, *batch, now);
  OnReceiptsCommitted(*batch, now);
  ReleaseDurable();  // a store whose Write is all there is: durable already
}

// Nothing can be made durable any more. Waiting acceptances are dropped: they can never be
// written, and their rows are delivered again after the restart (receivers deduplicate).
void Core::RefuseWhileLatched(std::vector<Pending>& pending) {
  unrecorded_marks_.clear();
  unrecorded_failures_.clear();
  // Left unsettled: the broker gives them again to the restarted hub.
  dead_letters_to_settle_.clear();
  Release(pending);
  ReportLatch(pending.size());
}

void Core::OnWriteFailed(std::vector<Pending>& pending, const Status& error) {
  if (store_.latched()) return RefuseWhileLatched(pending);
  Release(pending);
  spdlog::error("store: transaction not committed ({} inbound messages released to their "
                "senders, {} delivery records kept for the next one): {}",
                pending.size(), unrecorded_marks_.size(), error.error());
  // The acceptances stay waiting; the next timed try comes an interval later, not at once (a
  // store that keeps failing must not turn the core into a busy loop).
  if (!NothingUnrecorded()) marks_since_ = std::chrono::steady_clock::now();
}

void Core::RecordFailure(FailedAttempt failed) {
  if (NothingUnrecorded()) marks_since_ = std::chrono::steady_clock::now();
  if (failed.dead) {
    ++counters_.dead_deliveries;
    // The destination's fallback takes over a delivery that will not be made.
    const std::string& fallback = config_.PolicyFor(failed.destination).receipt.fallback;
    if (!fallback.empty() && fallback != failed.destination) {
      failed.fallback_to = fallback;
      failed.fallback_cause = "delivery to " + failed.destination + " dead: " + failed.reason;
      spdlog::warn("event {}: delivery to {} is dead; sent to {} as fallback", failed.event_id,
                   failed.destination, fallback);
    }
  }
  unrecorded_failures_.push_back(std::move(failed));
}

void Core::HoldUntilDurable(int64_t number, std::vector<Pending>& pending, const WriteBatch& batch) {
  Unsettled& u = unsettled_.emplace_back();
  u.number = number;
  u.submitted_at = std::chrono::steady_clock::now();
  u.delivered = unrecorded_marks_.size();
  // The receivers that wait for our settlement may forget these once they are durable (after a
  // crash before that they would come again).
  for (const Mark& m : unrecorded_marks_) {
    if (m.link_id) u.recorded[{m.conn_id, m.link_id}].push_back(m.seq);
  }
  // Every row the batch adds: its new events', and the fallbacks of dead deliveries and of
  // receipts not in time.
  for (const auto& e : batch.events) u.enqueued.insert(e.destinations.begin(), e.destinations.end());
  for (const auto& f : batch.failed_attempts) {
    if (!f.fallback_to.empty()) u.enqueued.insert(f.fallback_to);
  }
  for (const auto& t : batch.receipt_timeouts) {
    if (!t.fallback_to.empty()) u.enqueued.insert(t.fallback_to);
  }
  unrecorded_marks_.clear();
  unrecorded_failures_.clear();
  u.dead_letters.swap(dead_letters_to_settle_);
  u.commands.swap(commands_);
  u.settlements.reserve(pending.size());
  for (auto& p : pending) {
    if (p.settlement.kind == Settlement::Kind::kAccepted) {
      const auto& record = std::get<EventRecord>(p.decision);
      if (p.duplicate) {
        ++u.duplicates;
        spdlog::info("event {} (case {}): duplicate, already stored; accepted again, not re-delivered",
                     record.event_id, record.case_id);
      } else {
        ++u.accepted;
        spdlog::debug("event {} {} (case {}) stored for {} destination(s)", record.event_id,
                      record.kind, record.case_id, record.destinations.size());
      }
    } else {
      ++u.rejected;
      const auto& refusal = std::get<Refusal>(p.decision);
      spdlog::warn("rejected message on '{}' (event {}{}): {}", ChannelName(p.msg->channel),
                   refusal.event_id.empty() ? "-" : LogSafe(refusal.event_id),
                   refusal.patient_pseudonym.empty() ? "" : ", patient " + refusal.patient_pseudonym,
                   LogSafe(p.settlement.description, 2000));
    }
    u.settlements.push_back({p.msg->conn_id, p.msg->token, std::move(p.settlement)});
  }
}

void Core::SyncOrHandOver() {
  if (unsettled_.empty()) return;
  bool input_waiting = false;
  {
    std::lock_guard lock(mu_);
    input_waiting = !queue_.empty();
  }
  if (input_waiting) return store_.SyncInBackground();
  if (store_.SyncHere() && ReleaseDurable()) {
    Pump();
    output_.EndOfTurn();
  }
}

bool Core::ReleaseDurable() {
  if (unsettled_.empty()) return false;
  const int64_t durable = store_.DurableThrough();
  bool told = false;
  while (!unsettled_.empty() && unsettled_.front().number <= durable) {
    Unsettled u = std::move(unsettled_.front());
    unsettled_.pop_front();
    told = true;
    ++counters_.commits;
    counters_.delivered += u.delivered;
    counters_.accepted += u.accepted;
    counters_.duplicates += u.duplicates;
    counters_.rejected += u.rejected;
    commit_latency_.Record(std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - u.submitted_at)
                               .count());
    for (auto& [link, seqs] : u.recorded) output_.Recorded(link.first, link.second, std::move(seqs));
    for (const auto& d : u.dead_letters) output_.Settle(d.conn_id, d.token, Settlement{});
    for (const auto& dest : u.enqueued) dispatcher_.OnEnqueued(dest);
    for (auto& st : u.settlements) output_.Settle(st.conn_id, st.token, std::move(st.settlement));
    FinishCommands(u.commands, OkStatus());
  }
  if (unsettled_.empty() || !store_.latched()) return told;
  // Never durable: released to their senders, who keep them; their deliveries' acceptances
  // are recorded again after the restart (receivers deduplicate); broker dead letters come
  // again from the broker.
  const Status latched{Error{"the store is latched: " + store_.latched_reason(),
                             ErrorCode::kFailedPrecondition}};
  std::size_t released = 0;
  for (auto& u : unsettled_) {
    for (const auto& st : u.settlements) {
      output_.Settle(st.conn_id, st.token, {Settlement::Kind::kReleased, "", ""});
    }
    released += u.settlements.size();
    FinishCommands(u.commands, latched);
  }
  unsettled_.clear();
  counters_.released += released;
  ReportLatch(released);
  return true;
}

void Core::Release(std::vector<Pending>& pending) {
  for (auto& p : pending) {
    output_.Settle(p.msg->conn_id, p.msg->token, {Settlement::Kind::kReleased, "", ""});
  }
  counters_.released += pending.size();
}

void Core::ReportLatch(std::size_t released) {
  constexpr auto kEvery = std::chrono::minutes(1);
  const auto now = std::chrono::steady_clock::now();
  released_since_latch_log_ += released;
  if (!counters_.store_latched) {
    counters_.store_latched = true;
    spdlog::error("store latched: {}. The hub accepts nothing more until it is restarted: every "
                  "inbound message is released to its sender, which keeps it, and the hub exits 1 "
                  "at shutdown. Check the disk before restarting; the restart recovers from what "
                  "is on disk.",
                  store_.latched_reason());
  } else if (now - latch_logged_at_ < kEvery) {
    return;
  } else {
    spdlog::error("store still latched ({} inbound messages released since the last report): {}",
                  released_since_latch_log_, store_.latched_reason());
  }
  latch_logged_at_ = now;
  released_since_latch_log_ = 0;
}

void Core::Pump() {
  auto batches = dispatcher_.Pump();
  if (!batches) {
    spdlog::error("store: cannot read the outbox: {}", batches.error());
    return;
  }
  for (auto& batch : *batches) {
    output_.Deliver(batch.conn_id, batch.link_id, std::move(batch.items));
  }
  for (const auto& notice : dispatcher_.TakeNotices()) spdlog::warn("delivery to {}", notice);
}

}  // namespace slussen
