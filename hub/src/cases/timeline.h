#pragma once
// A timeline of events for the simulator and tests: JSON Lines, one slussen.v1.Envelope per line
// in the protobuf JSON mapping (lowerCamelCase or proto field names, Timestamps as RFC 3339), e.g.
//
//   {"eventId": "…", "caseId": {"careUnitHsaId": "…", "episodeId": "…"},
//    "occurredAt": "2026-03-26T12:05:00+01:00", "schemaVersion": 1, "utskrivningsklar": {…}}
//
// Each line may carry one extra top-level key, "stored_at" (RFC 3339): when the hub stored the
// event, which is what the "sent" rules count from. Without it stored_at = occurred_at. Another,
// "kommun_delivered_at" (RFC 3339), is when the kommun's system accepted it (CaseEvent; what an
// agreement with notice-times notified="delivered" counts from). Blank
// lines and lines whose first non-blank character is '#' are skipped.
//
// Errors: every problem, one per line, each "<path>:<line>: <message>" (the JSON or protobuf
// parser's own message where it is theirs); an unreadable file gives "<path>: cannot read: …".
// Checked beyond the parsers: event_id, case_id (both parts) and occurred_at present, event ids
// unique within the file.
#include <string>
#include <vector>

#include "cases/case_state.h"
#include "common/result.h"

namespace slussen {

// `line_numbers`, if given, receives each returned event's line in the file.
Result<std::vector<CaseEvent>> ReadTimeline(const std::string& path,
                                            std::vector<int>* line_numbers = nullptr);

}  // namespace slussen
