#include "adapters/letter/letter_job.h"

namespace slussen::adapters::letter {

LetterOutcome SendLetter(const slussen::v1::Envelope& event, const LetterContext& context,
                         const Spool& spool, const Sender& sender) {
  LetterOutcome out;
  // Ids only, and only once they are known to be plain tokens.
  const std::string what =
      "letter " + (IsSafeFileToken(event.event_id()) ? event.event_id() : std::string("(bad id)")) +
      " to " + (IsSafeFileToken(context.to.id) ? context.to.id : std::string("(bad recipient id)"));
  Result<std::string> path = spool.PutLetter(event, context);
  if (!path.ok()) {
    out.disposition =
        path.code() == ErrorCode::kInvalidArgument ? Disposition::kRefused : Disposition::kRetry;
    out.summary = what + " not written: " + path.error();
    return out;
  }
  out.spooled = *path;
  const SendOutcome sent = sender.Send({*path, context.to.fax, context.to.id, event.event_id()});
  out.output = sent.output;
  if (!sent.delivered) {
    out.disposition = Disposition::kRetry;
    out.summary = what + " not sent: " + sent.summary;
    return out;
  }
  out.disposition = Disposition::kDelivered;
  out.summary = what + " sent: " + sent.summary;
  // It went out: a spool problem now must not make the hub send it twice.
  Result<std::string> filed = spool.MarkSent(*path);
  if (filed.ok()) {
    out.spooled = *filed;
  } else {
    out.summary += " (left in the spool: " + filed.error() + ")";
  }
  return out;
}

const char* DispositionName(Disposition d) {
  switch (d) {
    case Disposition::kDelivered: return "delivered";
    case Disposition::kRetry: return "retry";
    case Disposition::kRefused: return "refused";
  }
  return "unknown";
}

}  // namespace slussen::adapters::letter
