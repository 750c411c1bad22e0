// Scenario: the admin API at scale (issue 12: the dashboard "stays usable at 100,000 queued events
// and 10,000 open cases"). The hub runs with an admin listener and a viewer and an operator
// token; events wait for destinations that have no receiver, spread over open cases of which a
// share has a missed or at-risk deadline, plus closed (discharged) cases, and one destination
// rejects what it gets so that dead letters exist. Then each endpoint the dashboard and slussenctl
// read is asked K times in sequence: median, p99 and max latency, response size, and the hub's
// RSS before and after. Target (reported, not enforced): p99 <= 250 ms per endpoint.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

#include "admin_probe.h"
#include "hub_client.h"
#include "payload.h"
#include "proc_stats.h"
#include "report.h"
#include "scenario_util.h"
#include "slussen_sut.h"
#include "testing/test_config.h"

namespace slussen::bench {
namespace {

constexpr double kTargetMs = 250;
constexpr char kViewerToken[] = "bench-viewer-token-0123456789abcdef";
constexpr char kOperatorToken[] = "bench-operator-token-0123456789abcdef";
// Patient 1 (kommun 1380, VC01) carries the queued cases; patient 4 (kommun 1383, VC03) the ones
// whose kommun rejects everything (dead letters there, queued at VC03).
constexpr int kQueuedPatient = 1;
constexpr int kRejectedPatient = 4;

constexpr bool kOnTime = true, kLate = false;  // the inskrivningsmeddelande's deadline

CaseShape Shape(int events, bool on_time, std::optional<int> estimate_hours_ago = std::nullopt,
                bool without_inskrivning = false) {
  CaseShape s;
  s.events = events;
  s.without_inskrivning = without_inskrivning;
  s.inskrivning_on_time = on_time;
  s.estimate_hours_ago = estimate_hours_ago;
  return s;
}

// One kind of case in the fill: `cases` of them, each shaped by `shape` (payload.h).
struct Block {
  std::string name;
  CaseShape shape;
  uint64_t cases = 0;
  bool open = true;
  uint64_t events() const { return cases * static_cast<uint64_t>(shape.sent()); }
};

// The mix: of the open cases a tenth with no inskrivningsmeddelande at all (missed and unmet:
// ranked first), a tenth with it late (days after the admission: missed, done late), both with
// the estimated day passed (information transfer at risk), a fifth at risk only (estimate
// passed, on time otherwise), the rest newly admitted and on time; the events left
// over are discharged cases (closed), a fifth of them with the inskrivningsmeddelande late (a
// missed deadline that stays on the list, ranked last), and a remainder of fewer than six events
// makes that many more new admissions.
std::vector<Block> Mix(uint64_t queued, uint64_t open_cases, uint64_t rejected_events,
                       std::string* error) {
  const uint64_t missing = open_cases / 10, late = open_cases / 10, at_risk = open_cases / 5;
  std::vector<Block> b = {
      {"open: admitted, on time", Shape(1, kOnTime), 0, true},
      {"open: estimate passed (at risk)", Shape(3, kOnTime, 30), at_risk, true},
      {"open: utskrivningsklar, inskrivning late (missed)", Shape(4, kLate, 30), late, true},
      {"open: utskrivningsklar, no inskrivning (missed, unmet)", Shape(4, kLate, 30, true), missing,
       true},
      {"discharged, on time", Shape(6, kOnTime), 0, false},
      {"discharged, inskrivning late (missed, done late)", Shape(6, kLate), 0, false}};
  b[0].cases = open_cases - missing - late - at_risk;
  const uint64_t fixed =
      b[0].events() + b[1].events() + b[2].events() + b[3].events() + rejected_events;
  if (queued < fixed) {
    *error = "--queued " + std::to_string(queued) + " is too few for --open-cases " +
             std::to_string(open_cases) + " and the dead letters: at least " +
             std::to_string(fixed);
    return {};
  }
  const uint64_t discharged = (queued - fixed) / 6;
  b[5].cases = discharged / 5;
  b[4].cases = discharged - b[5].cases;
  b[0].cases += (queued - fixed) % 6;
  return b;
}

// Sends the rejected patient's discharged cases while a receiver rejects everything at its
// kommun; waits until each was rejected (each is then a dead letter: a rejection is final).
bool MakeDeadLetters(SlussenSut& hub, uint64_t events, std::size_t size, nlohmann::json& j,
                     std::string* error) {
  const PayloadFactory payloads(kRejectedPatient, size, Shape(6, kOnTime));
  client::HubClient receiver(hub.url(), "bench-admin-rejecting");
  if (!receiver.Connect(std::chrono::seconds(10), error)) return false;
  std::atomic<uint64_t> rejected{0};
  const std::string address = hub.addresses(1)[0];  // kommun-1383
  const auto reject = [&](const client::IncomingMessage&) {
    ++rejected;
    return client::Disposition::kReject;
  };
  if (receiver.Receive(address, reject, 100, error) < 0) return false;
  Note("[admin] " + Thousands(double(events)) + " events to " + address + ", which rejects them");
  const Queued q = QueueEvents(hub, payloads, events, 1000);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (rejected < q.stats.accepted && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  receiver.Close();
  j["dead_letters"] = {{"destination", address},
                       {"sent", events},
                       {"accepted", q.stats.accepted},
                       {"rejected", rejected.load()}};
  if (q.stats.accepted != events || rejected < events) {
    *error = "dead letters: " + std::to_string(q.stats.accepted) + " accepted, " +
             std::to_string(rejected.load()) + " rejected of " + std::to_string(events) + " " +
             q.stats.error;
    return false;
  }
  return true;
}

// The depths the hub reports once it has counted the outbox after the fill (null until then).
nlohmann::json WaitForDepths(const SlussenSut& hub, uint64_t expected_total) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  nlohmann::json depths = nlohmann::json::object();
  while (std::chrono::steady_clock::now() < deadline) {
    std::string error;
    const std::string body =
        GetBody(hub.admin_endpoint(), "/api/v1/destinations", kViewerToken, &error);
    uint64_t total = 0;
    bool known = !body.empty();
    if (known) {
      depths = nlohmann::json::object();
      const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
      if (!parsed.contains("destinations")) {
        Note("[admin] /api/v1/destinations: not the JSON expected");
        return depths;
      }
      for (const auto& d : parsed.at("destinations")) {
        if (d.at("depth").is_null()) known = false;
        depths[d.at("destination").get<std::string>()] = {{"depth", d.at("depth")},
                                                          {"dead_letters", d.at("dead_letters")}};
        if (d.at("depth").is_number()) total += d.at("depth").get<uint64_t>();
      }
    }
    if (known && total >= expected_total) break;
    if (body.empty()) Note("[admin] waiting for the depths: " + error);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return depths;
}

// The hub's own count of unmet deadlines (slussen_deadlines_unmet{rule,state} of /metrics).
nlohmann::json UnmetDeadlines(const SlussenSut& hub) {
  std::string error;
  std::istringstream text(GetBody(hub.admin_endpoint(), "/metrics", kViewerToken, &error));
  nlohmann::json out = nlohmann::json::object();
  constexpr std::string_view kPrefix = "slussen_deadlines_unmet{";
  for (std::string line; std::getline(text, line);) {
    if (line.rfind(kPrefix, 0) != 0) continue;
    const auto close = line.find('}');
    if (close == std::string::npos) continue;
    const std::string labels = line.substr(kPrefix.size(), close - kPrefix.size());
    out[labels] = std::strtod(line.c_str() + close + 1, nullptr);
  }
  return out;
}

std::string OperatorElement(const std::string& name, const std::string& role,
                            const std::string& hash) {
  return "<operator name=\"" + name + "\" role=\"" + role + "\" token-hash=\"" + hash + "\"/>";
}

std::string Ms(double v) { return Fixed(v, v < 10 ? 2 : 1); }

}  // namespace

nlohmann::json ScenarioAdmin(const Args& args, const SutPaths& paths) {
  const bool quick = args.Has("quick");
  const uint64_t queued = args.U64("queued", quick ? 10000 : 100000);
  const uint64_t open_cases = args.U64("open-cases", quick ? 2000 : 10000);
  // Whole cases of six events, each event one dead letter.
  const uint64_t dead_events = (args.U64("dead-letters", quick ? 120 : 1200) + 5) / 6 * 6;
  const int requests = static_cast<int>(std::clamp<uint64_t>(args.U64("requests", 50), 1, 100000));
  const std::size_t size = args.U64("size", 1024);
  nlohmann::json j = {{"scenario", "admin API at scale"},
                      {"queued", queued},
                      {"open_cases_asked", open_cases},
                      {"requests_per_endpoint", requests},
                      {"target", "p99 <= 250 ms per endpoint"}};
  std::string error;
  const std::vector<Block> mix = Mix(queued, open_cases, dead_events, &error);
  if (mix.empty()) {
    std::cout << "  " << error << "\n";
    j.update({{"ok", false}, {"error", error}});
    return j;
  }
  const std::string viewer_hash = HashToken(paths.hub_binary, kViewerToken, &error);
  const std::string operator_hash =
      viewer_hash.empty() ? "" : HashToken(paths.hub_binary, kOperatorToken, &error);
  if (operator_hash.empty()) {
    std::cout << "  cannot make the operators' token hashes: " << error << "\n";
    j.update({{"ok", false}, {"error", error}});
    return j;
  }
  const PayloadFactory kommun_vc(kQueuedPatient, size), rejected_vc(kRejectedPatient, size);
  SlussenSut hub(paths, {{kommun_vc.kommunkod(), kommun_vc.vardcentral()},
                         {rejected_vc.kommunkod(), rejected_vc.vardcentral()}});
  hub.set_admin_element("<admin host=\"127.0.0.1\" port=\"0\">" +
                        OperatorElement("bench-viewer", "viewer", viewer_hash) +
                        OperatorElement("bench-operator", "operator", operator_hash) + "</admin>");
  if (!StartOrRecord(hub, "the hub", j)) return j;
  const ProcSample empty = SampleProcess(hub.pid());

  // The fill: dead letters first (their receiver leaves afterwards), then the queued cases.
  const int64_t fill_start = NowUs();
  bool ok = MakeDeadLetters(hub, dead_events, size, j, &error);
  uint64_t accepted = ok ? dead_events : 0, open = 0, closed = dead_events / 6;
  nlohmann::json blocks = nlohmann::json::array();
  for (const Block& b : mix) {
    if (!ok || b.cases == 0) continue;
    const PayloadFactory payloads(kQueuedPatient, size, b.shape);
    Note("[admin] queueing " + Thousands(double(b.cases)) + " cases, " + b.name);
    const Queued q = QueueEvents(hub, payloads, b.events(), 1000);
    accepted += q.stats.accepted;
    (b.open ? open : closed) += b.cases;
    blocks.push_back({{"cases", b.name},
                      {"count", b.cases},
                      {"events_per_case", b.shape.sent()},
                      {"events", b.events()},
                      {"accepted", q.stats.accepted},
                      {"mean_body_bytes", payloads.mean_body_size()},
                      {"in_events_per_s", q.in_per_s}});
    if (q.stats.accepted != b.events()) {
      ok = false;
      error = "queueing " + b.name + ": " + std::to_string(q.stats.accepted) + " of " +
              std::to_string(b.events()) + " accepted " + q.stats.error;
    }
  }
  const double fill_s = double(NowUs() - fill_start) / 1e6;
  // Every queued event waits at two destinations, a rejected one at its vårdcentral only.
  const nlohmann::json depths =
      ok ? WaitForDepths(hub, 2 * (queued - dead_events) + dead_events) : nlohmann::json::object();
  const nlohmann::json unmet = ok ? UnmetDeadlines(hub) : nlohmann::json::object();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const ProcSample before = SampleProcess(hub.pid());

  // The endpoints, as the dashboard and slussenctl read them. Pages another branch adds are
  // measured where they exist and skipped (404) where they do not.
  struct Probe {
    std::string path;
    const char* token;
    bool optional;
  };
  const Probe probes[] = {{"/api/v1/destinations", kViewerToken, false},
                          {"/api/v1/cases?limit=100", kViewerToken, false},
                          {"/api/v1/deadletters?limit=100", kOperatorToken, false},
                          {"/metrics", kViewerToken, false},
                          {"/healthz", "", false},
                          {"/", kViewerToken, true},
                          {"/api/v1/outcomes", kViewerToken, true}};
  std::vector<EndpointTiming> timings;
  std::vector<int64_t> rss_after;  // of the hub, after each endpoint's requests
  nlohmann::json endpoints = nlohmann::json::object(), skipped = nlohmann::json::array();
  bool all_met = true;
  const bool filled = ok;
  for (const Probe& p : probes) {
    if (!filled) break;
    Note("[admin] " + std::to_string(requests) + " x GET " + p.path);
    EndpointTiming t = TimeEndpoint(hub.admin_endpoint(), p.path, p.token, requests);
    if (p.optional && t.status == 404) {
      skipped.push_back(p.path + " (404: not in this build)");
      continue;
    }
    if (t.status != 200 || !t.error.empty()) {
      ok = false;
      error = "GET " + p.path + ": status " + std::to_string(t.status) + " " + t.error;
    }
    all_met = all_met && !t.ms.empty() && t.p99_ms() <= kTargetMs;
    endpoints[p.path] = TimingJson(t, kTargetMs);
    rss_after.push_back(SampleProcess(hub.pid()).rss_kb);
    endpoints[p.path]["hub_rss_after_kb"] = rss_after.back();
    timings.push_back(std::move(t));
  }
  const ProcSample after = SampleProcess(hub.pid());
  hub.Stop();

  std::cout << "  " << Thousands(double(accepted)) << " events queued in " << Fixed(fill_s, 0)
            << " s: " << Thousands(double(open)) << " open cases, " << Thousands(double(closed))
            << " discharged, " << Thousands(double(dead_events)) << " dead letters\n";
  std::cout << "  hub's unmet deadlines:";
  for (const auto& [k, v] : unmet.items()) std::cout << " " << k << "=" << v.get<double>();
  std::cout << "\n";
  Table table({"GET (" + std::to_string(requests) + " sequential requests)", "median ms", "p99 ms",
               "max ms", "first ms", "bytes", "hub RSS kB", "p99 <= 250 ms"});
  for (std::size_t i = 0; i < timings.size(); ++i) {
    const EndpointTiming& t = timings[i];
    table.Row({t.path, Ms(t.median_ms()), Ms(t.p99_ms()), Ms(t.max_ms()), Ms(t.first_ms),
               Thousands(double(t.bytes)), Thousands(double(rss_after[i])),
               Verdict(!t.ms.empty() && t.p99_ms() <= kTargetMs)});
  }
  table.Print(std::cout);
  for (const auto& s : skipped) std::cout << "  skipped " << s.get<std::string>() << "\n";
  std::cout << "  hub RSS: empty " << Thousands(double(empty.rss_kb)) << " kB, filled "
            << Thousands(double(before.rss_kb)) << " kB, after the requests "
            << Thousands(double(after.rss_kb)) << " kB, peak " << Thousands(double(after.hwm_kb))
            << " kB\n";
  std::cout << "  target p99 <= 250 ms on every endpoint: " << Verdict(ok && all_met) << "\n";
  if (!ok) std::cout << "  FAILED: " << error << "\n";
  j.update({{"accepted", accepted},
            {"open_cases", open},
            {"discharged_cases", closed},
            {"mix", blocks},
            {"fill_seconds", fill_s},
            {"destinations", depths},
            {"unmet_deadlines", unmet},
            {"endpoints", endpoints},
            {"skipped", skipped},
            {"rss_empty_kb", empty.rss_kb},
            {"rss_filled_kb", before.rss_kb},
            {"rss_after_requests_kb", after.rss_kb},
            {"peak_rss_kb", after.hwm_kb},
            {"target_p99_le_250ms", Verdict(ok && all_met)},
            {"ok", ok}});
  if (!ok) j["error"] = error;
  return j;
}

}  // namespace slussen::bench
