#pragma once
// The words of a letter: for each event kind a proper Swedish heading, the legal ground under lag
// (2017:612) where there is one, what the recipient is asked to do, and the facts of the event as
// label/value pairs. Plain text (letter_pdf.h escapes it), so the words can be tested without a
// PDF. Pure; thread-safe.
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "slussen/v1/events.pb.h"

namespace slussen::adapters::letter {

using Facts = std::vector<std::pair<std::string, std::string>>;

struct LetterText {
  std::string kind_name;    // the wire name ("KallelseSip"): metadata and the README's table
  std::string title;        // "Kallelse till samordnad individuell planering (SIP)"
  std::string legal_basis;  // "4 kap. 3 § lag (2017:612) …"; empty for practice messages
  std::vector<std::string> paragraphs;  // what this message means and what to do
  Facts patient;            // Namn, Personnummer, Folkbokföringsadress (only what the event has)
  bool protected_identity = false;  // skyddad identitet: the letter says so prominently
  Facts facts;              // what the event says (times as "2026-03-30 kl. 11:59")
  std::string list_heading; // a list under the facts (planning items, Hemgångsklar); may be empty
  std::vector<std::string> list;
};

// The text of the letter for `event`. Errors (kInvalidArgument): no event set, or a
// Planeringsunderlag without direction. Every other kind has a letter, the answers and receipts
// too (an operator may re-route anything to the letter destination).
Result<LetterText> ComposeLetter(const slussen::v1::Envelope& event);

// "2026-03-30 kl. 11:59" in Europe/Stockholm; "–" for an unset Timestamp.
std::string LetterTime(const google::protobuf::Timestamp& ts);

}  // namespace slussen::adapters::letter
