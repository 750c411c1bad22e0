#pragma once
// Who receives an event: the destination ids for one Envelope under the configured routes.
// Pure; run after ValidateEnvelope, so it assumes well-formed fields but still fails cleanly
// on lookups that depend on configuration.
#include <string>
#include <vector>

#include "config.h"
#include "result.h"
#include "slussen/v1/events.pb.h"

namespace slussen {

// Sorted, unique destination ids, or an error naming why the event cannot be delivered.
Result<std::vector<std::string>> RouteEvent(const v1::Envelope& env, const Config& config);

}  // namespace slussen
