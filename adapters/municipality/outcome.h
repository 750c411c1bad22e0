#pragma once
// What the system's answer to a POST means for the delivery (issue 11 item 3): accepted only on
// 2xx; a 4xx is the system refusing this document for good (rejected, with the status and the
// start of the response body as the reason the hub keeps with the dead letter); a 5xx, a
// timeout, a refused or broken connection means it cannot take it now (released: the hub's retry
// policy sends it again). A 1xx or 3xx final answer is not a success either: released, so the
// hub retries and the log shows what the system said.
#include <cstddef>
#include <string>
#include <string_view>

#include "hub_client.h"

namespace slussen::municipality {

// The outcome of one POST, as the HTTP client saw it.
struct PostResult {
  // 0: no HTTP answer at all (see transport_error).
  int status = 0;
  std::string body;             // the response body, at most kMaxKeptBody bytes of it
  std::string transport_error;  // "connection refused", "read timeout", ...
};

// How much of a response body is kept (the hub keeps at most 1 KiB of a rejection's reason).
inline constexpr std::size_t kMaxKeptBody = 900;

struct Settlement {
  client::Disposition disposition = client::Disposition::kRelease;
  std::string condition;    // for kReject: "slussen:http-<status>"
  std::string description;  // for kReject: "HTTP <status>: <body>", printable UTF-8, bounded
  // For the log: "HTTP 503", "connection refused". Never the body (it may name the patient).
  std::string summary;
};

Settlement SettlementFor(const PostResult& result);

// `text` as printable UTF-8 of at most `max_bytes`: invalid bytes and control characters (but
// tab and newline) become '?', and a cut never splits a character.
std::string PrintableUtf8(std::string_view text, std::size_t max_bytes);

}  // namespace slussen::municipality
