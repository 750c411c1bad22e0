#pragma once
// The configuration of slussen-municipality (schemas/adapters/municipality.xsd, namespace
// urn:slussen:adapter:municipality:1): the hub connection, the destinations it delivers, the
// system it POSTs to, and the endpoint where that system posts its kvittenser and answers.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "runtime/hub_connection_config.h"

namespace slussen {
// The schema, compiled in (generated from schemas/adapters/municipality.xsd).
std::string_view EmbeddedMunicipalityXsd();
}  // namespace slussen

namespace slussen::municipality {

inline constexpr std::string_view kNamespace = "urn:slussen:adapter:municipality:1";

// An http(s) URL taken apart, for the HTTP client.
struct HttpTarget {
  bool https = false;
  std::string host;  // without brackets for IPv6
  int port = 0;      // the scheme's default when the URL names none
  std::string path;  // "/" when the URL names none
  // "http://host:port", what the HTTP client is built from.
  std::string SchemeHostPort() const;
};
// Parses "http[s]://HOST[:PORT][/PATH]"; the error says what is wrong.
Result<HttpTarget> ParseHttpUrl(std::string_view url);

// "HOST:PORT" or "[V6]:PORT" of a listener.
struct Listen {
  std::string host;
  int port = 0;
};
Result<Listen> ParseHostPort(std::string_view text);

struct MunicipalityConfig {
  adapter::HubConnectionConfig hub;
  std::vector<std::string> destinations;  // "kommun-1380", "vc-SE2321000115-VC01"
  std::string sender_hsa_id;              // what the system's own documents must name as sender
  int max_in_flight = 4;

  std::string system_url;  // as written, for the log
  HttpTarget system;
  std::string tls_ca, tls_cert, tls_key;  // empty: not configured
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{30000};

  Listen listen;
  std::chrono::milliseconds hub_timeout{30000};
  std::size_t max_body = 1024 * 1024;
};

// Reads and validates `path`: every problem, one per line, "<path>:<line>: <message>"
// (kInvalidArgument). The hub's password file is read here (ReadHubConnection).
Result<MunicipalityConfig> LoadMunicipalityConfig(const std::string& path);

}  // namespace slussen::municipality
