#include "adapters/municipality/municipality_config.h"

#include <charconv>

#include "xml/quantities.h"
#include "xml/xml_validation.h"

namespace slussen::municipality {
namespace {

std::optional<int> ParsePort(std::string_view s) {
  int port = -1;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (ec != std::errc() || end != s.data() + s.size() || port < 0 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// "host:port" or "[v6]:port" into host (brackets removed) and port.
bool SplitHostPort(std::string_view s, std::string& host, std::string_view& port) {
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return false;
    host = std::string(s.substr(1, close - 1));
    port = s.substr(close + 2);
    return !host.empty();
  }
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  host = std::string(s.substr(0, colon));
  port = s.substr(colon + 1);
  return !host.empty() && host.find(':') == std::string::npos;
}

}  // namespace

std::string HttpTarget::SchemeHostPort() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(https ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

Result<HttpTarget> ParseHttpUrl(std::string_view url) {
  HttpTarget t;
  std::string_view rest;
  if (url.starts_with("https://")) {
    t.https = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return Error{"the URL must start with http:// or https://", ErrorCode::kInvalidArgument};
  }
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return Error{"the URL must not hold a user or password", ErrorCode::kInvalidArgument};
  }
  std::string_view port;
  const bool bracketed = !authority.empty() && authority.front() == '[';
  const bool has_port = bracketed ? authority.find("]:") != std::string_view::npos
                                  : authority.find(':') != std::string_view::npos;
  if (has_port) {
    if (!SplitHostPort(authority, t.host, port)) {
      return Error{"the URL's host and port are malformed", ErrorCode::kInvalidArgument};
    }
    const auto p = ParsePort(port);
    if (!p || *p == 0) return Error{"the URL's port is not 1-65535", ErrorCode::kInvalidArgument};
    t.port = *p;
  } else {
    t.host = std::string(
        bracketed && authority.size() > 2 ? authority.substr(1, authority.size() - 2) : authority);
    t.port = t.https ? 443 : 80;
  }
  if (t.host.empty()) return Error{"the URL names no host", ErrorCode::kInvalidArgument};
  return t;
}

Result<Listen> ParseHostPort(std::string_view text) {
  Listen l;
  std::string_view port;
  if (!SplitHostPort(text, l.host, port)) {
    return Error{"not HOST:PORT", ErrorCode::kInvalidArgument};
  }
  const auto p = ParsePort(port);
  if (!p) return Error{"the port is not 0-65535", ErrorCode::kInvalidArgument};
  l.port = *p;
  return l;
}

Result<MunicipalityConfig> LoadMunicipalityConfig(const std::string& path) {
  xml::Diagnostics diag(path);
  const xml::DocPtr doc = xml::LoadValidatedXml(path,
                                                {.what = "municipality adapter config",
                                                 .ns = kNamespace,
                                                 .root = "municipality",
                                                 .xsd = EmbeddedMunicipalityXsd(),
                                                 .schema_name = "municipality.xsd (built in)"},
                                                diag);
  if (doc == nullptr) return diag.ToError();
  const xmlNode* root = xmlDocGetRootElement(doc.get());

  MunicipalityConfig c;
  c.hub = adapter::ReadHubConnection(xml::Child(root, kNamespace, "hub"), kNamespace, diag);

  const xmlNode* serves = xml::Child(root, kNamespace, "serves");
  for (const xmlNode* d : xml::Children(serves, kNamespace, "destination")) {
    c.destinations.push_back(xml::AttrOr(d, "id"));
  }
  c.sender_hsa_id = xml::AttrOr(serves, "sender-hsa-id");
  c.max_in_flight = static_cast<int>(xml::NumberAttr(serves, "max-in-flight", 4, diag));

  const xmlNode* system = xml::Child(root, kNamespace, "system");
  c.system_url = xml::AttrOr(system, "url");
  if (auto target = ParseHttpUrl(c.system_url)) {
    c.system = *target;
  } else {
    diag.Add(system, "url: " + target.error());
  }
  config::DurationAttr(system, "connect-timeout", c.connect_timeout, diag);
  config::DurationAttr(system, "timeout", c.timeout, diag);
  if (c.connect_timeout.count() == 0 || c.timeout.count() == 0) {
    diag.Add(system, "connect-timeout and timeout must be longer than 0");
  }
  if (const xmlNode* tls = xml::Child(system, kNamespace, "tls")) {
    c.tls_ca = xml::AttrOr(tls, "ca");
    c.tls_cert = xml::AttrOr(tls, "cert");
    c.tls_key = xml::AttrOr(tls, "key");
    if (c.tls_cert.empty() != c.tls_key.empty()) {
      diag.Add(tls, "cert and key come together: give both or neither");
    }
    if (!c.system.https) diag.Add(tls, "<tls> needs an https:// url");
  }

  const xmlNode* receipts = xml::Child(root, kNamespace, "receipts");
  if (auto listen = ParseHostPort(xml::AttrOr(receipts, "listen"))) {
    c.listen = *listen;
  } else {
    diag.Add(receipts, "listen: " + listen.error());
  }
  config::DurationAttr(receipts, "hub-timeout", c.hub_timeout, diag);
  if (c.hub_timeout.count() == 0) diag.Add(receipts, "hub-timeout must be longer than 0");
  const auto max_body = config::ParseByteSize(xml::AttrOr(receipts, "max-body", "1M"));
  if (!max_body || *max_body == 0 || *max_body > 64ull * 1024 * 1024) {
    diag.Add(receipts, "max-body must be 1 byte to 64M");
  } else {
    c.max_body = static_cast<std::size_t>(*max_body);
  }

  if (!diag.empty()) return diag.ToError();
  return c;
}

}  // namespace slussen::municipality
