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
std::vector<std::string> ValidateEnvelope(const v1::Envelope& env, const Config& config,
                                          std::chrono::system_clock::time_point now);

}  // namespace slussen
