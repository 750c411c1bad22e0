#pragma once
// Fields of an Envelope named by their path of proto field names, as the hub config's minimum
// dataset names the fields a destination's role does not get (hub/DESIGN.md "Entitlements and
// minimum dataset"): "inskrivningsmeddelande.folkbokforing_address", "patient.listed_care_unit_
// hsa_id", "utskrivningsmeddelande.hemgangsklar.comment" (a field of every element of a
// repeated message). Resolved against the generated descriptors, so a path is exactly as
// events.proto spells it.
#include <string>
#include <string_view>

#include "slussen/v1/events.pb.h"
#include "wire/event_kind.h"

namespace slussen {

// Why `path` cannot be stripped from events of `kind`; empty if it can. A path must name a field
// of the Envelope or of the kind's own event message (not another kind's), through message
// fields only. The envelope's identity and provenance (event_id, case_id, sender_hsa_id,
// occurred_at, schema_version, replaces), the patient's identity, Planeringsunderlag's
// direction (the kind depends on it) and the event as a whole are never stripped: every receiver
// needs them to know what it got, about whom and from whom.
std::string StrippablePathProblem(EventKind kind, std::string_view path);

// Clears the field at `path` (one that passed StrippablePathProblem) in `envelope`, in every
// element of a repeated message on the way. True if anything was present and is now gone.
bool ClearFieldPath(v1::Envelope& envelope, std::string_view path);

}  // namespace slussen
