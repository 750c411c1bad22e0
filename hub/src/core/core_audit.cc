// The audit log's side of the core (hub/DESIGN.md "Audit log and retention"): every disclosure
// of patient data becomes a row in the same transaction as the act, sealed here with the chain's
// head kept in memory, so the store only appends (one INSERT per row).
#include <spdlog/spdlog.h>

#include <set>
#include <unordered_map>
#include <unordered_set>

#include "audit/audit_chain.h"
#include "audit/patient_key.h"
#include "common/kommuner.h"
#include "core/core.h"
#include "core/pending.h"
#include "slussen/v1/events.pb.h"

namespace slussen {

Status Core::LoadAudit() {
  if (audit_loaded_) return OkStatus();
  std::string secret = config_.audit.patient_key_secret;
  if (secret.empty()) {
    auto made = MakeAuditSecret();
    if (!made) return made.as_error();
    auto kept = store_.AuditKey(*made);
    if (!kept) return kept.as_error();
    secret = std::move(*kept);
  }
  auto head = store_.LastAuditRow();
  if (!head) return head.as_error();
  auto unsealed = store_.UnsealedAuditRows();
  if (!unsealed) return unsealed.as_error();
  audit_secret_ = std::move(secret);
  if (!unsealed->empty()) {
    // The reads recorded before the audit log (schema v8), copied unsealed by the migration:
    // they become the chain's first rows, each with its case's patient.
    std::vector<std::string> cases;
    for (const auto& row : *unsealed) cases.push_back(row.case_id);
    auto bodies = store_.FirstBodies(cases);
    if (!bodies) return bodies.as_error();
    for (auto& row : *unsealed) {
      if (auto it = bodies->find(row.case_id); it != bodies->end()) {
        row.patient_key = PatientKeyOfBody(it->second);
      }
    }
    WriteBatch batch;
    batch.audit_sealed = std::move(*unsealed);
    *head = SealAuditRows(*head, batch.audit_sealed);
    if (auto s = store_.Write(batch); !s) return s;
    spdlog::info("audit log: {} read(s) recorded before it joined the chain", batch.audit_sealed.size());
  }
  audit_head_ = audit_batch_head_ = *head;
  audit_loaded_ = true;
  // The head, where the chain alone cannot keep it: a log cut after this point shows as a head
  // lower than one logged before (slussenctl audit verify --head).
  spdlog::info("audit log head: seq {} hash {}", audit_head_.seq, audit_head_.hash);
  return OkStatus();
}

std::string Core::PatientKeyOfBody(const std::string& body) const {
  v1::Envelope env;
  if (!env.ParseFromString(body)) return {};
  return PatientKeyOf(audit_secret_, env.patient().identity());
}

const std::string& Core::OrganisationOf(const std::string& destination) {
  auto known = organisations_.find(destination);
  if (known != organisations_.end()) return known->second;
  std::string name;
  for (const auto& k : config_.kommuner) {
    if (k.destination == destination || k.off_hours_destination == destination) {
      name = k.name;
      if (const KommunEntry* scb = name.empty() ? FindKommunEntry(k.kod) : nullptr) name = scb->name;
      name += " (kommun " + k.kod + ")";
      break;
    }
  }
  if (name.empty()) {
    for (const auto& v : config_.vardcentraler) {
      if (v.destination == destination) {
        name = v.name + " (HSA-id " + v.hsa_id + ")";
        break;
      }
    }
  }
  if (name.empty()) {
    for (const auto& d : config_.destinations) {
      if (d.id == destination) {
        name = d.name;
        break;
      }
    }
  }
  return organisations_.emplace(destination, std::move(name)).first->second;
}

AuditRecord Core::OperatorAuditRow(const OperatorCommand& cmd, int64_t at_us) const {
  AuditRecord row;
  row.at_us = at_us;
  row.actor_kind = "operator";
  row.actor = cmd.operator_id;
  row.organisation = config_.hub_name;  // operators work for the organisation that runs the hub
  return row;
}

Result<std::vector<AuditRecord>> Core::ReadAuditRows(const OperatorCommand& cmd, int64_t at_us) {
  if (auto s = LoadAudit(); !s) return s.as_error();
  // Every event of a case names its patient: the first one's is read, not the whole case (a
  // deviation report discloses hundreds of cases at once, read on the core's thread).
  auto bodies = store_.FirstBodies(cmd.case_ids);
  if (!bodies) return bodies.as_error();
  std::vector<AuditRecord> rows;
  for (const auto& case_id : cmd.case_ids) {
    AuditRecord row = OperatorAuditRow(cmd, at_us);
    row.action = "read";
    row.case_id = case_id;
    row.what = cmd.reason;
    if (auto it = bodies->find(case_id); it != bodies->end()) {
      row.patient_key = PatientKeyOfBody(it->second);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void Core::SetPatientKeys(std::vector<Pending>& pending) const {
  if (!audit_loaded_) return;
  for (auto& p : pending) {
    auto* record = std::get_if<EventRecord>(&p.decision);
    if (record && !p.duplicate) {
      record->patient_key = PatientKeyOf(audit_secret_, p.envelope->patient().identity());
    }
  }
}

Status Core::AddAuditRows(WriteBatch& batch) {
  if (auto s = LoadAudit(); !s) return s;
  // A receiver's first acceptance of a row discloses the event to it; a second acceptance (the
  // row was already recorded delivered) discloses nothing new. A row the dispatcher handed out
  // was pending when it read it, so its acceptance is the first: its row is made from what the
  // dispatcher kept. Others (an acceptance the dispatcher no longer knew, an event stored before
  // its patient key was) are looked up in the store.
  const auto disclosure = [&](int64_t at_us, const std::string& destination,
                              const std::string& case_id, std::string patient_key,
                              const std::string& kind, const std::string& event_id) {
    AuditRecord row;
    row.at_us = at_us;
    row.actor_kind = "receiver";
    row.actor = destination;
    row.organisation = OrganisationOf(destination);
    row.action = destination == config_.audit.letter_destination ? "letter" : "delivered";
    row.case_id = case_id;
    row.patient_key = std::move(patient_key);
    row.what = kind;
    row.ref = event_id;
    batch.audit.push_back(std::move(row));
  };
  std::vector<int64_t> lookup;
  std::unordered_set<int64_t> seen;
  std::unordered_map<int64_t, int64_t> at;  // of the looked-up rows
  for (const Mark& m : unrecorded_marks_) {
    if (!seen.insert(m.seq).second) continue;
    if (!m.destination.empty() && !m.patient_key.empty()) {
      disclosure(m.at_us, m.destination, m.case_id, m.patient_key, m.kind, m.event_id);
    } else {
      lookup.push_back(m.seq);
      at.emplace(m.seq, m.at_us);
    }
  }
  if (!lookup.empty()) {
    auto rows = store_.Disclosures(lookup);
    if (!rows) return rows.as_error();
    for (const auto& d : *rows) {
      if (d.delivered) continue;
      disclosure(at[d.seq], d.destination, d.case_id, PatientKeyOfBody(d.body), d.kind,
                 d.event_id);
    }
  }
  for (const auto& c : commands_) batch.audit.insert(batch.audit.end(), c.audit.begin(), c.audit.end());
  audit_batch_head_ = SealAuditRows(audit_head_, batch.audit);
  return OkStatus();
}

}  // namespace slussen
