#pragma once
// Valid Envelopes for integration tests, and their AMQP form for HubClient.
#include <string>

#include "hub_client.h"
#include "slussen/v1/events.pb.h"

namespace slussen::testing {

// Skatteverket's published test personnummer (correct date and Luhn digit).
inline constexpr char kValidPersonnummer[] = "202508242381";
// The same with a wrong check digit.
inline constexpr char kBadCheckDigitPersonnummer[] = "202508242382";

// A fresh random RFC 4122 version-4 UUID, lower case.
std::string NewEventId();

// A valid Inskrivningsmeddelande from kTestHospital about a patient folkbokförd in `kommunkod`
// and listed at `listed_vc` (empty = not listed), occurred a minute ago.
v1::Envelope ValidInskrivning(const std::string& event_id = NewEventId(),
                              const std::string& kommunkod = "1380",
                              const std::string& listed_vc = "SE2321000115-VC01");

// "<care_unit_hsa_id>/<episode_id>", as the hub puts it in the case_id property.
std::string CaseIdString(const v1::Envelope& env);

// The message as an adapter sends it: message-id = event id, subject = kind name, body = the
// serialized envelope in one data section.
client::OutgoingMessage ToMessage(const v1::Envelope& env);

// A message with an arbitrary body (for malformed-input tests).
client::OutgoingMessage RawMessage(const std::string& body, const std::string& message_id = "");

}  // namespace slussen::testing
