#pragma once
// One letter from event to paper, the whole of what the adapter's worker does per delivery on
// out/letter: render and spool it (Spool::PutLetter), hand it to the Sender, and on success file
// it as sent (Spool::MarkSent). The outcome tells the adapter how to settle the hub's delivery and
// what to log.
//
// Thread safety: SendLetter may run on several worker threads at once (Spool and Sender allow it);
// it blocks for as long as the send command runs (at most its timeout), so never call it on the
// AMQP thread.
#include <string>

#include "adapters/letter/letter.h"
#include "adapters/letter/sender.h"
#include "adapters/letter/spool.h"
#include "slussen/v1/events.pb.h"

namespace slussen::adapters::letter {

enum class Disposition {
  kDelivered,  // the command exited 0: settle accepted
  kRetry,      // not sent now (the command failed, timed out or could not start; the spool could
               // not be written): settle released, the hub's retry policy sends it again
  kRefused,    // this event can never become a letter (no kind, an id that cannot name a file):
               // settle rejected with `summary`, the hub dead-letters it
};

struct LetterOutcome {
  Disposition disposition = Disposition::kRetry;
  // For the log and the settlement's reason: the event id, the recipient id and what happened
  // ("letter 3f2a… to kommun-1380 sent: lp: exit status 0"). No patient data.
  std::string summary;
  // The send command's output (SendOutcome::output): untrusted, escape before logging.
  std::string output;
  // Where the letter is now: spool/ (not sent), spool/sent/, or "" (none written, or removed
  // after sending without retention).
  std::string spooled;
};

LetterOutcome SendLetter(const slussen::v1::Envelope& event, const LetterContext& context,
                         const Spool& spool, const Sender& sender);

// "delivered", "retry", "refused": for logs.
const char* DispositionName(Disposition d);

}  // namespace slussen::adapters::letter
