// Core, the batch's transaction: each inbound event classified against the stored ones (new,
// duplicate, or an id reused for other content), and everything the batch changes assembled
// into one WriteBatch (core.h).
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/core.h"
#include "core/pending.h"

namespace slussen {
namespace {

std::string JoinReasons(const std::vector<std::string>& reasons, const char* sep) {
  std::string out;
  for (const auto& r : reasons) {
    if (!out.empty()) out += sep;
    out += r;
  }
  return out;
}
}  // namespace

Status Core::Classify(std::vector<Pending>& pending) {
  std::vector<std::string> ids;
  for (const auto& p : pending) {
    if (const auto* record = std::get_if<EventRecord>(&p.decision)) ids.push_back(record->event_id);
  }
  auto stored = store_.StoredBodies(ids);
  if (!stored) return stored.as_error();
  // The bodies known so far: stored ones, then the batch's own new events as they are met (the
  // same event twice in one batch is a duplicate of the first).
  std::unordered_map<std::string_view, const std::string*> known;
  known.reserve(stored->size() + ids.size());
  for (const auto& [id, body] : *stored) known.emplace(id, &body);
  for (auto& p : pending) {
    const auto* record = std::get_if<EventRecord>(&p.decision);
    if (!record) continue;
    auto [it, is_new] = known.emplace(record->event_id, &record->body);
    if (is_new) {
      p.settlement = {Settlement::Kind::kAccepted, "", ""};
    } else if (*it->second == record->body) {
      p.settlement = {Settlement::Kind::kAccepted, "", ""};
      p.duplicate = true;
    } else {
      p.decision = Refusal{record->event_id,
                           {"event_id: already stored with a different content; an event id "
                            "must identify one event (use `replaces` for a correction)"},
                           record->sender_hsa_id, {}};
    }
  }
  return OkStatus();
}

Result<WriteBatch> Core::BuildWrite(std::vector<Pending>& pending,
                                    std::chrono::system_clock::time_point now,
                                    WorkingCases& working) {
  if (auto s = Classify(pending); !s) return s.as_error();
  // The audit log first: no batch is written without the records of what it discloses, and the
  // new events' patient keys need its secret.
  if (auto s = LoadAudit(); !s) return s.as_error();
  SetPatientKeys(pending);
  WriteBatch batch;
  CollectReceipts(pending, batch);  // before LoadCases slims the decoded envelopes
  if (auto s = LoadCases(pending, working); !s) return s.as_error();
  // A Receipt that LoadCases refused (its case is full) is not stored, so it proves nothing.
  if (!batch.receipts.empty()) {
    std::unordered_set<std::string_view> stored;
    for (const auto& p : pending) {
      if (const auto* record = std::get_if<EventRecord>(&p.decision)) stored.insert(record->event_id);
    }
    std::erase_if(batch.receipts,
                  [&](const ReceiptMark& r) { return !stored.count(r.receipt_event_id); });
  }
  for (auto& p : pending) {
    if (auto* record = std::get_if<EventRecord>(&p.decision)) {
      if (!p.duplicate) {
        // The body moves into the batch (classify and the cases have read it); what stays in
        // the record is what the settlement and the log need.
        std::string body = std::move(record->body);
        batch.events.push_back(*record);
        batch.events.back().body = std::move(body);
      }
      continue;
    }
    const auto& refusal = std::get<Refusal>(p.decision);
    DeadLetterRecord dead;
    dead.received_at_us = p.msg->received_at_us;
    dead.address = std::string(ChannelName(p.msg->channel));
    dead.event_id = refusal.event_id;
    dead.reasons = JoinReasons(refusal.reasons, "\n");
    dead.sender = refusal.sender_hsa_id;
    dead.reason_key = refusal.reasons.empty() ? "other" : RejectionReasonKey(refusal.reasons.front());
    dead.body = p.msg->body;
    dead.body_truncated = p.msg->body.size() < p.msg->body_size;
    batch.dead_letters.push_back(std::move(dead));
    p.settlement = {Settlement::Kind::kRejected, refusal.condition, JoinReasons(refusal.reasons, "; ")};
  }
  for (const Mark& mark : unrecorded_marks_) batch.delivered.push_back({mark.seq, mark.at_us});
  batch.failed_attempts = unrecorded_failures_;
  AddCaseUpdates(working, now, batch);
  SetReceiptDues(batch);
  batch.receipt_timeouts = receipt_timeouts_;
  for (const auto& c : commands_) {
    if (!c.audit.empty()) continue;  // a read or an extract: audit rows, no action on delivery
    batch.actions.push_back(c.record);
    batch.actions.insert(batch.actions.end(), c.also.begin(), c.also.end());
  }
  if (auto s = AddAuditRows(batch); !s) return s.as_error();
  return batch;
}

}  // namespace slussen
