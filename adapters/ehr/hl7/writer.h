#pragma once
// Writes a Message as ER7 text with the message's own delimiters: every leaf escaped, trailing
// empty parts left out, each segment terminated by '\r' (the standard's segment terminator).
// MSH-1 and MSH-2 are written from Message::delimiters, whatever the MSH segment holds.
#include <string>

#include "hl7/message.h"

namespace slussen::hl7 {

std::string Write(const Message& message);

}  // namespace slussen::hl7
