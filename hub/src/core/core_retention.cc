// Retention (hub/DESIGN.md "Audit log and retention"): case data of cases closed longer ago than
// <retention cases>, dead letters as old, and the audit log's rows older than <retention audit>
// are purged by the core in small batches, each a transaction of its own between group commits,
// each recorded on the audit log in that same transaction. The audit log is purged from its
// start, and the last purged row becomes the anchor the chain is verified from.
#include <spdlog/spdlog.h>

#include "audit/audit_chain.h"
#include "core/core.h"

namespace slussen {
namespace {

// Per batch: at most this many cases (each a handful of small deletes per table) and dead
// letters, and 20 times as many audit rows (one range delete). A batch stays a few milliseconds.
constexpr int kPurgeBatch = 20;
constexpr auto kRetentionCheck = std::chrono::hours(1);

std::string Days(std::chrono::seconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::hours>(d).count() / 24) + "d";
}

}  // namespace

void Core::ArmRetention(std::chrono::system_clock::time_point at) {
  if (config_.audit.retain_cases.count() == 0 && config_.audit.retain_audit.count() == 0) return;
  timers_.Arm(TimerId::kRetention, at);
}

void Core::PurgeBatch(std::chrono::system_clock::time_point now) {
  const auto& a = config_.audit;
  if (store_.latched()) return;  // nothing can be written; a restart re-arms it
  if (auto s = LoadAudit(); !s) return ArmRetention(now + std::chrono::minutes(1));
  const int64_t cases_before = a.retain_cases.count() ? ToMicros(now - a.retain_cases) : 0;
  const int64_t audit_before = a.retain_audit.count() ? ToMicros(now - a.retain_audit) : 0;
  auto work = store_.RetentionDue(cases_before, audit_before, kPurgeBatch);
  if (!work) {
    spdlog::error("retention: cannot read what is due: {}", work.error());
    return ArmRetention(now + std::chrono::minutes(1));
  }
  if (work->empty()) return ArmRetention(now + kRetentionCheck);
  WriteBatch batch;
  batch.purge = *work;
  AuditRecord row;
  row.at_us = ToMicros(now);
  row.actor_kind = "hub";
  row.actor = "hub";
  row.organisation = config_.hub_name;
  row.action = "purge";
  for (const auto& case_id : work->cases) {
    row.case_id = case_id;
    row.what = "case data (retention cases=" + Days(a.retain_cases) + ")";
    batch.audit.push_back(row);
  }
  row.case_id.clear();
  if (!work->dead_letters.empty()) {
    row.what = std::to_string(work->dead_letters.size()) + " dead letter(s) (retention cases=" +
               Days(a.retain_cases) + ")";
    batch.audit.push_back(row);
  }
  if (work->audit_through) {
    row.what = "audit rows " + std::to_string(work->first_audit_seq) + " to " +
               std::to_string(work->audit_through->seq) + " (retention audit=" +
               Days(a.retain_audit) + ")";
    row.ref = AuditAnchorRef(*work->audit_through);
    batch.audit.push_back(row);
  }
  const AuditHead head = SealAuditRows(audit_head_, batch.audit);
  if (auto s = store_.Write(batch); !s) {
    spdlog::error("retention: purge not committed: {}", s.error());
    return ArmRetention(now + std::chrono::minutes(1));
  }
  audit_head_ = head;
  for (const auto& case_id : work->cases) cache_.Take(case_id);  // the cache holds only what is stored
  spdlog::info("retention: purged {} case(s), {} dead letter(s), {} audit row(s)",
               work->cases.size(), work->dead_letters.size(),
               work->audit_through ? work->audit_through->seq - work->first_audit_seq + 1 : 0);
  // A full batch: more is probably due; the next one after the next group commit.
  ArmRetention(now);
}

}  // namespace slussen
