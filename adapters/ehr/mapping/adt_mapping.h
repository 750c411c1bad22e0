#pragma once
// HL7 v2.5 ADT to Slussen events: the table is adapters/ehr/README.md.
//
//   A01 admit          -> Inskrivningsmeddelande, when the Z-segment says support is expected
//                         after discharge (ZSP-1 = Y); otherwise nothing to send
//   A02 transfer       -> nothing to send (the case and its receivers do not change)
//   A03 discharge      -> Utskrivning (the discharge itself, PV1-45) when ZSP-1 = Y: the fact
//                         the 3 kap. 2 § transfer is due by, not the transfer (that comes as an
//                         XML utskrivningsmeddelande); otherwise nothing
//   A08 update         -> EstimatedDischargeChanged when PV2-9 differs from the estimate last
//                         notified (ZSP-6) for a patient with ZSP-1 = Y; otherwise nothing
//   A11 cancel admit   -> Cancellation of the A01's inskrivningsmeddelande (ZSP-1 = Y)
//   A13 cancel discharge -> Cancellation of the A03's Utskrivning, named by PV1-45 (ZSP-1 = Y)
//
// Pure and deterministic: the same message and config always give the same outcome, byte for
// byte, so a resent message is a duplicate to the hub. Thread-safe (no state).
#include "hl7/message.h"
#include "mapping/config.h"
#include "mapping/outcome.h"

namespace slussen::ehr {

MappingOutcome MapAdt(const hl7::Message& message, const MappingConfig& config);

}  // namespace slussen::ehr
