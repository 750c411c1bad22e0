#pragma once
// The audit log's hash chain (hub/DESIGN.md "Audit log and retention"). Each row's hash is
// SHA-256 over a canonical encoding of the row: every column but the hash, prev_hash included,
// each as an 8-byte big-endian length and its bytes, in a fixed order, so that no two different
// rows encode alike (a column cannot borrow bytes from its neighbour). A row's prev_hash is the
// hash of the row before, so changing, removing or reordering a row breaks the chain at that row.
#include <string>
#include <vector>

#include "api/audit_record.h"

namespace slussen {

// The hash the chain starts from in a new store (no row before the first): 64 zeros.
std::string AuditGenesisHash();

// The canonical encoding of `row` (everything but row.hash).
std::string AuditEncoding(const AuditRecord& row);

// Hex SHA-256 of AuditEncoding(row).
std::string AuditHash(const AuditRecord& row);

// What a purge row's `ref` says of the anchor it set ("anchor N:HASH"): verification checks that
// an anchor other than the genesis is named by such a row, so that removing the chain's first rows
// and moving the anchor by hand is not taken for a purge.
std::string AuditAnchorRef(const AuditHead& anchor);

// Gives `rows` their place after `head`: consecutive seqs, each prev_hash the hash of the row
// before, and their hashes. Returns the new head (`head` itself if `rows` is empty).
AuditHead SealAuditRows(const AuditHead& head, std::vector<AuditRecord>& rows);

}  // namespace slussen
