#pragma once
// Encodes an outgoing AMQP 1.0 message straight into bytes (part 3.2 of the specification):
// a header, the properties, the application properties and one data section. Building a
// proton::message for every delivery (its codec, its property map, its value tree) cost the
// transport thread about as much as everything else it does per delivery; receivers decode the
// same bytes with any AMQP library (tests/unit/transport/message_encoder_test.cc checks them with
// Proton's own decoder).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slussen {

struct OutgoingMessage {
  std::string_view message_id;    // sent as an AMQP string
  std::string_view subject;
  std::string_view content_type;  // a symbol, as the specification types it
  bool durable = true;
  std::vector<std::pair<std::string_view, std::string_view>> properties;  // string → string
  std::string_view body;          // one data section
};

// Appends the encoded message to `out` (which may hold a previous message's bytes: cleared
// first, its capacity kept).
void EncodeMessage(const OutgoingMessage& m, std::string& out);

}  // namespace slussen
