#pragma once
// Strings that came from outside the hub (an event id that failed validation, a peer's container
// id, an operator's name, a receiver's error text) on their way into a log line: bounded in
// length, and every byte that is not printable ASCII — newlines, terminal escapes, UTF-8 — written
// as \xNN, so that no peer can forge a log line, move the cursor of whoever tails the log, or
// smuggle an arbitrarily long value into it. A backslash is doubled, so the escaping is
// unambiguous. A number shaped like a personnummer or samordningsnummer (10 or 12 digits, with or
// without its - or +, with a real month and day) becomes "<personnummer?>": a peer cannot put a
// patient's identity into the log through any string the hub logs.
#include <string>
#include <string_view>

namespace slussen {

std::string LogSafe(std::string_view untrusted, std::size_t max_bytes = 80);

}  // namespace slussen
