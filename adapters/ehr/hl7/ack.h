#pragma once
// HL7 acknowledgements (original mode, ACK^<trigger>^ACK) for requests and for frames that are
// not HL7 at all.
//
// The ACK answers from the receiver's side: MSH-3/4 are the request's MSH-5/6 and MSH-5/6 its
// MSH-3/4, MSA-2 is the request's MSH-10. MSH-7 comes from the injected clock and MSH-10 from
// the injected id source, so tests fix both. Problems become ERR segments (v2.5: ERR-2
// location, ERR-3 condition code from table 0357, ERR-4 severity E, ERR-8 the text) and the
// first problem's text also MSA-3, which older EHRs show.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "hl7/error.h"
#include "hl7/message.h"

namespace slussen::hl7 {

struct AckIdentity {
  // MSH-3/4 of an ACK to a frame whose MSH cannot be read (who we are).
  std::string application = "SLUSSEN";
  std::string facility;
};

class AckBuilder {
 public:
  // Makes MSH-10 of each ACK; it must be unique among this adapter's ACKs and at most 20
  // characters (MSH-10 is ST(20) in v2.5).
  using ControlIdSource = std::function<std::string()>;

  // With the default id source: the clock's Stockholm time as YYYYMMDDHHMMSS plus a
  // six-digit counter of this builder (unique per builder and second; a restart within the
  // same second could repeat an id, which receivers do not rely on for ACKs).
  AckBuilder(AckIdentity identity, Clock clock, ControlIdSource ids = nullptr);

  // AA for a parsed request; `note` goes into MSA-3 (e.g. why nothing was sent).
  Message Accept(const Message& request, std::string_view note = {});
  // AE, or AR when any problem is an AR; at least one problem is expected (none gives AE
  // without ERR).
  Message Refuse(const Message& request, const std::vector<Problem>& problems);

  // AR for a frame that did not parse: what can be read from its MSH line (sender, receiver,
  // control id, trigger, version) is used, the rest is ours. `reason` goes into ERR-8.
  Message RejectFrame(std::string_view frame, std::string_view reason);

 private:
  struct Header;
  Message Build(const Header& h, AckCode code, std::string_view note);
  std::string NextControlId();

  AckIdentity identity_;
  Clock clock_;
  ControlIdSource ids_;
  uint32_t counter_ = 0;
};

}  // namespace slussen::hl7
