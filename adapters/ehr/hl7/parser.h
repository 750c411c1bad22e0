#pragma once
// Parses one HL7 v2.x message (ER7, the pipe-and-hat encoding) into a Message.
//
// Segments end at '\r' as the standard says; '\n' and "\r\n" (files, some senders) are accepted
// too and empty lines skipped: a raw CR or LF can never be part of field data, which carries
// them escaped. The encoding characters are read from MSH-1 and MSH-2, not assumed. Batch
// envelopes (FHS, BHS) are not messages and are refused.
//
// Input is untrusted: every failure is an error value naming what and where ("segment 3: ..."),
// never a crash; work and memory are linear in the input and bounded by ParseOptions.
#include <cstddef>
#include <string_view>

#include "common/result.h"
#include "hl7/message.h"

namespace slussen::hl7 {

struct ParseOptions {
  // More segments than this is an error, not a message (an ADT has a dozen or two).
  std::size_t max_segments = 1000;
  // Leaves (subcomponents) over the whole message: bounds memory, since a short run of
  // delimiters costs far more as parsed structure than as text.
  std::size_t max_leaves = 100'000;
};

// kInvalidArgument with a description on malformed input.
Result<Message> Parse(std::string_view text, const ParseOptions& options = {});

}  // namespace slussen::hl7
