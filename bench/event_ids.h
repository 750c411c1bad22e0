#pragma once
// Event ids that carry the benchmark run and the message's sequence number, so that a receiver
// can find the send time of any message it gets (the hub forwards the body and message-id, not the
// sender's application properties). A valid UUID text form:
//   MMMMMMMM-RRRR-4RRR-8SSS-SSSSSSSSSSSS
// R = run (28 bits), S = sequence number (60 bits), M = a hash of both: the ids of consecutive
// messages start with unrelated digits, as random (v4) UUIDs do, so a store indexing them sees
// the same random insert positions real traffic causes, not an append-only index. With
// `sequential` M is the same for the whole run, so the ids of a run sort in sending order (to
// measure what random keys cost a store: --ids sequential).
#include <cstdint>
#include <string>
#include <string_view>

namespace slussen::bench {

std::string EventId(uint32_t run, uint64_t seq, bool sequential = false);
// False if `id` is not of this form.
bool ParseEventId(std::string_view id, uint32_t* run, uint64_t* seq);
// A fresh run number (random, 28 bits, never 0).
uint32_t NewRun();

}  // namespace slussen::bench
