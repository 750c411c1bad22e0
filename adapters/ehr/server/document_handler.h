#pragma once
// POST /documents: one XML discharge-planning document (schemas/xml/dischargeplanning.xsd) of a
// kind the hospital sends, read into an event (xmldoc::ReadDocument), sent to the hub's `events`
// and answered by how the hub settled it:
//   201  the hub has it (stored now, or a resend of a stored one): {"event_id", "kind", "status"}
//   400  not a valid document: every problem as "POST /documents:<line>: <message>"
//   413  larger than max-body-bytes (answered by the HTTP server before we see it)
//   415  a Content-Type that is not XML
//   422  the hub refused the event: its reason
//   503  the hub is unreachable or the outcome is unknown: send again after Retry-After
// Bodies are JSON objects with "error" and a readable "message" on failure.
//
// Thread-safe and stateless; `send` blocks until the hub settles (or its timeout).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "hub_client.h"
#include "server/hl7_handler.h"
#include "slussen/v1/events.pb.h"

namespace slussen::ehr {

struct HttpAnswer {
  int status = 500;
  std::string body;  // JSON
  std::optional<std::chrono::seconds> retry_after;
};

// What a document is called in error messages (and what the client posted to).
inline constexpr char kDocumentsPath[] = "/documents";

struct DocumentOptions {
  std::size_t max_bytes = 1 << 20;
  std::chrono::seconds retry_after{30};
};

HttpAnswer HandleDocument(std::string_view body, std::string_view content_type,
                          const DocumentOptions& options, const EventSender& send);

// The answer for a document read into `env` that the hub settled with `outcome`. Pure: for tests.
HttpAnswer AnswerForSendOutcome(const v1::Envelope& env, const client::SendOutcome& outcome,
                                std::chrono::seconds retry_after);

// {"error": <error>, "message": <message>} with `status`.
HttpAnswer ErrorAnswer(int status, std::string_view error, std::string_view message);

}  // namespace slussen::ehr
