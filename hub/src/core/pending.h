#pragma once
// Internal to the core (core*.cc): one inbound message of the batch being processed, from the
// ingest decision to its settlement.
#include "api/core_messages.h"
#include "core/core.h"
#include "ingest/inbound.h"

namespace slussen {

struct Core::Pending {
  const InboundMessage* msg;
  InboundDecision decision;
  Settlement settlement;
  bool duplicate = false;
  // Decoded by ingest, on the batch's arena (Core::Process); its case keeps a slim copy.
  v1::Envelope* envelope = nullptr;
};

}  // namespace slussen
