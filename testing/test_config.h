#pragma once
// The configuration of a hub under test, for the integration tests and the benchmark: written as
// the XML file `slussen --config` reads, from a small struct whose defaults are what the
// integration tests use: listener on 127.0.0.1 port 0 (ephemeral), the store next to the config,
// kommuner 1380 and 1383, one vårdcentral, one fixed destination, one hospital sender and one
// kommun sender, and routes for every kind.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace slussen::testing {

// Identifiers used by the test config (and by the envelopes in test_envelopes.h).
inline constexpr char kTestHospital[] = "SE2321000115-SH01";
inline constexpr char kTestKommunSender[] = "SE2120001380-SOC1";
inline constexpr char kTestVardcentral[] = "SE2321000115-VC01";
inline constexpr char kTestKommun[] = "1380";
inline constexpr char kTestOtherKommun[] = "1383";
inline constexpr char kTestFixedDestination[] = "ehr-halland";

// The kinds a hospital sends, as a may-send list.
inline constexpr char kHospitalKinds[] =
    "Inskrivningsmeddelande EstimatedDischargeChanged Planeringsunderlag Utskrivningsklar "
    "UtskrivningsklarWithdrawn KallelseSip Utskrivningsmeddelande Cancellation";

// An adapter entry for tests that are not about entitlements: any local client that does not
// authenticate may send as any sender, receive from any destination and send any receipt.
inline constexpr char kOpenTestAdapter[] =
    "<adapter name=\"local-test\"><login anonymous=\"true\"/><sends as=\"*\"/>"
    "<reads destinations=\"*\"/><receipts-for destinations=\"*\"/></adapter>";

struct TestConfigOptions {
  std::string hub_name = "test";
  std::string host = "127.0.0.1";
  int port = 0;
  // <amqp plain="...">: "allow" (default: the tests' plain loopback listener) or "refuse".
  std::string amqp_plain = "allow";
  // Children of <amqp> (a <tls> element), verbatim.
  std::string amqp_children;
  // Broker mode: the <broker> element, verbatim, in place of <amqp> (testing/rabbitmq_node.h).
  std::string broker_element;
  // The content of <adapters>, verbatim; empty = no element (every connection refused).
  std::string adapters = kOpenTestAdapter;
  std::string store_path = "hub.db";  // relative to the config file's directory
  // Further attributes of <store>, verbatim, e.g. max-bytes="1M" resume-below="512k".
  std::string store_attributes;
  // <store flush-interval>: 0 by default here, because most tests read the store through a
  // connection of their own right after an acknowledgement; empty: the hub's default (the crash
  // tests of the durable write path, which need the database behind the journal).
  std::string store_flush_interval = "0ms";
  std::optional<std::size_t> max_message_bytes;
  // Further attributes of <limits>, verbatim (name, value), for limits newer than this builder.
  std::vector<std::pair<std::string, std::string>> extra_limits;
  // Attributes of <transport> (bounds of the AMQP listener), verbatim; empty = no element.
  std::string transport_attributes;
  // The <admin> element, verbatim; empty = none.
  std::string admin_element;
  // Elements after it at the end of <hub> (<logging>, <audit>, <retention>), verbatim.
  std::string hub_tail;
  std::vector<std::string> kommuner = {kTestKommun, kTestOtherKommun};
  // hsa-id, name.
  std::vector<std::pair<std::string, std::string>> vardcentraler = {
      {kTestVardcentral, "VC Andersberg"}};
  // id, name; none = no <destinations> element.
  std::vector<std::pair<std::string, std::string>> destinations = {
      {kTestFixedDestination, "EHR"}};
  struct Sender {
    std::string hsa_id, name, may_send;  // may_send: kind names, space-separated
  };
  std::vector<Sender> senders = {
      {kTestHospital, "Sjukhus",
       std::string(kHospitalKinds) + " ClockStopper Utskrivning SipBedomning"},
      {kTestKommunSender, "Halmstads kommun", "PlaneringsunderlagSvar Receipt"}};
  struct Route {
    std::string event;
    bool kommun = false;
    bool primary_care = false;
    std::string to;  // fixed destinations, space-separated
  };
  std::vector<Route> routes = DefaultRoutes();
  // The content of <minimum-dataset> (<strip .../> elements), verbatim; empty = no element.
  std::string minimum_dataset;
  // The content of <delivery>, verbatim (<defaults for="..."> elements); empty = no element.
  std::string delivery;
  // Delivery policy elements (<retry/>, <receipt/>, <flow/>, <maintenance-window/>, in that
  // order), verbatim, inside the receiver of a destination id: "kommun-1380", "vc-<hsa-id>",
  // or a fixed destination's id.
  std::map<std::string, std::string> policy_elements;

  // Every hospital kind to kommun and primary care.
  static std::vector<Route> HospitalRoutes();
  // HospitalRoutes(), the clock stopper to the kommun, answers to ehr-halland, receipts nowhere.
  static std::vector<Route> DefaultRoutes();
};

// The XML text.
std::string TestConfigXml(const TestConfigOptions& options = {});
// Writes `name` (default hub.xml) into the directory `dir`; returns its path.
std::string WriteTestConfig(const std::string& dir, const TestConfigOptions& options = {},
                            const std::string& name = "hub.xml");

// Destination ids as the hub names them.
inline std::string KommunDestination(const std::string& kod) { return "kommun-" + kod; }
inline std::string VardcentralDestination(const std::string& hsa) { return "vc-" + hsa; }
inline std::string OutAddress(const std::string& destination) { return "out/" + destination; }

}  // namespace slussen::testing
