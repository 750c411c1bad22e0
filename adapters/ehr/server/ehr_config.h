#pragma once
// The EHR adapter's config file (schemas/adapters/ehr.xsd, namespace urn:slussen:adapter:ehr:1):
// the hub connection, the MLLP and HTTP listeners with their bounds, the ADT mapping's settings
// and who the adapter is in an ACK. adapters/ehr/README.md documents every setting.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "hl7/ack.h"
#include "mapping/config.h"
#include "runtime/hub_connection_config.h"

namespace slussen {
// The text of schemas/adapters/ehr.xsd with the adapters' common types, as built (generated).
std::string_view EmbeddedEhrConfigXsd();
}  // namespace slussen

namespace slussen::ehr {

inline constexpr std::string_view kConfigNamespace = "urn:slussen:adapter:ehr:1";

// A listener's address: "127.0.0.1:2575" or "[::1]:8081" (host without the brackets).
struct ListenAddress {
  std::string host;
  int port = 0;  // 0: any free port
};

struct MllpSettings {
  ListenAddress listen;
  std::size_t max_frame_bytes = 1 << 20;
  int max_connections = 16;
  std::chrono::milliseconds idle_timeout{600'000};
  // The longest one message waits for the hub's settlement before it is answered AE
  // "temporarily unavailable".
  std::chrono::milliseconds ack_timeout{10'000};
};

struct HttpSettings {
  ListenAddress listen;
  std::size_t max_body_bytes = 1 << 20;
  int threads = 8;
  std::chrono::milliseconds send_timeout{10'000};
  // Retry-After of a 503.
  std::chrono::milliseconds retry_after{30'000};
};

struct EhrConfig {
  adapter::HubConnectionConfig hub;
  MllpSettings mllp;
  HttpSettings http;
  MappingConfig mapping;
  hl7::AckIdentity ack;
  // SIGTERM: how long messages in flight get to finish.
  std::chrono::milliseconds stop_grace{10'000};
};

// Loads and validates `path`. The error lists every problem as "<path>:<line>: <message>".
Result<EhrConfig> LoadEhrConfig(const std::string& path);

// "HOST:PORT" (the schema's HostPort); kInvalidArgument when the port is over 65535 or a part
// is missing.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace slussen::ehr
