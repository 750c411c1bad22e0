#include "server/ehr_config.h"

#include <charconv>

#include "xml/quantities.h"
#include "xml/xml_validation.h"

namespace slussen::ehr {
namespace {

constexpr std::string_view kNs = kConfigNamespace;

void ListenAttr(const xmlNode* n, ListenAddress& out, xml::Diagnostics& diag) {
  auto parsed = ParseListenAddress(xml::AttrOr(n, "listen"));
  if (!parsed) {
    diag.Add(n, "listen: " + parsed.error());
    return;
  }
  out = *parsed;
}

void ByteSizeAttr(const xmlNode* n, const char* name, std::size_t& out, xml::Diagnostics& diag) {
  const auto text = xml::Attr(n, name);
  if (!text) return;
  const auto bytes = config::ParseByteSize(*text);
  // Below 1 KiB no real message fits; the bound is what keeps a peer from costing us memory.
  if (!bytes || *bytes < 1024 || *bytes > (uint64_t{1} << 30)) {
    diag.Add(n, std::string(name) + ": must be between 1k and 1G");
    return;
  }
  out = static_cast<std::size_t>(*bytes);
}

void PositiveDuration(const xmlNode* n, const char* name, std::chrono::milliseconds& out,
                      xml::Diagnostics& diag) {
  if (config::DurationAttr(n, name, out, diag) && out.count() <= 0) {
    diag.Add(n, std::string(name) + ": must be longer than 0");
  }
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Error{"expected HOST:PORT", ErrorCode::kInvalidArgument};
  }
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return Error{"an IPv6 host goes in brackets: [::1]:PORT", ErrorCode::kInvalidArgument};
    }
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = text.substr(colon + 1);
  int port = -1;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return Error{"the port must be a number from 0 to 65535", ErrorCode::kInvalidArgument};
  }
  return ListenAddress{std::string(host), port};
}

Result<EhrConfig> LoadEhrConfig(const std::string& path) {
  xml::Diagnostics diag(path);
  const xml::DocumentSpec spec{.what = "EHR adapter config",
                               .ns = kNs,
                               .root = "ehr",
                               .xsd = EmbeddedEhrConfigXsd(),
                               .schema_name = "schemas/adapters/ehr.xsd"};
  xml::DocPtr doc = xml::LoadValidatedXml(path, spec, diag);
  if (!doc) return diag.ToError();
  const xmlNode* root = xmlDocGetRootElement(doc.get());

  EhrConfig c;
  c.hub = adapter::ReadHubConnection(xml::Child(root, kNs, "hub"), kNs, diag);
  if (c.hub.container_id.empty()) c.hub.container_id = "slussen-ehr";

  if (const xmlNode* m = xml::Child(root, kNs, "mllp")) {
    ListenAttr(m, c.mllp.listen, diag);
    ByteSizeAttr(m, "max-frame-bytes", c.mllp.max_frame_bytes, diag);
    c.mllp.max_connections =
        static_cast<int>(xml::NumberAttr(m, "max-connections", 16, diag));
    PositiveDuration(m, "idle-timeout", c.mllp.idle_timeout, diag);
    PositiveDuration(m, "ack-timeout", c.mllp.ack_timeout, diag);
  }
  if (const xmlNode* h = xml::Child(root, kNs, "http")) {
    ListenAttr(h, c.http.listen, diag);
    ByteSizeAttr(h, "max-body-bytes", c.http.max_body_bytes, diag);
    c.http.threads = static_cast<int>(xml::NumberAttr(h, "threads", 8, diag));
    PositiveDuration(h, "send-timeout", c.http.send_timeout, diag);
    PositiveDuration(h, "retry-after", c.http.retry_after, diag);
  }
  if (const xmlNode* m = xml::Child(root, kNs, "mapping")) {
    c.mapping.sender_hsa_id = xml::AttrOr(m, "sender-hsa-id");
    c.mapping.care_unit_hsa_id = xml::AttrOr(m, "care-unit-hsa-id");
    c.mapping.care_unit_from_pv1 = xml::BoolAttr(m, "care-unit-from-pv1");
    c.mapping.z_segment = xml::AttrOr(m, "z-segment", "ZSP");
    c.mapping.processing_id = xml::AttrOr(m, "processing-id", "P");
    for (const xmlNode* r : xml::Children(m, kNs, "reservnummer")) {
      c.mapping.reservnummer_oids.push_back(xml::AttrOr(r, "oid"));
    }
  }
  if (const xmlNode* a = xml::Child(root, kNs, "ack")) {
    c.ack.application = xml::AttrOr(a, "application", "SLUSSEN");
    c.ack.facility = xml::AttrOr(a, "facility");
  }
  if (const xmlNode* s = xml::Child(root, kNs, "shutdown")) {
    config::DurationAttr(s, "grace", c.stop_grace, diag);
  }
  if (!diag.empty()) return diag.ToError();
  return c;
}

}  // namespace slussen::ehr
