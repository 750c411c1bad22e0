#pragma once
// Who receives an event: the destination ids for one Envelope under the configured routes.
// Pure; run after ValidateEnvelope, so it assumes well-formed fields but still fails cleanly
// on lookups that depend on configuration.
#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"
#include "common/result.h"
#include "slussen/v1/events.pb.h"

namespace slussen {

// Sorted, unique destination ids, or an error naming why the event cannot be delivered.
// `received` (the hub's receive time) decides weekend/holiday routing: on a Saturday, Sunday or
// Swedish public holiday (Europe/Stockholm date; eves per the agreement) a kommun's
// off-hours destination gets the event as well.
Result<std::vector<std::string>> RouteEvent(const v1::Envelope& env, const Config& config,
                                            std::chrono::system_clock::time_point received);

}  // namespace slussen
