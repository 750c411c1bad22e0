#include "xml/xml_validation.h"

#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace slussen::xml {
namespace {

// libxml2 2.12 made the error argument const; Debian 12 has 2.9.
#if LIBXML_VERSION >= 21200
using XmlErrorArg = const xmlError*;
#else
using XmlErrorArg = xmlError*;
#endif

// Where libxml2's errors go while a file is loaded.
struct ErrorSink {
  Diagnostics* diag;
  // "{<namespace>}": schema messages spell element names as {urn:slussen:config:1}kommun; the
  // namespace is noise to the reader since every element of the file is in it.
  std::string qualified;
};

void OnXmlError(void* ctx, XmlErrorArg err) {
  auto* sink = static_cast<ErrorSink*>(ctx);
  std::string message = err->message ? err->message : "unknown libxml2 error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!sink->qualified.empty()) {
    for (auto pos = message.find(sink->qualified); pos != std::string::npos;
         pos = message.find(sink->qualified)) {
      message.erase(pos, sink->qualified.size());
    }
  }
  long line = err->line;
  if (line <= 0 && err->node != nullptr) {
    line = xmlGetLineNo(static_cast<const xmlNode*>(err->node));
  }
  sink->diag->AddLine(line, message);
}

// Routes libxml2's per-thread structured error handler to `sink` for this scope, then puts back
// whatever was there.
class ScopedXmlErrors {
 public:
  explicit ScopedXmlErrors(ErrorSink* sink)
      : prev_handler_(xmlStructuredError), prev_ctx_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(sink, &OnXmlError);
  }
  ~ScopedXmlErrors() { xmlSetStructuredErrorFunc(prev_ctx_, prev_handler_); }
  ScopedXmlErrors(const ScopedXmlErrors&) = delete;
  ScopedXmlErrors& operator=(const ScopedXmlErrors&) = delete;

 private:
  xmlStructuredErrorFunc prev_handler_;
  void* prev_ctx_;
};

// Reads the whole file so that a missing or unreadable file gets the OS's own reason.
std::optional<std::string> ReadFile(const std::string& path, int* error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = errno;
    return std::nullopt;
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = errno;
      ::close(fd);
      return std::nullopt;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// Well-formedness only. XML_PARSE_NONET: never fetch anything; entities are not substituted
// (no XML_PARSE_NOENT) and no external DTD is loaded. Line numbers are kept by default;
// BIG_LINES keeps them past 65535.
DocPtr Parse(std::string_view text, const std::string& path, const DocumentSpec& spec,
             Diagnostics& diag) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    diag.AddLine(0, "file too large");
    return nullptr;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    diag.AddLine(1, "the file is empty");
    return nullptr;
  }
  DocPtr doc(xmlReadMemory(text.data(), static_cast<int>(text.size()), path.c_str(), nullptr,
                           XML_PARSE_NONET | XML_PARSE_BIG_LINES));
  if (doc == nullptr && diag.empty()) diag.AddLine(1, "not a well-formed XML document");
  if (!diag.empty()) return nullptr;  // warnings too: a hub's own files have no excuse for them
  // Entities would only hide what the hub is told, and the schema validator cannot see through
  // them. The DTD node has no line of its own, so point at the element after it.
  if (doc->intSubset != nullptr) {
    diag.Add(xmlDocGetRootElement(doc.get()),
             "a DOCTYPE declaration precedes this element; DOCTYPE and entities are not allowed "
             "in the " + std::string(spec.what));
    return nullptr;
  }
  return doc;
}

struct SchemaFree {
  void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};
using SchemaPtr = std::unique_ptr<xmlSchema, SchemaFree>;

// Compiles the schema; nullptr (and the reason in `diag`) if it does not compile.
SchemaPtr CompileSchema(const DocumentSpec& spec, Diagnostics& diag) {
  Diagnostics schema_diag{std::string(spec.schema_name)};
  ErrorSink schema_sink{&schema_diag, {}};
  xmlSchemaParserCtxtPtr pctxt =
      xmlSchemaNewMemParserCtxt(spec.xsd.data(), static_cast<int>(spec.xsd.size()));
  xmlSchemaSetParserStructuredErrors(pctxt, &OnXmlError, &schema_sink);
  SchemaPtr schema(xmlSchemaParse(pctxt));
  xmlSchemaFreeParserCtxt(pctxt);
  if (schema == nullptr) {
    if (schema_diag.empty()) schema_diag.AddLine(0, "does not compile");
    diag.AddLine(0, "internal error: the built-in " + std::string(spec.what) +
                        " schema is broken:\n" + schema_diag.ToError().message);
  }
  return schema;
}

