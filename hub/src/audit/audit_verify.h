#pragma once
// Walks the audit log's chain from its anchor and names the first row that is not what the chain
// says it must be (hub/DESIGN.md "Audit log and retention"): a changed row (its columns do not
// give its hash), a removed one (a gap in seq, or a row whose prev_hash is no row's hash), rows
// out of order (the row that follows seq n is somewhere else). What the chain alone cannot show is
// a cut tail: compare the head it ends at with one kept elsewhere (`expected_head`).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/audit_record.h"
#include "common/result.h"

namespace slussen {

struct AuditVerdict {
  bool ok = true;
  int64_t rows = 0;      // rows checked
  AuditHead head;        // the last good row (the anchor if none)
  int64_t bad_seq = 0;   // the first bad row's place (not ok only)
  std::string problem;   // what is wrong with it, for a person
};

struct AuditSource {
  // Rows with seq > after_seq, by seq, at most `limit` (fewer: the end).
  std::function<Result<std::vector<AuditRecord>>(int64_t after_seq, int limit)> rows_after;
  // The seq of a row whose prev_hash is `hash`, if there is one (to tell a reordering from a
  // removal); asked only once a link is found broken.
  std::function<Result<std::optional<int64_t>>(const std::string& hash)> row_after_hash;
};

// `anchor`: where the chain starts (seq 0 and AuditGenesisHash() in a store never purged; the last
// purged row after a purge, which a later `purge` row must name: AuditAnchorRef). `expected_head`, if given, is a head recorded elsewhere: the chain
// must reach it with that hash, and a chain that ends before it was cut.
Result<AuditVerdict> VerifyAuditChain(const AuditHead& anchor, const AuditSource& source,
                                      const std::optional<AuditHead>& expected_head = {});

}  // namespace slussen
