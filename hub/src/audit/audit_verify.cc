#include "audit/audit_verify.h"

#include "audit/audit_chain.h"

namespace slussen {
namespace {

constexpr int kPage = 2000;

AuditVerdict Bad(const AuditVerdict& so_far, int64_t seq, std::string problem) {
  AuditVerdict v = so_far;
  v.ok = false;
  v.bad_seq = seq;
  v.problem = std::move(problem);
  return v;
}

}  // namespace

Result<AuditVerdict> VerifyAuditChain(const AuditHead& anchor, const AuditSource& source,
                                      const std::optional<AuditHead>& expected_head) {
  AuditVerdict v;
  v.head = anchor;
  if (anchor.seq == 0 && anchor.hash != AuditGenesisHash()) {
    return Bad(v, 1, "the anchor at seq 0 is not the genesis hash: the log's start was changed");
  }
  const std::string anchor_ref = AuditAnchorRef(anchor);
  bool anchor_named = anchor.seq == 0;
  while (true) {
    auto page = source.rows_after(v.head.seq, kPage);
    if (!page) return page.as_error();
    for (const auto& row : *page) {
      const int64_t want = v.head.seq + 1;
      const std::string n = std::to_string(want);
      if (row.seq != want) {
        return Bad(v, want,
                   row.seq == want + 1
                       ? "row " + n + " was removed (the chain goes from " +
                             std::to_string(v.head.seq) + " to " + std::to_string(row.seq) + ")"
                       : "rows " + n + " to " + std::to_string(row.seq - 1) +
                             " were removed (the chain goes from " + std::to_string(v.head.seq) +
                             " to " + std::to_string(row.seq) + ")");
      }
      if (row.prev_hash != v.head.hash) {
        auto follower = source.row_after_hash(v.head.hash);
        if (!follower) return follower.as_error();
        if (*follower && **follower != row.seq) {
          return Bad(v, want,
                     "row " + n + " is out of order: the row that follows " +
                         std::to_string(v.head.seq) + " is at " + std::to_string(**follower) +
                         " (rows were reordered)");
        }
        if (AuditHash(row) != row.hash) {
          return Bad(v, want,
                     "row " + n + " does not follow row " + std::to_string(v.head.seq) +
                         " and its columns do not give its hash: it was changed, or a row "
                         "before it removed and the rest renumbered");
        }
        return Bad(v, want,
                   "row " + n + " does not follow row " + std::to_string(v.head.seq) +
                       ": the row between them was removed and the rest renumbered, or the "
                       "rows before were changed");
      }
      if (AuditHash(row) != row.hash) {
        return Bad(v, want, "row " + n + " was changed: its columns do not give its hash");
      }
      if (expected_head && row.seq == expected_head->seq && row.hash != expected_head->hash) {
        return Bad(v, want,
                   "row " + n + " is not the head recorded elsewhere (a different hash): the log "
                   "from there on was rewritten");
      }
      v.head = {row.seq, row.hash};
      ++v.rows;
      anchor_named = anchor_named || (row.action == "purge" && row.ref == anchor_ref);
    }
    if (static_cast<int>(page->size()) < kPage) break;
  }
  if (!anchor_named) {
    return Bad(v, anchor.seq,
               "the chain starts after row " + std::to_string(anchor.seq) +
                   " but no purge row names that anchor: rows before it were removed");
  }
  if (expected_head) {
    if (v.head.seq < expected_head->seq) {
      const std::string first = std::to_string(v.head.seq + 1);
      const std::string last = std::to_string(expected_head->seq);
      const std::string cut =
          first == last ? "row " + first + " was" : "rows " + first + " to " + last + " were";
      return Bad(v, v.head.seq + 1,
                 "the log ends at " + std::to_string(v.head.seq) + " but its head was " + last +
                     ": " + cut + " cut off");
    }
  }
  return v;
}

}  // namespace slussen
