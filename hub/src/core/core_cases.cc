// The core's part in case tracking: which cases a batch changes, where their events come from
// (the cache, else the store), the per-case bound, and the re-evaluation of due cases.
#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <vector>

#include "core/core.h"
#include "core/pending.h"

namespace slussen {
namespace {
// Due cases re-evaluated per batch: each is a fold and a case row in the batch's transaction, so
// a slice keeps the time inbound events wait behind them short.
constexpr std::size_t kEvaluationSlice = 64;
// Due cases read from the store at a time.
constexpr int kDueFetch = 1024;
// Region Halland's samverkansrutin 2022: a planeringsunderlag that led to the red track is not
// changed, except for SÄBO residents. With red-track-change="refuse" such a change is refused
// here, against the case as stored (the only rejection that depends on a case's state besides
// its size); otherwise it is stored and shown as a deviation (cases/deadlines.h). Only the
// event kinds that can be such a change, and only under an agreement that refuses, pay for the
// fold.
std::optional<std::string> RefusedRedTrackChange(const std::vector<CaseEvent>& events,
                                                 const CaseEvent& next, const Agreement& a) {
  if (!a.planning_tracks || a.red_track_change != Agreement::RedTrackChange::kRefuse) return {};
  if (!next.envelope.has_planeringsunderlag() && !next.envelope.has_cancellation()) return {};
  for (const auto& change : FindRedTrackChanges(events, &next)) {
    if (change.event_id != next.envelope.event_id()) continue;
    return "planeringsunderlag.track: " + change.what +
           " is refused: a planeringsunderlag that led to the red track is not changed, except "
           "for residents of särskilt boende (patient.sarskilt_boende) (" + a.name +
           ", red-track-change=\"refuse\")";
  }
  return {};
}

}  // namespace

void Core::FetchDueCases(std::chrono::system_clock::time_point now) {
  if (!due_cases_.empty()) return;  // still working through the last fetch
  auto due = store_.DueCases(ToMicros(now), kDueFetch);
  if (!due) {
    spdlog::error("store: cannot read the cases due for re-evaluation: {}", due.error());
    timers_.ArmNoLaterThan(TimerId::kCaseEvaluation, now + std::chrono::seconds(1));
    return;
  }
  more_due_ = static_cast<int>(due->size()) == kDueFetch;
  for (auto& id : *due) due_cases_.push_back(std::move(id));
  if (due_cases_.empty()) {
    // Nothing due after all (the cases the timer was armed for were rewritten meanwhile with a
    // later time): arm for the earliest case the store holds, so no case is forgotten.
    ArmCaseEvaluationFromStore(now);
  }
}

void Core::ArmCaseEvaluationFromStore(std::chrono::system_clock::time_point now) {
  ArmFromStore(TimerId::kCaseEvaluation, store_.NextCaseEvaluationAt(), "when cases are next due",
               now);
}

void Core::ArmFromStore(TimerId id, const Result<int64_t>& next_us, std::string_view what,
                        std::chrono::system_clock::time_point now) {
  if (!next_us) {
    spdlog::error("store: cannot read {} (trying again in 1 s): {}", what, next_us.error());
    timers_.ArmNoLaterThan(id, now + std::chrono::seconds(1));
  } else if (*next_us > 0) {
    timers_.ArmNoLaterThan(id, FromMicros(*next_us));
  }
}

Status Core::LoadCases(std::vector<Pending>& pending, WorkingCases& working) {
  std::vector<std::string> wanted;
  cache_admit_.clear();
  auto want = [&](const std::string& case_id) {
    if (working.count(case_id)) return;
    auto& slot = working[case_id];
    if (auto held = cache_.Take(case_id)) {
      slot = std::move(*held);
      cache_admit_.insert(case_id);
    } else {
      wanted.push_back(case_id);
    }
  };
  for (const auto& p : pending) {
    const auto* record = std::get_if<EventRecord>(&p.decision);
    if (record && !p.duplicate) want(record->case_id);
  }
  for (const Mark& m : unrecorded_marks_) {
    if (m.watched) want(m.case_id);
  }
  evaluating_ = 0;
  while (evaluating_ < kEvaluationSlice && !due_cases_.empty()) {
    want(due_cases_.front());
    due_cases_.pop_front();
    ++evaluating_;
  }
  if (!wanted.empty()) {
    auto stored = store_.CaseEvents(wanted);
    if (!stored) return stored.as_error();
    for (const auto& case_id : wanted) {
      auto& rows = (*stored)[case_id];
      // A case whose events all arrive in this batch is not cached yet: most cases get their
      // next event hours later, and a burst of new cases would only push out the ones that
      // come back. From its second batch on, a case stays in memory.
      if (!rows.empty()) cache_admit_.insert(case_id);
      working[case_id] = DecodeCaseEvents(rows);
    }
    if (auto s = AddStoredAcceptances(wanted, working); !s) return s;
  }
  // The batch's new events join their cases, in batch order, up to the per-case bound.
  for (auto& p : pending) {
    const auto* record = std::get_if<EventRecord>(&p.decision);
    if (!record || p.duplicate) continue;
    auto& events = working[record->case_id].events;
    if (events.size() >= config_.max_events_per_case) {
      p.decision = Refusal{record->event_id,
                           {"case_id: the case already holds " + std::to_string(events.size()) +
                            " events, the most one case may hold (max-events-per-case); a case "
                            "with this many messages points to a sender repeating itself"},
                           record->sender_hsa_id, {}};
      continue;
    }
    // Decoded once, by ingest, on the batch's arena: slimmed there, then copied out, so that
    // what the case does not keep is freed with the arena rather than piece by piece.
    SlimForCaseLogic(*p.envelope);
    CaseEvent e;
    e.envelope = *p.envelope;
    e.stored_at = FromMicros(record->received_at_us);
    if (auto refused = RefusedRedTrackChange(events, e, config_.agreement)) {
      p.decision = Refusal{record->event_id, {std::move(*refused)}, record->sender_hsa_id, {}};
      continue;
    }
    events.push_back(std::move(e));
  }
  AddWatchedAcceptances(working);
  return OkStatus();
}

// The cases change in the same transaction as the events that change them.
void Core::AddCaseUpdates(const WorkingCases& working, std::chrono::system_clock::time_point now,
                          WriteBatch& batch) {
  for (const auto& [case_id, events] : working) {
    if (events.events.empty()) continue;  // a due case that is no longer stored
    auto projection = ProjectCase(case_id, events.events, config_.agreement, now, events.notes);
    batch.cases.push_back({std::move(projection.record), std::move(projection.deadlines)});
  }
}

void Core::OnCasesCommitted(WorkingCases& working, const WriteBatch& batch,
                            std::chrono::system_clock::time_point now) {
  for (auto& [case_id, events] : working) {
    if (!events.events.empty() && cache_admit_.count(case_id)) cache_.Put(case_id, std::move(events));
  }
  for (const auto& c : batch.cases) {
    if (c.record.next_evaluation_at_us > 0) {
      timers_.ArmNoLaterThan(TimerId::kCaseEvaluation, FromMicros(c.record.next_evaluation_at_us));
    }
  }
  cases_evaluated_by_timer_ += evaluating_;
  if (!due_cases_.empty() || more_due_) {
    // More due cases wait: the next slice in the next round, after whatever else has arrived.
    timers_.Arm(TimerId::kCaseEvaluation, now);
  } else if (evaluating_ > 0) {
    // The last slice: the rewritten cases moved on, so the store's earliest is the next one.
    ArmCaseEvaluationFromStore(now);
  }
  evaluating_ = 0;
}

}  // namespace slussen
