#pragma once
// The documents' times (xs:dateTime with an offset, schema type Tidpunkt) to and from
// google.protobuf.Timestamp, exactly: nanoseconds survive both ways.
#include <google/protobuf/timestamp.pb.h>

#include <optional>
#include <string>
#include <string_view>

namespace slussen::xmldoc {

// Stockholm local time with its offset ("2026-11-23T09:41:00+01:00"), the form Swedish systems
// show; with 3, 6 or 9 decimals when the time has a fraction. A time outside 1900..2199 (where
// the Stockholm rules are not meant to apply) is written in UTC ("...Z"). nullopt if `ts` is no
// valid Timestamp (nanos outside 0..999,999,999, or outside 0001..9999).
std::optional<std::string> FormatTime(const google::protobuf::Timestamp& ts);

// "YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|±hh:mm)", surrounding XML whitespace allowed; nullopt if
// malformed or outside google.protobuf.Timestamp's range.
std::optional<google::protobuf::Timestamp> ParseTime(std::string_view text);

}  // namespace slussen::xmldoc
