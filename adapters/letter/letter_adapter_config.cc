#include "adapters/letter/letter_adapter_config.h"

#include <filesystem>
#include <sstream>
#include <vector>

#include "xml/quantities.h"
#include "xml/xml_validation.h"

namespace slussen::adapters::letter {
namespace {

namespace fs = std::filesystem;
using xml::Attr;
using xml::AttrOr;
using xml::Child;
using xml::Children;
using xml::Diagnostics;

constexpr std::string_view kNs = kLetterConfigNamespace;

// `p` as given if absolute, else against the config file's directory (absolute, so that the
// command's cwd does not matter).
std::string Resolve(const std::string& p, const fs::path& base) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  std::error_code ec;
  const fs::path abs = fs::absolute(base / p, ec);
  return (ec ? base / p : abs).lexically_normal().string();
}

std::vector<std::string> Lines(const xmlNode* address) {
  std::vector<std::string> lines;
  for (const xmlNode* l : Children(address, kNs, "line")) lines.push_back(xml::Text(l));
  return lines;
}

std::chrono::seconds Seconds(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<std::chrono::seconds>(ms);
}

// ValidateLetterConfig's problems at the line of the element each is about.
void AddProblems(const std::string& problems, const xmlNode* root, Diagnostics& diag) {
  std::istringstream in(problems);
  std::string line;
  while (std::getline(in, line)) {
    const char* element = nullptr;
    if (line.rfind("recipient", 0) == 0 || line.rfind("no recipients", 0) == 0) {
      element = "recipients";
    } else if (line.rfind("spool", 0) == 0) {
      element = "spool";
    } else if (line.rfind("send command", 0) == 0) {
      element = "command";
    } else if (line.rfind("sending hospital", 0) == 0) {
      element = "hospital";
    }
    const xmlNode* at = element ? Child(root, kNs, element) : nullptr;
    diag.Add(at ? at : root, line);
  }
}

}  // namespace

Result<LetterAdapterConfig> LoadLetterAdapterConfig(const std::string& path) {
  Diagnostics diag(path);
  const xml::DocPtr doc = xml::LoadValidatedXml(path,
                                                {.what = "config",
                                                 .ns = kNs,
                                                 .root = "slussen-letter",
                                                 .xsd = EmbeddedLetterXsd(),
                                                 .schema_name = "letter.xsd (built in)"},
                                                diag);
  if (doc == nullptr) return diag.ToError();
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  const fs::path base = fs::path(path).parent_path().empty() ? fs::path(".")
                                                             : fs::path(path).parent_path();

  LetterAdapterConfig c;
  c.hub = adapter::ReadHubConnection(Child(root, kNs, "hub"), kNs, diag);

  if (const xmlNode* r = Child(root, kNs, "receive")) {
    c.max_in_flight = static_cast<int>(xml::NumberAttr(r, "max-in-flight", 8, diag));
    c.workers = static_cast<int>(xml::NumberAttr(r, "workers", 2, diag));
    if (c.max_in_flight > 10000) diag.Add(r, "max-in-flight must be at most 10000");
    if (c.workers > 256) diag.Add(r, "workers must be at most 256");
  }

  const xmlNode* h = Child(root, kNs, "hospital");
  c.letter.hospital.name = AttrOr(h, "name");
  c.letter.hospital.phone = AttrOr(h, "phone");
  c.letter.hospital.address_lines = Lines(Child(h, kNs, "address"));

  const xmlNode* rs = Child(root, kNs, "recipients");
  for (const xmlNode* r : Children(rs, kNs, "recipient")) {
    Recipient rec;
    rec.id = AttrOr(r, "id");
    rec.unit_name = AttrOr(r, "name");
    rec.hsa_id = AttrOr(r, "hsa-id");
    rec.fax = AttrOr(r, "fax");
    rec.address_lines = Lines(Child(r, kNs, "address"));
    c.letter.recipients.push_back(std::move(rec));
  }
  c.default_recipient = AttrOr(rs, "default");
  if (!c.default_recipient.empty() && FindRecipient(c.letter, c.default_recipient) == nullptr) {
    diag.Add(rs, "default '" + c.default_recipient + "' is not one of the recipients");
  }

  const xmlNode* s = Child(root, kNs, "spool");
  c.letter.spool.dir = Resolve(AttrOr(s, "dir"), base);
  std::chrono::milliseconds keep_sent = std::chrono::hours(7 * 24);
  std::chrono::milliseconds keep_unsent = keep_sent;
  config::DurationAttr(s, "keep-sent", keep_sent, diag);
  config::DurationAttr(s, "keep-unsent", keep_unsent, diag);
  config::DurationAttr(s, "cleanup-interval", c.cleanup_interval, diag);
  c.letter.spool.keep_sent = Seconds(keep_sent);
  c.letter.spool.keep_unsent = Seconds(keep_unsent);
  c.letter.spool.group = AttrOr(s, "group");
  if (c.cleanup_interval < std::chrono::seconds(1)) {
    diag.Add(s, "cleanup-interval must be at least 1s");
  }

  const xmlNode* cmd = Child(root, kNs, "command");
  for (const xmlNode* a : Children(cmd, kNs, "arg")) {
    const std::string text = xml::Text(a);
    c.letter.command.argv.push_back(Attr(a, "relative-to") ? Resolve(text, base) : text);
  }
  std::chrono::milliseconds timeout = c.letter.command.timeout;
  config::DurationAttr(cmd, "timeout", timeout, diag);
  c.letter.command.timeout = timeout;
  if (timeout <= std::chrono::milliseconds(0)) diag.Add(cmd, "timeout must be more than 0");
  if (auto max = Attr(cmd, "max-output")) {
    const auto bytes = config::ParseByteSize(*max);
    if (!bytes || *bytes > (64u << 20)) {
      diag.Add(cmd, "max-output must be a size of at most 64M");
    } else {
      c.letter.command.max_output = static_cast<std::size_t>(*bytes);
    }
  }

  if (diag.empty()) {
    if (Status st = ValidateLetterConfig(c.letter); !st.ok()) AddProblems(st.error(), root, diag);
  }
  if (!diag.empty()) return diag.ToError();
  return c;
}

}  // namespace slussen::adapters::letter
