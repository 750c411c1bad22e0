#pragma once
// Envelopes as AMQP messages for the integration tests: valid ones exactly as an adapter sends
// them (the client library's ToMessage), and arbitrary bodies for malformed-input tests.
#include <string>

#include "hub_client.h"
#include "synthetic_events.h"

namespace slussen::testing {

// message-id = event id, subject = kind name, body = the serialized envelope in one data section,
// and the event_type, case_id and schema_version properties.
using client::ToMessage;

// A message with an arbitrary body (a fresh random message-id unless given).
client::OutgoingMessage RawMessage(const std::string& body, const std::string& message_id = "");

}  // namespace slussen::testing
