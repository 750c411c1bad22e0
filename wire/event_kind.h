#pragma once
// The kind of an event: the Envelope's oneof case, with Planeringsunderlag split by direction
// because requests and answers flow in opposite directions. The kind's name is what config uses
// (sender permissions, routes), what goes in the AMQP subject and the `event_type` property.
#include <optional>
#include <string_view>
#include <vector>

#include "slussen/v1/events.pb.h"

namespace slussen {

enum class EventKind {
  kInskrivningsmeddelande,
  kEstimatedDischargeChanged,
  kPlaneringsunderlag,        // direction REQUEST (hospital -> kommun / primary care)
  kPlaneringsunderlagSvar,    // direction ANSWER (kommun / primary care -> hospital)
  kUtskrivningsklar,
  kUtskrivningsklarWithdrawn,
  kKallelseSip,
  kUtskrivningsmeddelande,
  kReceipt,
  kCancellation,
  kClockStopper,
  kUtskrivning,   // the discharge itself (a fact for the hub's case tracking)
  kSipBedomning,  // a SIP assessment made during the stay (4 kap. 1 §)
};

// Canonical names, e.g. "Inskrivningsmeddelande", "PlaneringsunderlagSvar".
std::string_view EventKindName(EventKind kind);
std::optional<EventKind> EventKindFromName(std::string_view name);
const std::vector<EventKind>& AllEventKinds();

// Kinds whose purpose is the hub's own record, so that a route may deliver them to no one: the
// receipt (evidence of delivery) and the bare discharge fact (case tracking: the receivers learn
// of the discharge from the utskrivningsmeddelande). Every other kind must reach someone.
bool MayEndAtHub(EventKind kind);

// The kind of an envelope; nullopt if no event is set or a Planeringsunderlag has no direction.
std::optional<EventKind> KindOf(const slussen::v1::Envelope& env);

}  // namespace slussen