// The compiled schemas of this thread, by the address of their text. Per thread rather than
// shared: libxml2 documents no guarantee that one compiled schema may serve concurrent
// validations, and a compile per worker thread is cheap.
xmlSchema* CachedSchema(const DocumentSpec& spec, Diagnostics& diag) {
  thread_local std::unordered_map<const char*, SchemaPtr> cache;
  auto it = cache.find(spec.xsd.data());
  if (it != cache.end()) return it->second.get();
  SchemaPtr schema = CompileSchema(spec, diag);
  if (schema == nullptr) return nullptr;
  return cache.emplace(spec.xsd.data(), std::move(schema)).first->second.get();
}

bool RootAllowed(const xmlNode* root, const DocumentSpec& spec) {
  if (spec.roots.empty()) return IsElement(root, spec.ns, std::string(spec.root).c_str());
  for (std::string_view r : spec.roots) {
    if (IsElement(root, spec.ns, std::string(r).c_str())) return true;
  }
  return false;
}

std::string ExpectedRoot(const DocumentSpec& spec) {
  const std::string ns = " xmlns=\"" + std::string(spec.ns) + "\">";
  if (spec.roots.empty()) return "the root element must be <" + std::string(spec.root) + ns;
  std::string out = "the root element must be one of ";
  for (std::size_t i = 0; i < spec.roots.size(); ++i) {
    if (i > 0) out += ", ";
    out += "<" + std::string(spec.roots[i]) + ">";
  }
  return out + ", in the namespace " + std::string(spec.ns);
}

// Against the schema compiled into the binary. Errors reach `sink` by the handler already set.
bool ValidateSchema(xmlDoc* doc, const DocumentSpec& spec, ErrorSink& sink) {
  Diagnostics& diag = *sink.diag;
  const xmlNode* root = xmlDocGetRootElement(doc);
  if (!RootAllowed(root, spec)) {
    diag.Add(root, ExpectedRoot(spec));
    return false;
  }
  SchemaPtr owned;
  xmlSchema* schema = nullptr;
  if (spec.cache_schema) {
    schema = CachedSchema(spec, diag);
  } else {
    owned = CompileSchema(spec, diag);
    schema = owned.get();
  }
  if (schema == nullptr) return false;
  xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema);
  xmlSchemaSetValidStructuredErrors(vctxt, &OnXmlError, &sink);
  const int rc = xmlSchemaValidateDoc(vctxt, doc);
  xmlSchemaFreeValidCtxt(vctxt);
  if (rc != 0 && diag.empty()) {
    diag.Add(root, "does not match the " + std::string(spec.what) + " schema");
  }
  return rc == 0 && diag.empty();
}

// xmlInitParser() and the schema type tables are set up lazily by libxml2 2.9 without a lock;
// do it once, before any thread parses or compiles.
void InitLibxml2Once() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSchemaInitTypes();
  });
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

void Diagnostics::AddLine(long line, std::string_view message) {
  std::string text = file_;
  if (line > 0) {
    text += ':';
    text += std::to_string(line);
  }
  text += ": ";
  text += message;
  lines_.push_back(std::move(text));
}

void Diagnostics::AddForeign(std::string_view lines) {
  while (!lines.empty()) {
    const auto nl = lines.find('\n');
    lines_.emplace_back(lines.substr(0, nl));
    if (nl == std::string_view::npos) break;
    lines.remove_prefix(nl + 1);
  }
}

void Diagnostics::Add(const xmlNode* node, std::string_view message) {
  AddLine(node ? xmlGetLineNo(node) : 0, message);
}

Error Diagnostics::ToError() const {
  std::string joined;
  for (const auto& l : lines_) {
    if (!joined.empty()) joined += '\n';
    joined += l;
  }
  return Error{joined};
}

