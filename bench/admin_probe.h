#pragma once
// The admin scenario's HTTP side: operator tokens for the hub's config, and the latency of
// sequential requests to one admin endpoint, timed with cpp-httplib's client as a dashboard or
// slussenctl would make them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace slussen::bench {

// The argon2id hash of `token` as the config wants it, made as an operator makes it
// (`slussen --hash-token`); empty with `error` if the hub binary could not make one.
std::string HashToken(const std::string& hub_binary, const std::string& token, std::string* error);

struct EndpointTiming {
  std::string path;
  int status = 0;          // of the first request; 0 if there was no answer
  double first_ms = 0;     // the first request, not counted below (cold caches, token check)
  std::vector<double> ms;  // the `requests` timed ones, in order
  std::size_t bytes = 0;   // body of the last answer
  std::string error;       // no answer, or a status other than the first's
  double median_ms() const;
  double p99_ms() const;  // nearest rank
  double max_ms() const;
};

// GETs `path` from `endpoint` ("HOST:PORT") once, then `requests` times in sequence, each on a
// new connection, with `token` as bearer (none if empty). Stops after the first request if that
// one did not answer 200 (the caller decides whether that is an error or a missing page).
EndpointTiming TimeEndpoint(const std::string& endpoint, const std::string& path,
                            const std::string& token, int requests);

nlohmann::json TimingJson(const EndpointTiming& t, double target_ms);

// One GET, the body (empty with `error` unless 200).
std::string GetBody(const std::string& endpoint, const std::string& path, const std::string& token,
                    std::string* error);

}  // namespace slussen::bench
