#pragma once
// RFC 4122 §4.3 name-based UUIDs, version 5 (SHA-1): the same namespace and name always give
// the same UUID, which is what makes an event id survive the EHR's resend of a message.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace slussen::ehr {

using UuidBytes = std::array<uint8_t, 16>;

// Lower-case 8-4-4-4-12 text form.
std::string UuidV5(const UuidBytes& name_space, std::string_view name);
std::string UuidText(const UuidBytes& bytes);

}  // namespace slussen::ehr
