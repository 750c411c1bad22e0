#pragma once
// The lexical forms of durations and byte sizes in Slussen's config files (the hub's and the
// adapters').
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "xml/xml_validation.h"

namespace slussen::config {

// The longest duration the config accepts (ten years): long enough for any delivery budget, and
// small enough that adding it to a time point or scaling it by a backoff factor cannot overflow.
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24 * 3650);

// "<digits><unit>" with unit ms, s, m (minutes), h or d (days, always 24 hours), surrounding
// XML whitespace allowed: "500ms", "30s", "10m", "4h", "2d". nullopt when malformed or longer
// than kMaxDuration.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view s);

// "<digits>" bytes or "<digits><suffix>" with k, M, G, T (binary: 1024, 1024², ...): "20G".
// nullopt when malformed or not representable in 64 bits.
std::optional<uint64_t> ParseByteSize(std::string_view s);

// The shortest exact spelling of a duration, for messages: 600000ms -> "10m", 1500ms -> "1500ms".
std::string FormatDuration(std::chrono::milliseconds d);

// A duration attribute of `n` into `out`: absent leaves `out` as it is; malformed is reported at
// the element's line (and `out` kept). Returns whether `out` was set.
bool DurationAttr(const xmlNode* n, const char* name, std::chrono::milliseconds& out,
                  xml::Diagnostics& diag);

}  // namespace slussen::config
