#include "config_loader.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kommuner.h"

namespace slussen {
namespace {

constexpr char kNamespace[] = "urn:slussen:config:1";
// What the built-in schema is called in the (never expected) case that it does not compile.
constexpr char kSchemaName[] = "config.xsd (built in)";

// libxml2 2.12 made the error argument const; Debian 12 has 2.9.
#if LIBXML_VERSION >= 21200
using XmlErrorArg = const xmlError*;
#else
using XmlErrorArg = xmlError*;
#endif

// All problems found in one file, each "<file>:<line>: <message>".
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void AddLine(long line, std::string_view message) {
    std::string text = file_;
    if (line > 0) {
      text += ':';
      text += std::to_string(line);
    }
    text += ": ";
    text += message;
    lines_.push_back(std::move(text));
  }
  void Add(const xmlNode* node, std::string_view message) {
    AddLine(node ? xmlGetLineNo(node) : 0, message);
  }
  bool empty() const { return lines_.empty(); }
  Error ToError() const {
    std::string joined;
    for (const auto& l : lines_) {
      if (!joined.empty()) joined += '\n';
      joined += l;
    }
    return Error{joined};
  }

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

// Receives every libxml2 error; `ctx` is the Diagnostics to add it to.
void OnXmlError(void* ctx, XmlErrorArg err) {
  std::string message = err->message ? err->message : "unknown libxml2 error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // Schema messages spell element names as {urn:slussen:config:1}kommun; the namespace is noise
  // to the reader since every element of the file is in it.
  const std::string qualified = std::string("{") + kNamespace + "}";
  for (auto pos = message.find(qualified); pos != std::string::npos; pos = message.find(qualified)) {
    message.erase(pos, qualified.size());
  }
  long line = err->line;
  if (line <= 0 && err->node != nullptr) line = xmlGetLineNo(static_cast<const xmlNode*>(err->node));
  static_cast<Diagnostics*>(ctx)->AddLine(line, message);
}

// Routes libxml2's per-thread structured error handler to `diag` for this scope, then puts back
// whatever was there, so no stray message reaches stderr and no global state is left behind.
class ScopedXmlErrors {
 public:
  explicit ScopedXmlErrors(Diagnostics* diag)
      : prev_handler_(xmlStructuredError), prev_ctx_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(diag, &OnXmlError);
  }
  ~ScopedXmlErrors() { xmlSetStructuredErrorFunc(prev_ctx_, prev_handler_); }
  ScopedXmlErrors(const ScopedXmlErrors&) = delete;
  ScopedXmlErrors& operator=(const ScopedXmlErrors&) = delete;

 private:
  xmlStructuredErrorFunc prev_handler_;
  void* prev_ctx_;
};

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

std::vector<std::string> Tokens(std::string_view s);

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
DocPtr Parse(const std::string& text, const std::string& path, Diagnostics& diag) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    diag.AddLine(0, "file too large");
    return nullptr;
  }
  if (Tokens(text).empty()) {
    diag.AddLine(1, "the file is empty");
    return nullptr;
  }
  DocPtr doc(xmlReadMemory(text.data(), static_cast<int>(text.size()), path.c_str(), nullptr,
                           XML_PARSE_NONET | XML_PARSE_BIG_LINES));
  if (doc == nullptr && diag.empty()) diag.AddLine(1, "not a well-formed XML document");
  if (!diag.empty()) return nullptr;  // warnings too: a config file has no excuse for them
  // Entities would only hide what the hub is told, and the schema validator cannot see through
  // them. The DTD node has no line of its own, so point at the element after it.
  if (doc->intSubset != nullptr) {
    diag.Add(xmlDocGetRootElement(doc.get()),
             "a DOCTYPE declaration precedes this element; DOCTYPE and entities are not allowed "
             "in the config");
    return nullptr;
  }
  return doc;
}

bool IsOurs(const xmlNode* n, const char* local_name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr &&
         xmlStrEqual(n->ns->href, BAD_CAST kNamespace) &&
         xmlStrEqual(n->name, BAD_CAST local_name);
}

