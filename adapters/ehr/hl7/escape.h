#pragma once
// HL7 escape sequences (v2.5 chapter 2.7): text inside a field cannot contain the delimiters,
// so they travel as \F\ \S\ \T\ \R\ \E\; \Xhh..\ carries raw bytes and \.br\ a line break.
#include <string>
#include <string_view>

#include "hl7/message.h"

namespace slussen::hl7 {

// Decodes one leaf (a subcomponent as it appears on the wire). \F\ \S\ \T\ \R\ \E\ become the
// message's delimiters, \Xhh..\ the bytes (an odd or non-hex digit string is kept literally),
// \.br\ a '\n'. Other sequences (highlighting \H\ \N\, character sets \C..\ \M..\, \Z..\ and
// the other formatting commands) carry no meaning here and are kept literally, escape
// characters included, as is an escape character without its closing partner. Never fails.
std::string Unescape(std::string_view raw, const Delimiters& d);

// Encodes text so that it is one leaf: every delimiter and the escape character become their
// sequences, '\n' becomes \.br\ and '\r' \X0D\ (a raw CR would end the segment).
std::string Escape(std::string_view text, const Delimiters& d);

}  // namespace slussen::hl7
