#pragma once
// Conversions between the client's plain structs and Proton types. Kept apart from the client's
// threading so that each can be read (and fixed) on its own.
#include <proton/connection_options.hpp>
#include <proton/link.hpp>
#include <proton/message.hpp>
#include <proton/tracker.hpp>

#include <string>

#include "hub_client.h"

namespace slussen::client {

// Adds TLS (the hub's certificate checked against security.ca, and its name) and the SASL
// login of `security` to `options`.
void ApplySecurity(const ClientSecurity& security, proton::connection_options& options);

// Builds the AMQP message: one data section (or an amqp-value string when `body_as_string`),
// message-id, subject, content-type, string application properties, durable.
proton::message ToProton(const OutgoingMessage& msg);

// Copies what a receiver needs out of a Proton message. Never throws on odd bodies or property
// types (an exception would end the container's run loop): unexpected types are rendered as text.
IncomingMessage FromProton(const proton::message& m, const std::string& address);

// The outcome the peer gave a tracker, including the error condition of a rejection, which the
// C++ API of Proton 0.37 does not expose (it is read through the C API, see the .cc).
SendOutcome OutcomeOf(const proton::tracker& t);

// True when the peer's attach for a link we opened is a refusal: AMQP says a peer that will not
// create the terminus attaches with a null source/target and detaches right after; Proton reports
// that attach as an ordinary "open" first, so callers must check before treating it as success.
bool RefusedAtAttach(const proton::link& l);

}  // namespace slussen::client