// Against the schema compiled into the binary. Errors go to `diag` by the handler already set.
bool ValidateSchema(xmlDoc* doc, Diagnostics& diag) {
  const xmlNode* root = xmlDocGetRootElement(doc);
  if (!IsOurs(root, "slussen")) {
    diag.Add(root, std::string("the root element must be <slussen xmlns=\"") + kNamespace + "\">");
    return false;
  }
  const std::string_view xsd = EmbeddedConfigXsd();
  Diagnostics schema_diag(kSchemaName);
  xmlSchemaParserCtxtPtr pctxt =
      xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
  xmlSchemaSetParserStructuredErrors(pctxt, &OnXmlError, &schema_diag);
  xmlSchemaPtr schema = xmlSchemaParse(pctxt);
  xmlSchemaFreeParserCtxt(pctxt);
  if (schema == nullptr) {
    if (schema_diag.empty()) schema_diag.AddLine(0, "does not compile");
    diag.AddLine(0, "internal error: the built-in config schema is broken:\n" +
                    schema_diag.ToError().message);
    return false;
  }
  xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema);
  xmlSchemaSetValidStructuredErrors(vctxt, &OnXmlError, &diag);
  const int rc = xmlSchemaValidateDoc(vctxt, doc);
  xmlSchemaFreeValidCtxt(vctxt);
  xmlSchemaFree(schema);
  if (rc != 0 && diag.empty()) diag.Add(root, "does not match the config schema");
  return rc == 0 && diag.empty();
}

// --- Reading the validated tree. The schema has checked shapes and lexical forms, so these
// helpers only convert; they still report rather than assume, in case the two drift apart.

std::vector<const xmlNode*> Children(const xmlNode* parent, const char* name) {
  std::vector<const xmlNode*> out;
  if (parent == nullptr) return out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsOurs(c, name)) out.push_back(c);
  }
  return out;
}

const xmlNode* Child(const xmlNode* parent, const char* name) {
  auto all = Children(parent, name);
  return all.empty() ? nullptr : all.front();
}

