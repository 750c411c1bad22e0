// Operators' actions on delivery (hub/DESIGN.md "Operator actions"): checked against the store,
// written with who and why in the next transaction, applied to the dispatcher once durable, and
// answered then.
#include <spdlog/spdlog.h>

#include "common/log_safe.h"
#include "core/core.h"

namespace slussen {
namespace {

std::string_view ActionName(OperatorCommand::Action a) {
  switch (a) {
    case OperatorCommand::Action::kRetryDead: return "retry-dead";
    case OperatorCommand::Action::kReroute: return "reroute";
    case OperatorCommand::Action::kMarkDelivered: return "mark-delivered";
    case OperatorCommand::Action::kPause: return "pause";
    case OperatorCommand::Action::kResume: return "resume";
    case OperatorCommand::Action::kRecordRead: return "read";
    case OperatorCommand::Action::kRecordExtract: return "loggutdrag";
  }
  return "unknown";
}

}  // namespace

void Core::AcceptCommand(OperatorCommand cmd, std::chrono::system_clock::time_point now) {
  auto refuse = [&](const std::string& why, ErrorCode code) {
    if (cmd.done) cmd.done(Error{std::string(ActionName(cmd.action)) + ": " + why, code});
  };
  if (cmd.operator_id.empty() || cmd.reason.empty()) {
    return refuse("who and why are required (operator and reason)", ErrorCode::kInvalidArgument);
  }
  if (store_.latched()) {
    return refuse("the store is latched: " + store_.latched_reason(), ErrorCode::kFailedPrecondition);
  }
  OperatorActionRecord record;
  record.action = std::string(ActionName(cmd.action));
  record.at_us = ToMicros(now);
  record.operator_id = cmd.operator_id;
  record.reason = cmd.reason;
  using Action = OperatorCommand::Action;
  switch (cmd.action) {
    case Action::kRetryDead:
    case Action::kMarkDelivered: {
      auto row = store_.OutboxRow(cmd.seq);
      if (!row) return refuse(row.error(), row.code());
      if (!*row) return refuse("no delivery " + std::to_string(cmd.seq), ErrorCode::kNotFound);
      if ((*row)->delivered_at_us) {
        return refuse("delivery " + std::to_string(cmd.seq) + " is already delivered",
                      ErrorCode::kFailedPrecondition);
      }
      if (cmd.action == Action::kRetryDead && !(*row)->dead_at_us) {
        return refuse("delivery " + std::to_string(cmd.seq) + " is not dead",
                      ErrorCode::kFailedPrecondition);
      }
      record.seq = cmd.seq;
      record.destination = (*row)->destination;
      record.event_id = (*row)->event_id;
      record.case_id = (*row)->case_id;
      break;
    }
    case Action::kReroute: {
      if (!config_.IsDestination(cmd.destination)) {
        return refuse("no destination '" + cmd.destination + "' in the configuration",
                      ErrorCode::kInvalidArgument);
      }
      auto case_id = store_.CaseOfEvent(cmd.event_id);
      if (!case_id) return refuse(case_id.error(), case_id.code());
      if (!*case_id) return refuse("no event " + cmd.event_id, ErrorCode::kNotFound);
      record.destination = cmd.destination;
      record.event_id = cmd.event_id;
      record.case_id = **case_id;
      break;
    }
    case Action::kRecordRead: {
      if (cmd.case_ids.empty()) return refuse("which cases were read", ErrorCode::kInvalidArgument);
      auto audit = ReadAuditRows(cmd, record.at_us);
      if (!audit) return refuse(audit.error(), audit.code());
      record.case_id = cmd.case_ids.front();
      std::vector<OperatorActionRecord> also(cmd.case_ids.size() - 1, record);
      commands_.push_back({std::move(cmd), std::move(record), std::move(also), std::move(*audit)});
      return;
    }
    case Action::kRecordExtract: {
      if (cmd.patient_key.empty()) {
        return refuse("whose extract (a patient key)", ErrorCode::kInvalidArgument);
      }
      AuditRecord row = OperatorAuditRow(cmd, record.at_us);
      row.action = "loggutdrag";
      row.patient_key = cmd.patient_key;
      row.what = cmd.reason;
      commands_.push_back({std::move(cmd), std::move(record), {}, {std::move(row)}});
      return;
    }
    case Action::kPause:
    case Action::kResume:
      if (!config_.IsDestination(cmd.destination)) {
        return refuse("no destination '" + cmd.destination + "' in the configuration",
                      ErrorCode::kInvalidArgument);
      }
      record.destination = cmd.destination;
      break;
  }
  commands_.push_back({std::move(cmd), std::move(record), {}, {}});
}

void Core::OnCommandsDone(const Status& written) { FinishCommands(commands_, written); }

void Core::FinishCommands(std::vector<AcceptedCommand>& commands, const Status& written) {
  for (auto& [cmd, record, also, audit] : commands) {
    if (written) {
      using Action = OperatorCommand::Action;
      switch (cmd.action) {
        case Action::kRetryDead:
          dispatcher_.Revive(record.seq, record.destination, record.case_id);
          break;
        case Action::kMarkDelivered:
          dispatcher_.Forget(record.seq);
          break;
        case Action::kReroute:
          dispatcher_.OnEnqueued(record.destination);
          break;
        case Action::kPause:
        case Action::kResume:
          dispatcher_.SetPaused(record.destination, cmd.action == Action::kPause);
          break;
        case Action::kRecordRead:
          if (also.empty()) {
            spdlog::info("operator {} read {} of case {}", LogSafe(record.operator_id),
                         record.reason, LogSafe(record.case_id));
          } else {
            spdlog::info("operator {} read {} of {} cases", LogSafe(record.operator_id),
                         record.reason, also.size() + 1);
          }
          if (cmd.done) cmd.done(written);
          continue;
        case Action::kRecordExtract:
          // Whose extract is the auditor's business and in the audit log, not in the hub's log.
          spdlog::info("auditor {} took a patient's access-log extract",
                       LogSafe(record.operator_id));
          if (cmd.done) cmd.done(written);
          continue;
      }
      // Who and what, not why: the reason is the operator's free text (it is in the store).
      spdlog::info("operator {}: {} {}{}{}", LogSafe(record.operator_id), record.action,
                   record.destination,
                   record.seq ? " delivery " + std::to_string(record.seq) : std::string(),
                   record.event_id.empty() ? std::string() : " event " + record.event_id);
    }
    if (cmd.done) cmd.done(written);
  }
  commands.clear();
}

void Core::RestorePausedDestinations() {
  auto paused = store_.PausedDestinations();
  if (!paused) {
    spdlog::error("store: cannot read the paused destinations: {}", paused.error());
    return;
  }
  for (const auto& destination : *paused) {
    dispatcher_.SetPaused(destination, true);
    spdlog::warn("delivery to {} is paused by an operator (since before the restart)", destination);
  }
}

}  // namespace slussen
