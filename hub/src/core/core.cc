#include "core/core.h"

#include <spdlog/spdlog.h>

#include <set>

#include "core/case_tracker.h"
#include "ingest/inbound.h"

namespace slussen {
namespace {
constexpr const char* kInvalidEvent = "slussen:invalid-event";

std::string JoinReasons(const std::vector<std::string>& reasons, const char* sep) {
  std::string out;
  for (const auto& r : reasons) {
    if (!out.empty()) out += sep;
    out += r;
  }
  return out;
}
}  // namespace

Core::Core(const Config& config, Store& store, CoreOutput& output, Clock clock, CoreTuning tuning)
    : config_(config),
      store_(store),
      output_(output),
      clock_(clock),
      dispatcher_(store, clock),
      tuning_(tuning) {}

Core::~Core() { Stop(); }

void Core::Start() { thread_ = std::thread([this] { Run(); }); }

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
}

std::vector<Core::Item> Core::TakeBatch() {
  std::unique_lock lock(mu_);
  auto has_work = [&] { return stopping_ || !queue_.empty(); };
  if (auto wake = WakeAt()) {
    cv_.wait_until(lock, *wake, has_work);
  } else {
    cv_.wait(lock, has_work);
  }
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

// The next retry (on the injected clock) or the next flush of acceptances (real time: it paces
// disk writes, it is not a business deadline), whichever comes first.
std::optional<std::chrono::steady_clock::time_point> Core::WakeAt() const {
  std::optional<std::chrono::steady_clock::time_point> wake;
  if (auto due = dispatcher_.NextRetryAt()) {
    wake = std::chrono::steady_clock::now() +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(*due - clock_());
  }
  if (!unrecorded_marks_.empty()) {
    const auto flush = marks_since_ + tuning_.mark_flush_interval;
    if (!wake || flush < *wake) wake = flush;
  }
  return wake;
}

void Core::Run() {
  spdlog::debug("core: started");
  while (true) {
    auto items = TakeBatch();
    if (items.empty()) {
      std::lock_guard lock(mu_);
      if (stopping_ && queue_.empty()) break;
    }
    Process(items);
    Pump();
    for (auto& item : items) {
      if (auto* b = std::get_if<Barrier>(&item)) b->done->set_value();
    }
  }
  spdlog::debug("core: stopped");
}

void Core::Process(std::vector<Item>& items) {
  struct Pending {
    const InboundMessage* msg;
    InboundDecision decision;
    Settlement settlement;
    bool duplicate = false;
  };
  std::vector<Pending> pending;
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
      pending.push_back({msg, DecideInbound(*msg, config_, now), {}});
    } else if (auto* demand = std::get_if<LinkDemand>(input)) {
      dispatcher_.AddDemand(*demand);
    } else if (auto* gone = std::get_if<LinkGone>(input)) {
      dispatcher_.RemoveLink(gone->link_id);
    } else if (auto* outcome = std::get_if<DeliveryOutcome>(input)) {
      if (auto seq = dispatcher_.OnOutcome(*outcome)) {
        if (unrecorded_marks_.empty()) marks_since_ = std::chrono::steady_clock::now();
        unrecorded_marks_.push_back({*seq, now_us});
      }
    }
  }
  const bool flush_marks =
      !unrecorded_marks_.empty() &&
      (barrier || unrecorded_marks_.size() >= tuning_.mark_flush_max ||
       std::chrono::steady_clock::now() >= marks_since_ + tuning_.mark_flush_interval);
  if (pending.empty() && !flush_marks) return;

  std::set<std::string> enqueued;
  auto write = [&]() -> Status {
    if (auto s = store_.Begin(); !s) return s;
    for (auto& p : pending) {
      if (auto* record = std::get_if<EventRecord>(&p.decision)) {
        auto inserted = store_.InsertEvent(*record);
        if (!inserted) return Error{inserted.error()};
        switch (*inserted) {
          case Store::InsertOutcome::kInserted:
            p.settlement = {Settlement::Kind::kAccepted, "", ""};
            enqueued.insert(record->destinations.begin(), record->destinations.end());
            continue;
          case Store::InsertOutcome::kDuplicate:
            p.settlement = {Settlement::Kind::kAccepted, "", ""};
            p.duplicate = true;
            continue;
          case Store::InsertOutcome::kConflict:
            p.decision = Refusal{record->event_id,
                                 {"event_id: already stored with a different content; an event id "
                                  "must identify one event (use `replaces` for a correction)"}};
            break;
        }
      }
      auto& refusal = std::get<Refusal>(p.decision);
      DeadLetterRecord dead;
      dead.received_at_us = p.msg->received_at_us;
      dead.address = std::string(ChannelName(p.msg->channel));
      dead.event_id = refusal.event_id;
      dead.reasons = JoinReasons(refusal.reasons, "\n");
      dead.body = p.msg->body;
      dead.body_truncated = p.msg->body.size() < p.msg->body_size;
      if (auto s = store_.InsertDeadLetter(dead); !s) return s;
      p.settlement = {Settlement::Kind::kRejected, kInvalidEvent, JoinReasons(refusal.reasons, "; ")};
    }
    for (const Mark& mark : unrecorded_marks_) {
      if (auto s = store_.MarkDelivered(mark.seq, mark.at_us); !s) return s;
    }
    // The cases of newly stored events change in the same transaction as the events.
    std::set<std::string> cases;
    for (const auto& p : pending) {
      const auto* record = std::get_if<EventRecord>(&p.decision);
      if (record && !p.duplicate && p.settlement.kind == Settlement::Kind::kAccepted) {
        cases.insert(record->case_id);
      }
    }
    for (const auto& case_id : cases) {
      if (auto s = UpdateCase(store_, case_id, config_.agreement, now); !s) return s;
    }
    return store_.Commit();
  };

  if (auto s = write(); !s) {
    store_.Rollback();
    spdlog::error("store: transaction not committed ({} inbound messages released to their "
                  "senders, {} delivery records kept for the next one): {}",
                  pending.size(), unrecorded_marks_.size(), s.error());
    for (auto& p : pending) {
      output_.Settle(p.msg->conn_id, p.msg->token, {Settlement::Kind::kReleased, "", ""});
    }
    counters_.released += pending.size();
    // The acceptances stay waiting; the next timed try comes an interval later, not at once (a
    // store that keeps failing must not turn the core into a busy loop).
    if (!unrecorded_marks_.empty()) marks_since_ = std::chrono::steady_clock::now();
    return;
  }
  ++counters_.commits;
  counters_.delivered += unrecorded_marks_.size();
  unrecorded_marks_.clear();
  for (const auto& dest : enqueued) dispatcher_.OnEnqueued(dest);
  for (auto& p : pending) {
    if (p.settlement.kind == Settlement::Kind::kAccepted) {
      const auto& record = std::get<EventRecord>(p.decision);
      if (p.duplicate) {
        ++counters_.duplicates;
        spdlog::info("event {} (case {}): duplicate, already stored; accepted again, not re-delivered",
                     record.event_id, record.case_id);
      } else {
        ++counters_.accepted;
        spdlog::debug("event {} {} (case {}) stored for {} destination(s)", record.event_id,
                      record.kind, record.case_id, record.destinations.size());
      }
    } else {
      ++counters_.rejected;
      const auto& refusal = std::get<Refusal>(p.decision);
      spdlog::warn("rejected message on '{}' (event {}): {}", ChannelName(p.msg->channel),
                   refusal.event_id.empty() ? "-" : refusal.event_id, p.settlement.description);
    }
    output_.Settle(p.msg->conn_id, p.msg->token, std::move(p.settlement));
  }
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
}

}  // namespace slussen
