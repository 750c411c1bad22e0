#pragma once
// slussen_xmldoc: the XML discharge-planning documents (schemas/xml/dischargeplanning.xsd, namespace
// urn:slussen:dischargeplanning:1) to and from slussen.v1 Envelopes. One document per event kind
// (schema.h names their root elements); README.md maps every element to its event field.
//
// Reading: size bound -> well-formed XML (libxml2, no network, no DOCTYPE, no entities: an
// external entity is never loaded and no entity is expanded, so XXE and entity bombs cannot
// happen) -> one of the expected root elements in the documents' namespace -> valid against the
// compiled-in schema -> an Envelope. Every problem found is reported, one per line, as
// "<name>:<line>: <message>".
//
// Thread safety: every function here may be called from any number of threads at once; none
// keeps state between calls except the compiled schema, which slussen_xml caches per thread.
//
// The error texts of ReadDocument quote offending values as libxml2 reports them (a malformed
// personnummer included). They are meant for the sender of the document (an HTTP 400 body, an
// HL7 ERR segment), not for log lines.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "slussen/v1/events.pb.h"
#include "wire/event_kind.h"
#include "xmldoc/schema.h"

namespace slussen::xmldoc {

// The hub's default bound of a message (config <limits max-message-bytes>): a document larger
// than this is refused before it is parsed.
inline constexpr std::size_t kDefaultMaxDocumentBytes = 1024 * 1024;

struct ReadOptions {
  // The kinds this endpoint takes (e.g. the EHR adapter: the hospital's kinds; a municipality
  // adapter: kReceipt and kPlaneringsunderlagSvar). Empty: every kind. Any other document is
  // refused with a message naming the accepted root elements.
  std::span<const EventKind> accept = {};
  // Becomes Receipt.receiving_system of a <kvittens>: the destination id the adapter serves
  // (e.g. "kommun-1380"); the receiving system does not name itself. Required to read a
  // kvittens (refused without it).
  std::string receiving_system;
  // Larger documents are refused unparsed.
  std::size_t max_bytes = kDefaultMaxDocumentBytes;
};

// Reads one document. `name` stands for the document in messages ("POST /dokument",
// "inskrivning.xml"). On success the Envelope has:
//   event_id = <dokument-id> (as written: a document sent again is the same event),
//   case_id, patient (absent from a kvittens that names none), sender_hsa_id, occurred_at,
//   replaces = <ersatter-dokument-id>, schema_version = 1, and the payload of the document's kind
//   (planeringsunderlag with direction REQUEST, planeringsunderlag-svar with ANSWER, kvittens as a
//   Receipt with options.receiving_system).
// The Envelope is not checked against the hub's rules (Luhn digits, configured senders and
// kommuner, clock skew): the hub does that and says what is wrong.
// Errors (code kInvalidArgument): too large, empty, not well-formed, DOCTYPE, wrong root element
// or namespace, a kind not in options.accept, invalid per schema, a kvittens without
// options.receiving_system; each "<name>:<line>: <message>", one per line.
Result<v1::Envelope> ReadDocument(std::string_view text, const std::string& name,
                                  const ReadOptions& options = {});

// Writes `env` as the document of its kind: UTF-8, indented, serialized by libxml2's writer (all
// text escaped), and checked against the same compiled-in schema before it is returned, so what
// comes back is always valid. Times are written in Stockholm local time with their offset.
// Errors (kInvalidArgument), all listed, by proto field path: no payload or a Planeringsunderlag
// without a direction; schema_version other than 1; a value the document cannot carry (a request
// with in_reply_to, an identity kind or care type unknown to this version, a reserve_oid on a
// personnummer, text that is not UTF-8 or holds characters XML 1.0 forbids, an invalid
// Timestamp); or a value the schema refuses (a malformed HSA-id, an empty planning item code),
// then as "<kind> document of event <event_id>:<line>: <schema message>". The receiving_system
// of a Receipt is not written (ReadOptions::receiving_system restores it).
Result<std::string> WriteDocument(const v1::Envelope& env);

// Validates a document against the schema without mapping it (demo systems, tests). Same
// stages and messages as ReadDocument, every root element accepted.
Status ValidateDocument(std::string_view text, const std::string& name,
                        std::size_t max_bytes = kDefaultMaxDocumentBytes);

}  // namespace slussen::xmldoc
