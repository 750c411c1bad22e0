#include "testing/log_scan.h"

#include <regex>
#include <sstream>

#include "testing/test_envelopes.h"

namespace slussen::testing {

std::vector<std::string> PatientDataInLog(const std::string& log) {
  static const std::regex kUuid(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  // YYYYMMDD[-]NNNN with a real month and a day of 01-31, or 61-91 (samordningsnummer).
  static const std::regex kNumber(
      "(^|[^0-9])(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])"
      "[-+]?[0-9]{4}([^0-9]|$)");
  std::vector<std::string> needles;
  for (const auto& p : TestPersonnummer()) {
    needles.push_back(p);
    needles.push_back(p.substr(0, 8) + "-" + p.substr(8));
  }
  static const std::regex kNames(std::string("(^|[^A-Za-z])(") + kTestGivenName + "|" +
                                 kTestFamilyName + ")([^A-Za-z]|$)");
  std::vector<std::string> found;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const std::string without_uuids = std::regex_replace(line, kUuid, "<uuid>");
    bool hit = std::regex_search(without_uuids, kNumber) || std::regex_search(line, kNames);
    for (const auto& n : needles) hit = hit || line.find(n) != std::string::npos;
    if (hit) found.push_back(line.substr(0, 300));
  }
  return found;
}

}  // namespace slussen::testing
