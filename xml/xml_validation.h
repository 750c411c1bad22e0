#pragma once
// slussen_xml: what every reader of XML in Slussen shares — the hub's config and agreement
// loaders, the adapters' configs and the XML documents the adapters take and send: parse with
// libxml2 (no network, no DOCTYPE, no entities), validate against a schema compiled into the
// binary, and collect every problem as "<name>:<line>: <message>", plus small helpers to read the
// validated tree.
//
// One file = one Diagnostics. libxml2 reports through a per-thread global handler; it is pointed
// at the Diagnostics only while LoadValidatedXml() runs and then put back as it was found, so no
// stray message reaches stderr and the caller's (or another library's) handler survives.
#include <libxml/tree.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace slussen::xml {

// All problems found in one file, each "<file>:<line>: <message>" (no ":<line>" when unknown).
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void AddLine(long line, std::string_view message);
  // At the line libxml2 recorded for `node` (where its start tag ends).
  void Add(const xmlNode* node, std::string_view message);
  // Problems of another file (already "<file>:<line>: ..."), one per line, kept as they are.
  void AddForeign(std::string_view lines);
  bool empty() const { return lines_.empty(); }
  std::size_t size() const { return lines_.size(); }
  // One problem per line, in the order found.
  Error ToError() const;

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// One kind of document and the schema built into the binary for it.
struct DocumentSpec {
  std::string_view what;         // "config", "agreement": used in messages
  std::string_view ns;           // the schema's target namespace; stripped from libxml2 messages
  std::string_view root;         // local name of the root element
  std::string_view xsd;          // the schema text
  std::string_view schema_name;  // names the schema in the (never expected) "does not compile"
  // A schema with several document types: the root may be any of these (then `root` is unused).
  std::span<const std::string_view> roots = {};
  // Keep the compiled schema (per thread, keyed by the address of `xsd`, which must then be
  // static storage such as a generated Embedded*Xsd()) instead of compiling it for every
  // document: for callers that validate many documents, where compiling costs far more than
  // validating. Off for the loaders of files read once.
  bool cache_schema = false;
};

// Reads `path` (used as given in messages), checks it is well-formed XML without a DOCTYPE, that
// the root is <root xmlns="ns">, and that it matches the schema. Stages run in that order and a
// stage runs only if the one before passed. Returns nullptr with every problem in `diag` on
// failure; an unreadable file gives "<path>: cannot read: <reason>".
DocPtr LoadValidatedXml(const std::string& path, const DocumentSpec& spec, Diagnostics& diag);
// The same for a document already in memory (e.g. an HTTP request body); `name` stands for the
// file in messages ("POST /documents").
//
// Thread safety: both may run on several threads at once, each with its own Diagnostics (the
// error handler is per thread; libxml2's one-time initialisation, which is not thread-safe in
// libxml2 2.9, runs once under std::call_once). The returned tree belongs to the caller.
DocPtr ParseValidatedXml(std::string_view text, const std::string& name,
                         const DocumentSpec& spec, Diagnostics& diag);

// --- Reading a validated tree. The schema has checked shapes and lexical forms, so these only
// convert; the loaders still report rather than assume, in case schema and code drift apart.

// Whether `n` is the element {ns}local_name.
bool IsElement(const xmlNode* n, std::string_view ns, const char* local_name);
// The child elements {ns}name of `parent` in document order; empty if parent is null.
std::vector<const xmlNode*> Children(const xmlNode* parent, std::string_view ns, const char* name);
// The first such child, or nullptr.
const xmlNode* Child(const xmlNode* parent, std::string_view ns, const char* name);

// An unqualified attribute; nullopt if absent (or `n` is null).
std::optional<std::string> Attr(const xmlNode* n, const char* name);
std::string AttrOr(const xmlNode* n, const char* name, std::string fallback = {});
// The element's text content.
std::string Text(const xmlNode* n);

// Splits an xs:list (or trims an xs:token) on XML whitespace.
std::vector<std::string> Tokens(std::string_view s);
// xs:unsignedShort / xs:unsignedInt lexical form: optional '+', surrounding whitespace.
std::optional<uint64_t> ParseUnsigned(std::string_view s);
// xs:decimal lexical form (optional sign, digits with an optional point; no exponent), finite.
std::optional<double> ParseDecimal(std::string_view s);
// "HH:MM", 00:00 to 23:59, as minutes after midnight.
std::optional<std::chrono::minutes> ParseLocalTime(std::string_view s);
// xs:boolean: "true"/"1" (after whitespace collapse); anything else is false.
bool ParseBool(std::string_view s);

// A whole-number attribute; `fallback` when absent; reported (and `fallback`) when not a number.
uint64_t NumberAttr(const xmlNode* n, const char* name, uint64_t fallback, Diagnostics& diag);
bool BoolAttr(const xmlNode* n, const char* name);

}  // namespace slussen::xml
