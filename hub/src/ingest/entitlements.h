#pragma once
// What the connection's adapter may do with one event (config.h AdapterConfig, hub/DESIGN.md
// "Entitlements and minimum dataset"): send it under its sender HSA-id and kind, and, for a
// Receipt, confirm a delivery to its receiving system. Checked after decoding and before the
// event's content is validated, in addition to the sender table (<sender may-send>): a sender
// HSA-id is only a claim, the adapter is who actually connected. Pure.
#include <string>
#include <vector>

#include "config/config.h"
#include "slussen/v1/events.pb.h"
#include "wire/event_kind.h"

namespace slussen {

// The AMQP error condition of a refusal for lack of entitlement (at attach and at the event).
inline constexpr char kUnauthorizedCondition[] = "slussen:unauthorized";

// Empty when the adapter named `principal` may send `env` (of kind `kind`). Otherwise every
// reason, each "unauthorized: ..." (the rejection metric's key), naming the adapter and what it
// lacks; values the sender chose are named only when well-formed (an HSA-id) or configured (a
// destination id), so nothing arbitrary is echoed into logs.
std::vector<std::string> CheckEntitlements(const v1::Envelope& env, EventKind kind,
                                           const std::string& principal, const Config& config);

}  // namespace slussen
