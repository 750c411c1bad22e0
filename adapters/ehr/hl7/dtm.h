#pragma once
// HL7 DTM (date/time): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ].
//
// Time zones: with an offset the instant is exact. Without one, HL7 says the time is in the
// sender's local zone; for a Swedish EHR that is Europe/Stockholm, read with the hub's calendar
// rules (common/swedish_calendar.h: CET/CEST, a time in the skipped spring hour moves forward, a
// repeated autumn hour is its first occurrence). Missing trailing parts count as their start: a
// date alone is local midnight.
#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace slussen::hl7 {

// At least a date (YYYYMMDD) is required: less says nothing usable about when something
// happened. kInvalidArgument naming what is wrong (the value itself is not echoed).
Result<std::chrono::system_clock::time_point> ParseDtm(std::string_view text);

// YYYYMMDDHHMMSS+ZZZZ in Stockholm local time with its offset, e.g. 20261129043000+0100.
std::string FormatDtm(std::chrono::system_clock::time_point t);

}  // namespace slussen::hl7
