// The core's part in receipts (hub/DESIGN.md "Receipts and fallback"): when each delivery's
// Receipt is due, matching Receipts as they are stored, and the fallback when one is not.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "common/time_format.h"
#include "core/core.h"
#include "core/pending.h"
#include "delivery/maintenance_window.h"

namespace slussen {
namespace {
// Rows whose receipt fell due read from the store at a time (each is a row update, and with a
// fallback an outbox row, in the next transaction).
constexpr int kDueReceiptsFetch = 256;
}  // namespace

void Core::CollectReceipts(const std::vector<Pending>& pending, WriteBatch& batch) {
  for (const auto& p : pending) {
    const auto* record = std::get_if<EventRecord>(&p.decision);
    if (!record || p.duplicate || !p.envelope->has_receipt()) continue;
    const auto& receipt = p.envelope->receipt();
    // Matched by event id and receiving system both: a receipt names what it acknowledges, and
    // never settles another destination's delivery of the same event.
    batch.receipts.push_back({receipt.acknowledged_event_id(), receipt.receiving_system(),
                              record->received_at_us, record->event_id});
  }
}

void Core::SetReceiptDues(WriteBatch& batch) {
  // The batch's case updates by case, read only for events bound for a destination that awaits
  // receipts (none, in a config without receipt timeouts).
  std::unordered_map<std::string_view, const CaseUpdate*> cases;
  for (auto& e : batch.events) {
    const bool awaits = std::any_of(e.destinations.begin(), e.destinations.end(), [&](auto& d) {
      return config_.PolicyFor(d).receipt.timeout.count() > 0;
    });
    if (!awaits) continue;
    if (cases.empty()) {
      for (const auto& c : batch.cases) cases.emplace(c.record.case_id, &c);
    }
    std::optional<int64_t> deadline;  // the case's earliest deadline still open after this event
    if (auto c = cases.find(e.case_id); c != cases.end()) {
      for (const auto& d : c->second->deadlines) {
        if (d.met_at_us == 0 && d.due_at_us > e.received_at_us &&
            (!deadline || d.due_at_us < *deadline)) {
          deadline = d.due_at_us;
        }
      }
    }
    e.receipt_due_at_us.assign(e.destinations.size(), 0);
    for (std::size_t i = 0; i < e.destinations.size(); ++i) {
      const ReceiptPolicy& policy = config_.PolicyFor(e.destinations[i]).receipt;
      if (policy.timeout.count() <= 0) continue;
      int64_t due = e.received_at_us +
                    std::chrono::duration_cast<std::chrono::microseconds>(policy.timeout).count();
      if (deadline) {
        // With less than the margin left, the fallback goes at once: waiting for a receipt
        // could cost the deadline.
        const int64_t by_deadline =
            *deadline -
            std::chrono::duration_cast<std::chrono::microseconds>(policy.deadline_margin).count();
        due = std::max(e.received_at_us, std::min(due, by_deadline));
      }
      e.receipt_due_at_us[i] = due;
      timers_.ArmNoLaterThan(TimerId::kReceiptDue, FromMicros(due));
    }
  }
}

void Core::FetchDueReceipts(std::chrono::system_clock::time_point now) {
  if (!receipt_timeouts_.empty()) return;  // the last fetch is not written yet
  auto due = store_.DueReceipts(ToMicros(now), kDueReceiptsFetch);
  if (!due) {
    spdlog::error("store: cannot read the receipts due (trying again in 1 s): {}", due.error());
    timers_.ArmNoLaterThan(TimerId::kReceiptDue, now + std::chrono::seconds(1));
    return;
  }
  for (const auto& row : *due) {
    const DeliveryPolicy& policy = config_.PolicyFor(row.destination);
    ReceiptTimeout t;
    t.seq = row.seq;
    t.destination = row.destination;
    t.at_us = ToMicros(now);
    t.event_id = row.event_id;
    t.case_id = row.case_id;
    if (auto window = ActiveWindow(policy.windows, now);
        window && policy.receipt.during_window == ReceiptPolicy::DuringWindow::kExtend) {
      // The receiver's system is down by announcement: its receipt cannot come before the
      // window ends, so the wait goes on until then.
      t.postpone_to_us = ToMicros(window->end);
      spdlog::info("receipt of event {} from {} due during maintenance window '{}': waiting until "
                   "it ends at {}",
                   row.event_id, row.destination, window->name, FormatStockholmTime(window->end));
    } else {
      t.fallback_to = policy.receipt.fallback;
      t.cause = "no receipt from " + row.destination + " by " +
                FormatStockholmTime(FromMicros(row.due_at_us));
      if (t.fallback_to.empty()) {
        spdlog::warn("event {}: {} (no fallback configured for it)", row.event_id, t.cause);
      } else {
        spdlog::warn("event {}: {}; sent to {} as fallback", row.event_id, t.cause,
                     t.fallback_to);
      }
    }
    receipt_timeouts_.push_back(std::move(t));
  }
  more_receipts_due_ = static_cast<int>(due->size()) == kDueReceiptsFetch;
  if (receipt_timeouts_.empty()) ArmReceiptTimerFromStore(now);
}

void Core::ArmReceiptTimerFromStore(std::chrono::system_clock::time_point now) {
  ArmFromStore(TimerId::kReceiptDue, store_.NextReceiptDueAt(), "when receipts are next due", now);
}

void Core::OnReceiptsCommitted(const WriteBatch& batch, std::chrono::system_clock::time_point now) {
  // The fallbacks' new rows are the dispatcher's once the batch is durable (HoldUntilDurable).
  if (batch.receipt_timeouts.empty()) return;
  receipt_timeouts_.clear();
  if (more_receipts_due_) {
    timers_.Arm(TimerId::kReceiptDue, now);
  } else {
    ArmReceiptTimerFromStore(now);
  }
}

}  // namespace slussen
