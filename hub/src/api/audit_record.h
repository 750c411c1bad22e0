#pragma once
// One row of the audit log (hub/DESIGN.md "Audit log and retention"): a disclosure of patient
// data, or an act on the log itself, chained to the row before by its hash. A plain value shared
// by the core (which builds and seals rows), the store (which appends them in the same transaction
// as the act) and the tools that verify the chain or extract a patient's rows.
#include <cstdint>
#include <string>

namespace slussen {

struct AuditRecord {
  int64_t seq = 0;           // dense from 1: the row's place in the chain
  int64_t at_us = 0;
  std::string actor_kind;    // receiver, operator, hub
  std::string actor;         // the destination id, the operator's name, or "hub"
  std::string organisation;  // the receiving organisation and unit as configured ("Halmstad (kommun 1380)")
  std::string action;        // delivered, letter, read, loggutdrag, purge
  std::string case_id;
  std::string patient_key;   // hex HMAC-SHA256 of the patient's identity (audit/patient_key.h)
  std::string what;          // what was disclosed: the event kind, or what was read
  std::string ref;           // the event id of a delivery; what a purge covered
  std::string prev_hash;     // hex SHA-256 of the row before (the anchor for the first row)
  std::string hash;          // hex SHA-256 over prev_hash and every other column (audit_chain.h)
};

// The last row of the chain (or the anchor it starts from): its seq and hash.
struct AuditHead {
  int64_t seq = 0;
  std::string hash;
};

}  // namespace slussen
