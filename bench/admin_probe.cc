#include "admin_probe.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>

#include "testing/child_process.h"

namespace slussen::bench {
namespace {

httplib::Headers Bearer(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

httplib::Client Client(const std::string& endpoint) {
  httplib::Client c("http://" + endpoint);
  // At scale a slow answer is a result to report, not a failure: a minute is "it hangs".
  c.set_read_timeout(60);
  c.set_connection_timeout(10);
  return c;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  // Nearest rank: the smallest value with at least p of the samples at or below it.
  std::size_t rank = static_cast<std::size_t>(p * static_cast<double>(v.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, v.size());
  return v[rank - 1];
}

}  // namespace

std::string HashToken(const std::string& hub_binary, const std::string& token, std::string* error) {
  const testing::ProcessResult r = testing::RunProcess(
      {"/bin/sh", "-c", "printf '%s\\n' \"$0\" | \"$1\" --hash-token", token, hub_binary});
  std::string hash = r.out;
  while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r')) hash.pop_back();
  if (!r.status.Ok() || hash.empty()) {
    *error = hub_binary + " --hash-token: " + r.status.ToString() + " " + r.err;
    return "";
  }
  return hash;
}

double EndpointTiming::median_ms() const { return Percentile(ms, 0.5); }
double EndpointTiming::p99_ms() const { return Percentile(ms, 0.99); }
double EndpointTiming::max_ms() const {
  return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
}

EndpointTiming TimeEndpoint(const std::string& endpoint, const std::string& path,
                            const std::string& token, int requests) {
  EndpointTiming t;
  t.path = path;
  const httplib::Headers headers = Bearer(token);
  for (int i = 0; i <= requests; ++i) {
    // A new client each time: one connection per request, as a page that polls with fetch() may
    // well make them; it costs a loopback connect (well under a millisecond).
    httplib::Client c = Client(endpoint);
    const auto start = std::chrono::steady_clock::now();
    const auto r = c.Get(path, headers);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!r) {
      t.error = "no answer: " + httplib::to_string(r.error());
      return t;
    }
    if (i == 0) {
      t.status = r->status;
      t.first_ms = ms;
      t.bytes = r->body.size();
      if (r->status != 200) return t;
      continue;
    }
    if (r->status != t.status) {
      t.error = "status " + std::to_string(r->status) + " after " + std::to_string(t.status);
      return t;
    }
    t.ms.push_back(ms);
    t.bytes = r->body.size();
  }
  return t;
}

nlohmann::json TimingJson(const EndpointTiming& t, double target_ms) {
  nlohmann::json j = {{"status", t.status},      {"first_ms", t.first_ms},
                      {"requests", t.ms.size()}, {"median_ms", t.median_ms()},
                      {"p99_ms", t.p99_ms()},    {"max_ms", t.max_ms()},
                      {"bytes", t.bytes},        {"ms", t.ms}};
  if (!t.ms.empty()) j["p99_le_target"] = t.p99_ms() <= target_ms;
  if (!t.error.empty()) j["error"] = t.error;
  return j;
}

std::string GetBody(const std::string& endpoint, const std::string& path, const std::string& token,
                    std::string* error) {
  httplib::Client c = Client(endpoint);
  const auto r = c.Get(path, Bearer(token));
  if (!r) {
    *error = path + ": no answer: " + httplib::to_string(r.error());
    return "";
  }
  if (r->status != 200) {
    *error = path + ": status " + std::to_string(r->status);
    return "";
  }
  return r->body;
}

}  // namespace slussen::bench
