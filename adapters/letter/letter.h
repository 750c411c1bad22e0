#pragma once
// One letter per event and recipient: the paper (or fax) form of an event that the hub could not
// get confirmed through the IT path ("no receipt from kommun-1380 by …"), sent by the letter
// adapter (slussen-letter, reading out/letter). This header holds what a letter is about; the
// words are in letter_content.h, the PDF in letter_pdf.h, the spool and the sending in spool.h
// and sender.h.
//
// Data minimisation: a letter carries the patient's identity (personnummer or other id, and the
// name and folkbokföring address only where the event itself carries them: the
// Inskrivningsmeddelande), what the event says, and the ids the recipient needs to file it
// (event id, case id). Nothing else of the envelope (kommunkod, listed vårdcentral, the
// envelope's other routing data) is printed.
#include <chrono>
#include <string>
#include <vector>

namespace slussen::adapters::letter {

// The unit a letter goes to, from the adapter's config, one per destination id.
struct Recipient {
  // The hub's destination id the letter stands in for ("kommun-1380", "vc-SE2321000115-VC01").
  // Part of the spool file name: 1-64 characters of [A-Za-z0-9._-].
  std::string id;
  std::string unit_name;                   // "Halmstads kommun, Biståndsenheten"
  std::string hsa_id;                      // may be empty
  std::vector<std::string> address_lines;  // postal address, top to bottom (at least one)
  std::string fax;                         // "+46 35 13 70 00"; empty: no fax line
};

// The hospital that sends the letters (the adapter's config): printed as the sender.
struct SendingHospital {
  std::string name;                        // "Hallands sjukhus Halmstad"
  std::vector<std::string> address_lines;  // postal address
  std::string phone;                       // for questions; may be empty
};

// What every letter needs besides the event.
struct LetterContext {
  SendingHospital from;
  Recipient to;
  // Why this comes as a letter, as the hub says it ("no receipt from kommun-1380 by
  // 2026-03-30T15:00:00+02:00"); printed as given (escaped). May be empty: then the letter says
  // only that the electronic path could not be confirmed.
  std::string reason;
  // The letter's date and the PDF's creation time: passed in, so a letter is deterministic.
  std::chrono::system_clock::time_point created;
};

// True if `id` can be part of a spool file name: 1-64 characters of [A-Za-z0-9._-], not starting
// with a dot. Recipient ids and event ids (a UUID passes) are checked with it.
bool IsSafeFileToken(const std::string& id);

}  // namespace slussen::adapters::letter
