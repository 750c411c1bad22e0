#include "hub_config.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "synthetic_events.h"

namespace slussen::bench {

std::string WriteHubConfig(const std::string& dir,
                           const std::vector<std::pair<std::string, std::string>>& kommun_vc) {
  static constexpr const char* kHospitalKinds[] = {
      "Inskrivningsmeddelande",    "EstimatedDischargeChanged",
      "Planeringsunderlag",        "Utskrivningsklar",
      "UtskrivningsklarWithdrawn", "KallelseSip",
      "Utskrivningsmeddelande",    "Cancellation"};
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<slussen xmlns=\"urn:slussen:config:1\">\n"
    << "  <hub name=\"slussen-bench\">\n"
    << "    <amqp host=\"127.0.0.1\" port=\"0\"/>\n"
    << "    <store path=\"bench-hub.db\"/>\n"
    << "  </hub>\n  <kommuner>\n";
  for (const auto& [kommun, vc] : kommun_vc) x << "    <kommun kod=\"" << kommun << "\"/>\n";
  x << "  </kommuner>\n  <vardcentraler>\n";
  for (const auto& [kommun, vc] : kommun_vc) {
    x << "    <vardcentral hsa-id=\"" << vc << "\" name=\"bench " << vc << "\"/>\n";
  }
  x << "  </vardcentraler>\n  <senders>\n"
    << "    <sender hsa-id=\"" << client::kSyntheticSender
    << "\" name=\"bench hospital\" may-send=\"";
  for (const char* kind : kHospitalKinds) x << kind << (kind == kHospitalKinds[7] ? "" : " ");
  x << "\"/>\n  </senders>\n  <routes>\n";
  for (const char* kind : kHospitalKinds) {
    x << "    <route event=\"" << kind << "\" kommun=\"true\" primary-care=\"true\"/>\n";
  }
  x << "  </routes>\n</slussen>\n";
  const std::string path = dir + "/bench-hub.xml";
  std::ofstream out(path);
  out << x.str();
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

}  // namespace slussen::bench
