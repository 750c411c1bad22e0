#include "testing/test_config.h"

#include <sstream>

#include "testing/files.h"

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

// The receiver element `open` (without its ">") closed at once, or holding the policy elements
// configured for `destination`.
std::string Receiver(const std::string& open, const TestConfigOptions& o,
                     const std::string& destination) {
  const auto it = o.policy_elements.find(destination);
  if (it == o.policy_elements.end() || it->second.empty()) return "    " + open + "/>\n";
  const std::string tag = open.substr(1, open.find(' ') - 1);
  return "    " + open + ">\n      " + it->second + "\n    </" + tag + ">\n";
}
}  // namespace

std::vector<TestConfigOptions::Route> TestConfigOptions::HospitalRoutes() {
  std::vector<Route> routes;
  std::istringstream kinds(kHospitalKinds);
  for (std::string kind; kinds >> kind;) routes.push_back({kind, true, true, ""});
  return routes;
}

std::vector<TestConfigOptions::Route> TestConfigOptions::DefaultRoutes() {
  std::vector<Route> routes = HospitalRoutes();
  routes.push_back({"ClockStopper", true, false, ""});
  routes.push_back({"PlaneringsunderlagSvar", false, false, kTestFixedDestination});
  routes.push_back({"Receipt", false, false, ""});
  routes.push_back({"Utskrivning", false, false, ""});  // the discharge fact: case tracking only
  routes.push_back({"SipBedomning", true, true, ""});
  return routes;
}

std::string TestConfigXml(const TestConfigOptions& o) {
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<slussen xmlns=\"urn:slussen:config:1\">\n"
    << "  <hub name=\"" << Esc(o.hub_name) << "\">\n";
  if (!o.broker_element.empty()) {
    x << "    " << o.broker_element << "\n";
  } else {
    x << "    <amqp host=\"" << Esc(o.host) << "\" port=\"" << o.port << "\" plain=\""
      << Esc(o.amqp_plain) << "\""
      << (o.amqp_children.empty() ? "/>\n" : ">" + o.amqp_children + "</amqp>\n");
  }
  x << "    <store path=\"" << Esc(o.store_path) << "\""
    << (o.store_flush_interval.empty() ? ""
                                       : " flush-interval=\"" + Esc(o.store_flush_interval) + "\"")
    << (o.store_attributes.empty() ? "" : " " + o.store_attributes) << "/>\n";
  if (o.max_message_bytes || !o.extra_limits.empty()) {
    x << "    <limits";
    if (o.max_message_bytes) x << " max-message-bytes=\"" << *o.max_message_bytes << "\"";
    for (const auto& [name, value] : o.extra_limits) x << " " << name << "=\"" << Esc(value) << "\"";
    x << "/>\n";
  }
  if (!o.transport_attributes.empty()) x << "    <transport " << o.transport_attributes << "/>\n";
  if (!o.admin_element.empty()) x << "    " << o.admin_element << "\n";
  if (!o.hub_tail.empty()) x << "    " << o.hub_tail << "\n";
  x << "  </hub>\n  <kommuner>\n";
  for (const auto& k : o.kommuner) {
    x << Receiver("<kommun kod=\"" + Esc(k) + "\"", o, "kommun-" + k);
  }
  x << "  </kommuner>\n  <vardcentraler>\n";
  for (const auto& [hsa, name] : o.vardcentraler) {
    x << Receiver("<vardcentral hsa-id=\"" + Esc(hsa) + "\" name=\"" + Esc(name) + "\"", o,
                  "vc-" + hsa);
  }
  x << "  </vardcentraler>\n";
  if (!o.destinations.empty()) {
    x << "  <destinations>\n";
    for (const auto& [id, name] : o.destinations) {
      x << Receiver("<destination id=\"" + Esc(id) + "\" name=\"" + Esc(name) + "\"", o, id);
    }
    x << "  </destinations>\n";
  }
  if (!o.delivery.empty()) x << "  <delivery>\n    " << o.delivery << "\n  </delivery>\n";
  x << "  <senders>\n";
  for (const auto& s : o.senders) {
    x << "    <sender hsa-id=\"" << Esc(s.hsa_id) << "\" name=\"" << Esc(s.name)
      << "\" may-send=\"" << Esc(s.may_send) << "\"/>\n";
  }
  x << "  </senders>\n";
  if (!o.adapters.empty()) x << "  <adapters>\n    " << o.adapters << "\n  </adapters>\n";
  x << "  <routes>\n";
  for (const auto& r : o.routes) {
    x << "    <route event=\"" << Esc(r.event) << "\"";
    if (r.kommun) x << " kommun=\"true\"";
    if (r.primary_care) x << " primary-care=\"true\"";
    if (!r.to.empty()) x << " to=\"" << Esc(r.to) << "\"";
    x << "/>\n";
  }
  x << "  </routes>\n";
  if (!o.minimum_dataset.empty()) {
    x << "  <minimum-dataset>\n    " << o.minimum_dataset << "\n  </minimum-dataset>\n";
  }
  x << "</slussen>\n";
  return x.str();
}

std::string WriteTestConfig(const std::string& dir, const TestConfigOptions& options,
                            const std::string& name) {
  const std::string path = dir + "/" + name;
  WriteFile(path, TestConfigXml(options));
  return path;
}

}  // namespace slussen::testing
