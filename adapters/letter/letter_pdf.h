#pragma once
// A letter as a PDF (A4, DejaVu Sans through the shared pdf library, pdf/document.h, so åäö are
// real, searchable glyphs): the sending hospital top left, the recipient's name, postal address
// and fax number in the address field, the date, the heading of the event kind, a box saying why
// this comes on paper (the reason), the patient's identity, what the event says, and the event id
// and case id for the recipient's records. Every page's footer carries the event id (never
// patient data). PDF metadata: title = the heading, subject = "Slussen brev <event id> till
// <recipient id>", creator = "slussen-letter <version>", created = context.created.
//
// Deterministic: the same event and context give the same bytes. Thread-safe (separate calls may
// run on separate threads).
#include <string>

#include "adapters/letter/letter.h"
#include "common/result.h"
#include "slussen/v1/events.pb.h"

namespace slussen::adapters::letter {

// Writes the letter to `path` (a file: no partial file is left behind on failure). Errors:
// kInvalidArgument for an event without a kind (letter_content.h), an event id or recipient id
// that IsSafeFileToken refuses, a recipient without a unit name or address; the pdf library's
// error when the file cannot be written.
Status WriteLetterPdf(const std::string& path, const slussen::v1::Envelope& event,
                      const LetterContext& context);

}  // namespace slussen::adapters::letter
