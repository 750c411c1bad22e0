#pragma once
// Random (version 4) UUIDs in RFC 4122 text form: event ids as the wire contract wants them, for
// the adapters, the demo and the tests.
#include <random>
#include <string>

namespace slussen {

// Uses `rng`; callers that generate many ids keep one generator.
std::string RandomUuidV4(std::mt19937_64& rng);
// Uses a per-thread generator seeded from std::random_device.
std::string RandomUuidV4();

}  // namespace slussen
