#pragma once
// The records that cross the hub's layers: what ingest decides (EventRecord, DeadLetterRecord),
// what the store journals and what the transport sends (OutboxItem). Plain values, no behaviour,
// so that the transport, ingest and the store can share them without depending on one another.
#include <cstdint>
#include <string>
#include <vector>

namespace slussen {

// An accepted event as journaled, with the destinations it must be delivered to.
struct EventRecord {
  std::string event_id;
  std::string kind;       // EventKindName
  std::string case_id;    // "<care_unit_hsa_id>/<episode_id>"
  std::string sender_hsa_id;
  uint32_t schema_version = 0;
  int64_t occurred_at_us = 0;
  int64_t received_at_us = 0;
  std::string body;       // the serialized Envelope exactly as received
  std::vector<std::string> destinations;
};

// Input the hub refused, kept with every reason so that nothing refused is lost without trace.
struct DeadLetterRecord {
  int64_t received_at_us = 0;
  std::string address;
  std::string event_id;   // if the body could be decoded far enough to have one
  std::string reasons;    // one reason per line
  std::string body;       // possibly truncated to the message size limit
  bool body_truncated = false;
};

// One pending delivery: an event for one destination.
struct OutboxItem {
  int64_t seq = 0;        // unique over all destinations; increasing per destination
  std::string destination;
  std::string event_id;
  std::string kind;
  std::string case_id;
  uint32_t schema_version = 0;
  std::string body;
};

}  // namespace slussen
