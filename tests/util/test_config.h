#pragma once
// Writes a hub configuration for integration tests: listener on 127.0.0.1 port 0 (ephemeral), the
// store next to the config in the test's temp dir, kommuner 1380 and 1383, one vårdcentral, one
// fixed destination, one hospital sender and one kommun sender, and routes for every kind.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/temp_dir.h"

namespace slussen::testing {

// Identifiers used by the test config (and by the envelopes in test_envelopes.h).
inline constexpr char kTestHospital[] = "SE2321000115-SH01";
inline constexpr char kTestKommunSender[] = "SE2120001380-SOC1";
inline constexpr char kTestVardcentral[] = "SE2321000115-VC01";
inline constexpr char kTestKommun[] = "1380";
inline constexpr char kTestOtherKommun[] = "1383";
inline constexpr char kTestFixedDestination[] = "ehr-halland";

struct TestConfigOptions {
  std::string hub_name = "test";
  std::string host = "127.0.0.1";
  int port = 0;
  std::string store_path = "hub.db";  // relative to the config file's directory
  std::optional<std::size_t> max_message_bytes;
  // Attributes of <transport> (bounds of the AMQP listener), verbatim; empty = no element.
  std::string transport_attributes;
  std::vector<std::string> kommuner = {kTestKommun, kTestOtherKommun};
  std::vector<std::pair<std::string, std::string>> vardcentraler = {
      {kTestVardcentral, "VC Andersberg"}};
  std::vector<std::pair<std::string, std::string>> destinations = {
      {kTestFixedDestination, "EHR"}};
  // hsa-id, name, may-send.
  struct Sender {
    std::string hsa_id, name, may_send;
  };
  std::vector<Sender> senders = {
      {kTestHospital, "Sjukhus",
       "Inskrivningsmeddelande EstimatedDischargeChanged Planeringsunderlag Utskrivningsklar "
       "UtskrivningsklarWithdrawn KallelseSip Utskrivningsmeddelande Cancellation "
       "ClockStopper"},
      {kTestKommunSender, "Halmstads kommun", "PlaneringsunderlagSvar Receipt"}};
  // The <route> elements, verbatim; empty = the default routes (every hospital kind to kommun
  // and primary care, answers to ehr-halland, receipts nowhere).
  std::string routes_xml;
};

// The XML text.
std::string TestConfigXml(const TestConfigOptions& options = {});
// Writes `name` (default hub.xml) into `dir`; returns its path.
std::string WriteTestConfig(const TempDir& dir, const TestConfigOptions& options = {},
                            const std::string& name = "hub.xml");

// Destination ids as the hub names them.
inline std::string KommunDestination(const std::string& kod) { return "kommun-" + kod; }
inline std::string VardcentralDestination(const std::string& hsa) { return "vc-" + hsa; }
inline std::string OutAddress(const std::string& destination) { return "out/" + destination; }

}  // namespace slussen::testing
