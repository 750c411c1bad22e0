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
  v1::Envelope envelope;  // decoded by ingest; for an EventRecord, moved into its case's events
};

}  // namespace slussen