std::optional<std::string> Attr(const xmlNode* n, const char* name) {
  if (n == nullptr) return std::nullopt;
  xmlChar* v = xmlGetNoNsProp(n, BAD_CAST name);
  if (v == nullptr) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

std::string AttrOr(const xmlNode* n, const char* name, std::string fallback = {}) {
  auto v = Attr(n, name);
  return v ? *v : std::move(fallback);
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Splits an xs:list (or trims an xs:token) on XML whitespace.
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

// xs:unsignedShort / xs:unsignedInt lexical form: optional '+', surrounding whitespace.
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

bool BoolAttr(const xmlNode* n, const char* name) {
  auto t = Tokens(AttrOr(n, name));
  return t.size() == 1 && (t[0] == "true" || t[0] == "1");
}

std::optional<EventKind> KindAttr(const xmlNode* n, const char* name, Diagnostics& diag) {
  auto t = Tokens(AttrOr(n, name));
  auto kind = t.size() == 1 ? EventKindFromName(t[0]) : std::nullopt;
  if (!kind) diag.Add(n, std::string("attribute '") + name + "': unknown event kind");
  return kind;
}

// Plain AMQP carries patient data unencrypted, so until TLS exists it must not leave the machine.
bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::string ResolveStorePath(const std::string& config_path, const std::string& store) {
  namespace fs = std::filesystem;
  fs::path p(store);
  if (p.is_relative()) {
    std::error_code ec;
    fs::path config_abs = fs::absolute(fs::path(config_path), ec);
    if (ec) config_abs = fs::path(config_path);
    p = config_abs.parent_path() / p;
  }
  return p.lexically_normal().string();
}

void ReadHub(const xmlNode* root, const std::string& path, Config& cfg, Diagnostics& diag) {
  const xmlNode* hub = Child(root, "hub");
  cfg.hub_name = AttrOr(hub, "name");

  const xmlNode* amqp = Child(hub, "amqp");
  cfg.amqp_host = AttrOr(amqp, "host");
  if (!IsLoopback(cfg.amqp_host)) {
    diag.Add(amqp, "amqp host " + cfg.amqp_host +
                       " is not loopback: plain AMQP without TLS is only allowed on loopback "
                       "(TLS is not implemented yet)");
  }
  const uint64_t port = NumberAttr(amqp, "port", 0, diag);
  if (port > UINT16_MAX) diag.Add(amqp, "amqp port " + std::to_string(port) + " is out of range");
  cfg.amqp_port = static_cast<uint16_t>(port);

  cfg.store_path = ResolveStorePath(path, AttrOr(Child(hub, "store"), "path"));

  if (const xmlNode* limits = Child(hub, "limits")) {
    cfg.max_message_bytes = NumberAttr(limits, "max-message-bytes", cfg.max_message_bytes, diag);
    cfg.clock_skew = std::chrono::seconds(
        NumberAttr(limits, "clock-skew-seconds", cfg.clock_skew.count(), diag));
    cfg.commit_batch_max = NumberAttr(limits, "commit-batch-max", cfg.commit_batch_max, diag);
  }
}

// Also records every destination id with where it came from, to catch clashes.
void ReadReceivers(const xmlNode* root, Config& cfg, std::map<std::string, std::string>& owners,
                   Diagnostics& diag) {
  auto claim = [&](const xmlNode* n, const std::string& id, std::string owner) {
    owner += " on line " + std::to_string(xmlGetLineNo(n));
    auto [it, fresh] = owners.emplace(id, owner);
    if (!fresh) diag.Add(n, "destination id '" + id + "' is already used by " + it->second);
  };

  for (const xmlNode* k : Children(Child(root, "kommuner"), "kommun")) {
    const std::string kod = AttrOr(k, "kod");
    const KommunEntry* entry = FindKommunEntry(kod);
    if (entry == nullptr) {
      diag.Add(k, "no Swedish municipality has kommunkod " + kod);
      continue;
    }
    if (auto name = Attr(k, "name"); name && *name != entry->name) {
      diag.Add(k, "kommunkod " + kod + " is " + entry->name + ", not '" + *name + "'");
    }
    cfg.kommuner.push_back({kod, entry->name, "kommun-" + kod});
    claim(k, cfg.kommuner.back().destination, "kommun " + kod);
  }
  for (const xmlNode* v : Children(Child(root, "vardcentraler"), "vardcentral")) {
    const std::string hsa = AttrOr(v, "hsa-id");
    cfg.vardcentraler.push_back({hsa, AttrOr(v, "name"), "vc-" + hsa});
    claim(v, cfg.vardcentraler.back().destination, "vårdcentral " + hsa);
  }
  for (const xmlNode* d : Children(Child(root, "destinations"), "destination")) {
    cfg.destinations.push_back({AttrOr(d, "id"), AttrOr(d, "name")});
    claim(d, cfg.destinations.back().id, "destination " + cfg.destinations.back().id);
  }
}

void ReadSenders(const xmlNode* root, Config& cfg, Diagnostics& diag) {
  for (const xmlNode* s : Children(Child(root, "senders"), "sender")) {
    SenderConfig sender{AttrOr(s, "hsa-id"), AttrOr(s, "name"), {}};
    for (const auto& name : Tokens(AttrOr(s, "may-send"))) {
      if (auto kind = EventKindFromName(name)) {
        sender.may_send.insert(*kind);
      } else {
        diag.Add(s, "sender " + sender.hsa_id + ": unknown event kind '" + name + "' in may-send");
      }
    }
    cfg.senders.push_back(std::move(sender));
  }
}

void ReadRoutes(const xmlNode* root, Config& cfg, const std::map<std::string, std::string>& owners,
                Diagnostics& diag) {
  for (const xmlNode* r : Children(Child(root, "routes"), "route")) {
    const auto kind = KindAttr(r, "event", diag);
    if (!kind) continue;
    RouteConfig route{*kind, BoolAttr(r, "kommun"), BoolAttr(r, "primary-care"), {}};
    const std::string what = "route for " + std::string(EventKindName(*kind));
    const auto to = Tokens(AttrOr(r, "to"));
    for (const auto& id : to) {
      if (owners.count(id) == 0) {
        diag.Add(r, what + ": destination '" + id +
                        "' is not declared (declare it in <destinations>, or configure the "
                        "kommun or vårdcentral it belongs to)");
      } else if (std::find(route.to.begin(), route.to.end(), id) != route.to.end()) {
        diag.Add(r, what + ": destination '" + id + "' is listed twice");
      } else {
        route.to.push_back(id);
      }
    }
    // Only receipts legitimately end at the hub (they are evidence, not news for anyone).
    if (!route.to_kommun && !route.to_primary_care && to.empty() &&
        *kind != EventKind::kReceipt) {
      diag.Add(r, what + " delivers to no one: set kommun=\"true\", primary-care=\"true\" or to");
    }
    cfg.routes.push_back(std::move(route));
  }
}

void ReadIssuers(const xmlNode* root, Config& cfg) {
  for (const xmlNode* i : Children(Child(root, "reservnummer-issuers"), "issuer")) {
    cfg.reservnummer_issuers.push_back({AttrOr(i, "oid"), AttrOr(i, "name")});
  }
}

}  // namespace

Result<Config> LoadConfig(const std::string& path) {
  int read_error = 0;
  const auto text = ReadFile(path, &read_error);
  if (!text) return Error{path + ": cannot read: " + std::strerror(read_error)};

  xmlInitParser();
  Diagnostics diag(path);
  ScopedXmlErrors capture(&diag);

  DocPtr doc = Parse(*text, path, diag);
  if (doc == nullptr) return diag.ToError();
  if (!ValidateSchema(doc.get(), diag)) return diag.ToError();

  const xmlNode* root = xmlDocGetRootElement(doc.get());
  Config cfg;
  cfg.source_path = path;
  std::map<std::string, std::string> destination_owners;
  ReadHub(root, path, cfg, diag);
  ReadReceivers(root, cfg, destination_owners, diag);
  ReadSenders(root, cfg, diag);
  ReadRoutes(root, cfg, destination_owners, diag);
  ReadIssuers(root, cfg);
  if (!diag.empty()) return diag.ToError();
  return cfg;
}

}  // namespace slussen
