#pragma once
// Validation of an inbound Envelope against the wire contract and the hub's configuration.
// Pure: the clock is passed in, so tests fix it.
#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"
#include "slussen/v1/events.pb.h"

namespace slussen {

// Every problem found, not just the first, so that a sender can fix a message in one round
// trip. Each is "field.path: problem" with proto field names. Empty means valid. The texts
// never contain personal data (identity numbers, names, addresses): they are logged and sent
// back as AMQP error descriptions.
//
// Timestamps: absent, or all zero, is "missing" where one is required; any other value is
// present, a time before 1970 included. A present one must have nanos in 0..999,999,999, lie
// in protobuf's range (0001-01-01 to 9999-12-31) and, to be plausible for discharge planning,
// in 1900-01-01 .. 2199-12-31 (common/timestamp.h); each failure has its own reason. Times of
// things that happened must also not lie more than the clock skew ahead of `now`.
//
// Scope: kHub is what the hub does. kWireContract leaves out the four checks that need a hub's
// config — the sender is configured and may send the kind, the patient's kommun is served, the
// reservnummer issuer is known, the receipt's receiving system is a destination — and keeps
// every other check with the same text (`slussenctl simulate` without --config).
enum class ValidationScope { kHub, kWireContract };
std::vector<std::string> ValidateEnvelope(const v1::Envelope& env, const Config& config,
                                          std::chrono::system_clock::time_point now,
                                          ValidationScope scope = ValidationScope::kHub);

}  // namespace slussen
