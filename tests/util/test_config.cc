#include "util/test_config.h"

#include <sstream>

namespace slussen::testing {

namespace {
std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

constexpr char kDefaultRoutes[] = R"(    <route event="Inskrivningsmeddelande" kommun="true" primary-care="true"/>
    <route event="EstimatedDischargeChanged" kommun="true" primary-care="true"/>
    <route event="Planeringsunderlag" kommun="true" primary-care="true"/>
    <route event="Utskrivningsklar" kommun="true" primary-care="true"/>
    <route event="UtskrivningsklarWithdrawn" kommun="true" primary-care="true"/>
    <route event="KallelseSip" kommun="true" primary-care="true"/>
    <route event="Utskrivningsmeddelande" kommun="true" primary-care="true"/>
    <route event="Cancellation" kommun="true" primary-care="true"/>
    <route event="ClockStopper" kommun="true"/>
    <route event="PlaneringsunderlagSvar" to="ehr-halland"/>
    <route event="Receipt"/>
)";
}  // namespace

std::string TestConfigXml(const TestConfigOptions& o) {
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<slussen xmlns=\"urn:slussen:config:1\">\n"
    << "  <hub name=\"" << Esc(o.hub_name) << "\">\n"
    << "    <amqp host=\"" << Esc(o.host) << "\" port=\"" << o.port << "\"/>\n"
    << "    <store path=\"" << Esc(o.store_path) << "\"/>\n";
  if (o.max_message_bytes) {
    x << "    <limits max-message-bytes=\"" << *o.max_message_bytes << "\"/>\n";
  }
  if (!o.transport_attributes.empty()) x << "    <transport " << o.transport_attributes << "/>\n";
  x << "  </hub>\n  <kommuner>\n";
  for (const auto& k : o.kommuner) x << "    <kommun kod=\"" << Esc(k) << "\"/>\n";
  x << "  </kommuner>\n  <vardcentraler>\n";
  for (const auto& [hsa, name] : o.vardcentraler) {
    x << "    <vardcentral hsa-id=\"" << Esc(hsa) << "\" name=\"" << Esc(name) << "\"/>\n";
  }
  x << "  </vardcentraler>\n  <destinations>\n";
  for (const auto& [id, name] : o.destinations) {
    x << "    <destination id=\"" << Esc(id) << "\" name=\"" << Esc(name) << "\"/>\n";
  }
  x << "  </destinations>\n  <senders>\n";
  for (const auto& s : o.senders) {
    x << "    <sender hsa-id=\"" << Esc(s.hsa_id) << "\" name=\"" << Esc(s.name)
      << "\" may-send=\"" << Esc(s.may_send) << "\"/>\n";
  }
  x << "  </senders>\n  <routes>\n"
    << (o.routes_xml.empty() ? std::string(kDefaultRoutes) : o.routes_xml) << "  </routes>\n"
    << "</slussen>\n";
  return x.str();
}

std::string WriteTestConfig(const TempDir& dir, const TestConfigOptions& options,
                            const std::string& name) {
  const std::string path = dir.File(name);
  WriteFile(path, TestConfigXml(options));
  return path;
}

}  // namespace slussen::testing
