#pragma once
// Reads what the hub needs from an encoded AMQP 1.0 message, straight from the transfer's bytes:
// the message-id and the one data section. Proton's own decoder cannot be used for this: it keeps
// one of several data sections and drops the rest without a word, and it throws on bytes that are
// not a message at all.
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace slussen {

struct DecodedMessage {
  // The AMQP message-id: a string as sent; other id types rendered ("ulong:5", "uuid:…",
  // "binary:<hex>"); empty if the message has none.
  std::string message_id;
  std::string body;            // the data section's bytes, at most `max_body` of them
  std::size_t body_size = 0;   // the data section's full size as declared
  // Non-empty if the body is not exactly one data section (none, two or more, amqp-value,
  // amqp-sequence): the message is readable but must be refused.
  std::string body_problem;
};

// Decodes the sections of one message. `complete` is false when `bytes` is only the beginning
// of a delivery that was cut off at the size limit: then the last section may be cut short, and
// a data section's declared size counts. An error means the bytes are not an AMQP message
// (the peer is broken or hostile); its text never quotes the bytes.
Result<DecodedMessage> DecodeMessage(std::string_view bytes, bool complete, std::size_t max_body);

}  // namespace slussen
