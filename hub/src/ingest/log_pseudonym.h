#pragma once
// A keyed pseudonym of a patient identity for log lines: "p-" and the first 12 hex digits of
// HMAC-SHA256(key, id). The same patient gets the same pseudonym under one key, so an operator
// can follow one patient's rejected messages through the log without learning who it is; without
// the key (<logging pseudonym-key-file>, config/config.h) it cannot be reversed, not even by
// trying every personnummer (there are few enough that an unkeyed hash would be).
#include <string>
#include <string_view>

namespace slussen {

std::string LogPseudonym(std::string_view key, std::string_view identity);

// HMAC-SHA256(key, data) as 64 hex digits: the pseudonym's whole MAC, for keys that must not
// collide (the audit log's patient key, audit/patient_key.h).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace slussen