DocPtr LoadValidatedXml(const std::string& path, const DocumentSpec& spec, Diagnostics& diag) {
  int read_error = 0;
  const auto text = ReadFile(path, &read_error);
  if (!text) {
    diag.AddLine(0, std::string("cannot read: ") + std::strerror(read_error));
    return nullptr;
  }
  return ParseValidatedXml(*text, path, spec, diag);
}

DocPtr ParseValidatedXml(std::string_view text, const std::string& name,
                         const DocumentSpec& spec, Diagnostics& diag) {
  InitLibxml2Once();
  ErrorSink sink{&diag, "{" + std::string(spec.ns) + "}"};
  ScopedXmlErrors capture(&sink);
  DocPtr doc = Parse(text, name, spec, diag);
  if (doc == nullptr) return nullptr;
  if (!ValidateSchema(doc.get(), spec, sink)) return nullptr;
  return doc;
}

bool IsElement(const xmlNode* n, std::string_view ns, const char* local_name) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE || n->ns == nullptr || n->ns->href == nullptr) {
    return false;
  }
  return std::string_view(reinterpret_cast<const char*>(n->ns->href)) == ns &&
         xmlStrEqual(n->name, BAD_CAST local_name);
}

std::vector<const xmlNode*> Children(const xmlNode* parent, std::string_view ns,
                                     const char* name) {
  std::vector<const xmlNode*> out;
  if (parent == nullptr) return out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsElement(c, ns, name)) out.push_back(c);
  }
  return out;
}

const xmlNode* Child(const xmlNode* parent, std::string_view ns, const char* name) {
  if (parent == nullptr) return nullptr;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsElement(c, ns, name)) return c;
  }
  return nullptr;
}

std::optional<std::string> Attr(const xmlNode* n, const char* name) {
  if (n == nullptr) return std::nullopt;
  xmlChar* v = xmlGetNoNsProp(n, BAD_CAST name);
  if (v == nullptr) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

std::string AttrOr(const xmlNode* n, const char* name, std::string fallback) {
  auto v = Attr(n, name);
  return v ? *v : std::move(fallback);
}

std::string Text(const xmlNode* n) {
  if (n == nullptr) return {};
  xmlChar* v = xmlNodeGetContent(n);
  if (v == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

std::vector<std::string> Tokens(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsXmlSpace(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && !IsXmlSpace(s[j])) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<uint64_t> ParseUnsigned(std::string_view s) {
  auto t = Tokens(s);
  if (t.size() != 1) return std::nullopt;
  std::string_view d = t[0];
  if (!d.empty() && d.front() == '+') d.remove_prefix(1);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
  if (ec != std::errc() || p != d.data() + d.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDecimal(std::string_view s) {
  auto t = Tokens(s);
  if (t.size() != 1) return std::nullopt;
  std::string_view d = t[0];
  if (!d.empty() && d.front() == '+') d.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || p != d.data() + d.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::chrono::minutes> ParseLocalTime(std::string_view s) {
  auto t = Tokens(s);
  if (t.size() != 1 || t[0].size() != 5 || t[0][2] != ':') return std::nullopt;
  auto two_digits = [](const std::string& d, std::size_t at) -> std::optional<int> {
    if (d[at] < '0' || d[at] > '9' || d[at + 1] < '0' || d[at + 1] > '9') return std::nullopt;
    return (d[at] - '0') * 10 + (d[at + 1] - '0');
  };
  const auto hh = two_digits(t[0], 0);
  const auto mm = two_digits(t[0], 3);
  if (!hh || !mm || *hh > 23 || *mm > 59) return std::nullopt;
  return std::chrono::hours(*hh) + std::chrono::minutes(*mm);
}

bool ParseBool(std::string_view s) {
  auto t = Tokens(s);
  return t.size() == 1 && (t[0] == "true" || t[0] == "1");
}

uint64_t NumberAttr(const xmlNode* n, const char* name, uint64_t fallback, Diagnostics& diag) {
  auto v = Attr(n, name);
  if (!v) return fallback;
  auto parsed = ParseUnsigned(*v);
  if (!parsed) {
    diag.Add(n, std::string("attribute '") + name + "': '" + *v + "' is not a whole number");
    return fallback;
  }
  return *parsed;
}

bool BoolAttr(const xmlNode* n, const char* name) { return ParseBool(AttrOr(n, name)); }

}  // namespace slussen::xml
