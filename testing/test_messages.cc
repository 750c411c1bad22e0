#include "testing/test_messages.h"

#include "testing/test_envelopes.h"

namespace slussen::testing {

client::OutgoingMessage RawMessage(const std::string& body, const std::string& message_id) {
  client::OutgoingMessage msg;
  msg.message_id = message_id.empty() ? NewEventId() : message_id;
  msg.body = body;
  return msg;
}

}  // namespace slussen::testing
