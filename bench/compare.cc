// `slussen-bench compare`: the same load against the raw Proton ceiling, Slussen and RabbitMQ in
// one run, one table, one JSON file, with the ratios.
#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <limits>

#include "commands.h"
#include "fsync_probe.h"
#include "payload.h"
#include "phase.h"
#include "proc_stats.h"
#include "report.h"

namespace slussen::bench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kBrokerMissing = "not available (broker mode not implemented)";

struct Settings {
  uint64_t events = 100000;
  int repeat = 3;
  std::vector<double> rates{1000, 5000};
  double rate_seconds = 20;
  int window = 1000;
  int fsync_count = 300;
  uint64_t warmup = 5000;
};

struct SystemRun {
  std::string name;
  std::string skipped;  // why it did not run
  std::string error;    // why it stopped early
  FsyncResult fsync;
  std::vector<PhaseResult> all_out;
  std::vector<PhaseResult> rates;
  int64_t peak_rss_kb = 0;

  bool ran() const { return skipped.empty(); }
  bool ok() const {
    if (!ran() || !error.empty()) return false;
    for (const auto& r : all_out) if (!r.ok) return false;
    for (const auto& r : rates) if (!r.ok) return false;
    return true;
  }
  // The all-out run with the median input rate.
  const PhaseResult* Median() const {
    if (all_out.empty()) return nullptr;
    std::vector<const PhaseResult*> v;
    for (const auto& r : all_out) v.push_back(&r);
    std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->in_per_s < b->in_per_s; });
    return v[v.size() / 2];
  }
  const PhaseResult* AtRate(double rate) const {
    for (const auto& r : rates) if (r.rate == rate) return &r;
    return nullptr;
  }
};

void Progress(const std::string& system, const PhaseResult& r) {
  std::cerr << "[" << system << "] " << r.label << ": in " << Thousands(r.in_per_s)
            << " events/s, out " << Thousands(r.out_per_s) << " deliveries/s, p50 "
            << Thousands(static_cast<double>(r.latency_us.Percentile(50))) << " µs, p99 "
            << Thousands(static_cast<double>(r.latency_us.Percentile(99))) << " µs, SUT CPU "
            << Fixed(r.sut_cpu_cores, 2) << " cores" << (r.ok ? "" : ", FAILED: " + r.error)
            << "\n";
}

SystemRun RunSystem(Sut& sut, const PayloadFactory& payloads, const Settings& s) {
  SystemRun run;
  run.name = sut.name();
  std::cerr << "[" << run.name << "] starting\n";
  std::string error;
  if (!sut.Start(&error)) {
    run.error = error;
    std::cerr << "[" << run.name << "] " << error << "\n";
    return run;
  }
  // The disk is probed before and after the load (half each): on a shared machine it changes.
  run.fsync = MeasureFsync(sut.data_dir(), s.fsync_count / 2);
  std::cerr << "[" << run.name << "] fsync before, in " << sut.data_dir() << ": p50 "
            << run.fsync.us.Percentile(50) << " µs, p99 " << run.fsync.us.Percentile(99) << " µs\n";
  if (s.warmup > 0) {
    PhaseSpec warm{.label = "warm-up", .count = s.warmup, .window = s.window};
    const PhaseResult r = RunPhase(sut, payloads, warm);
    if (!r.ok) run.error = "warm-up: " + r.error;
  }
  for (int i = 0; run.error.empty() && i < s.repeat; ++i) {
    PhaseSpec spec{.label = "all-out " + std::to_string(i + 1) + "/" + std::to_string(s.repeat),
                   .count = s.events, .window = s.window};
    run.all_out.push_back(RunPhase(sut, payloads, spec));
    Progress(run.name, run.all_out.back());
  }
  for (double rate : s.rates) {
    if (!run.error.empty()) break;
    PhaseSpec spec{.label = "fixed " + Thousands(rate) + "/s", .seconds = s.rate_seconds,
                   .rate = rate, .window = s.window};
    run.rates.push_back(RunPhase(sut, payloads, spec));
    Progress(run.name, run.rates.back());
  }
  run.peak_rss_kb = SampleProcess(sut.pid()).hwm_kb;
  const FsyncResult after = MeasureFsync(sut.data_dir(), s.fsync_count - s.fsync_count / 2);
  std::cerr << "[" << run.name << "] fsync after: p50 " << after.us.Percentile(50) << " µs, p99 "
            << after.us.Percentile(99) << " µs\n";
  run.fsync.us.Add(after.us);
  run.fsync.ok = run.fsync.ok && after.ok;
  if (run.fsync.error.empty()) run.fsync.error = after.error;
  sut.Stop();
  return run;
}

double Ratio(double a, double b) { return (std::isnan(a) || std::isnan(b) || b == 0) ? kNaN : a / b; }

// One table row: a value per system, then slussen/rabbitmq and slussen/raw.
struct Metric {
  std::string label;
  std::function<double(const SystemRun&)> get;
  int decimals = 0;
};

}  // namespace

int RunCompare(const Args& args, const SutPaths& paths) {
  Settings s;
  const bool smoke = args.Has("smoke");
  if (smoke) {
    s.events = 2000;
    s.repeat = 1;
    s.rates = {200};
    s.rate_seconds = 2;
    s.fsync_count = 50;
    s.warmup = 0;
  }
  s.events = args.U64("events", s.events);
  s.repeat = static_cast<int>(args.U64("repeat", static_cast<uint64_t>(s.repeat)));
  s.rates = args.NumList("rate", s.rates);
  s.rate_seconds = args.Num("rate-seconds", s.rate_seconds);
  s.window = static_cast<int>(args.U64("window", static_cast<uint64_t>(s.window)));
  s.fsync_count = static_cast<int>(args.U64("fsync-count", static_cast<uint64_t>(s.fsync_count)));
  s.warmup = args.U64("warmup", std::min<uint64_t>(s.warmup, s.events / 10));
  const std::size_t body = args.U64("size", 1024);
  const std::string json_path = args.Str("json", "bench-results.json");
  const auto only = args.StrList("only", {"raw", "slussen", "rabbitmq"});
  auto wanted = [&](const std::string& n) { return std::find(only.begin(), only.end(), n) != only.end(); };

  const PayloadFactory payloads(1, body);  // kommun 1380 + VC01: fan-out 2
  std::vector<SystemRun> runs;
  if (wanted("raw")) runs.push_back(RunSystem(*MakeRawSut(paths), payloads, s));
  if (wanted("slussen")) {
    runs.push_back(RunSystem(
        *MakeSlussenSut(paths, {{payloads.kommunkod(), payloads.vardcentral()}}), payloads, s));
  }
  SystemRun rabbit;
  rabbit.name = "rabbitmq";
  if (args.Has("skip-rabbitmq")) {
    rabbit.skipped = "skipped (--skip-rabbitmq)";
  } else if (!wanted("rabbitmq")) {
    rabbit.skipped = "skipped (--only)";
  } else {
    rabbit = RunSystem(*MakeRabbitSut(paths), payloads, s);
  }
  runs.push_back(rabbit);

  auto find = [&](const std::string& n) -> const SystemRun* {
    for (const auto& r : runs) if (r.name == n && r.ran() && r.error.empty()) return &r;
    return nullptr;
  };
  auto median = [](double (*f)(const PhaseResult&)) {
    return [f](const SystemRun& r) { const auto* m = r.Median(); return m ? f(*m) : kNaN; };
  };
  auto at_rate = [](double rate, double p) {
    return [rate, p](const SystemRun& r) {
      const auto* m = r.AtRate(rate);
      return m ? static_cast<double>(m->latency_us.Percentile(p)) : kNaN;
    };
  };
  std::vector<Metric> metrics = {
      {"fsync 4 KB p50 (µs), before+after", [](const SystemRun& r) { return r.fsync.ok ? double(r.fsync.us.Percentile(50)) : kNaN; }},
      {"fsync 4 KB p99 (µs), before+after", [](const SystemRun& r) { return r.fsync.ok ? double(r.fsync.us.Percentile(99)) : kNaN; }},
      {"all-out in (events/s), median", median([](const PhaseResult& p) { return p.in_per_s; })},
      {"  min of runs", [](const SystemRun& r) {
         double v = kNaN; for (const auto& p : r.all_out) v = std::isnan(v) ? p.in_per_s : std::min(v, p.in_per_s); return v; }},
      {"  max of runs", [](const SystemRun& r) {
         double v = kNaN; for (const auto& p : r.all_out) v = std::isnan(v) ? p.in_per_s : std::max(v, p.in_per_s); return v; }},
      {"all-out out (deliveries/s)", median([](const PhaseResult& p) { return p.out_per_s; })},
      {"all-out latency p50 (µs)", median([](const PhaseResult& p) { return double(p.latency_us.Percentile(50)); })},
      {"all-out latency p99 (µs)", median([](const PhaseResult& p) { return double(p.latency_us.Percentile(99)); })},
      {"all-out accept p99 (µs)", median([](const PhaseResult& p) { return double(p.accept_us.Percentile(99)); })},
      {"all-out SUT CPU (cores)", median([](const PhaseResult& p) { return p.sut_cpu_cores; }), 2},
      {"all-out load generator CPU (cores)", median([](const PhaseResult& p) { return p.bench_cpu_cores; }), 2},
      {"all-out SUT CPU per event (µs)", median([](const PhaseResult& p) {
         return p.accepted ? double(p.sut_cpu_us) / double(p.accepted) : kNaN; }), 1},
  };
  metrics.push_back({"all-out SUT disk writes per event (KB)", median([](const PhaseResult& p) {
    return p.accepted ? double(p.sut_write_bytes) / 1024 / double(p.accepted) : kNaN; }), 1});
  for (double rate : s.rates) {
    const std::string r = "@" + Thousands(rate) + "/s ";
    metrics.push_back({r + "in (events/s)", [rate](const SystemRun& x) { const auto* m = x.AtRate(rate); return m ? m->in_per_s : kNaN; }});
    metrics.push_back({r + "latency p50 (µs)", at_rate(rate, 50)});
    metrics.push_back({r + "latency p90 (µs)", at_rate(rate, 90)});
    metrics.push_back({r + "latency p99 (µs)", at_rate(rate, 99)});
    metrics.push_back({r + "latency p99.9 (µs)", at_rate(rate, 99.9)});
    metrics.push_back({r + "latency max (µs)", at_rate(rate, 100)});
    metrics.push_back({r + "SUT disk writes per event (KB)", [rate](const SystemRun& x) {
      const auto* m = x.AtRate(rate);
      return m && m->accepted ? double(m->sut_write_bytes) / 1024 / double(m->accepted) : kNaN; }, 1});
    metrics.push_back({r + "SUT CPU (cores)", [rate](const SystemRun& x) { const auto* m = x.AtRate(rate); return m ? m->sut_cpu_cores : kNaN; }, 2});
  }
  metrics.push_back({"SUT peak RSS (MB)", [](const SystemRun& r) { return r.peak_rss_kb ? double(r.peak_rss_kb) / 1024 : kNaN; }, 1});
  metrics.push_back({"lost deliveries", [](const SystemRun& r) {
    double n = 0; for (const auto& p : r.all_out) n += double(p.lost); for (const auto& p : r.rates) n += double(p.lost); return n; }});

  // The table.
  const SystemRun* raw = find("raw");
  const SystemRun* hub = find("slussen");
  const SystemRun* rmq = find("rabbitmq");
  std::cout << "\nslussen-bench compare: protobuf Envelope events of " << payloads.min_body_size()
            << "-" << payloads.max_body_size() << " bytes (mean " << payloads.mean_body_size()
            << "; 6-event discharge chains), fan-out 2, durable; all-out " << Thousands(double(s.events))
            << " events x " << s.repeat << " runs; fixed rates for " << s.rate_seconds << " s\n\n";
  Table table({"", "raw proton", "slussen", "rabbitmq", "slussen/rabbitmq", "slussen/raw"});
  nlohmann::json ratios_rmq, ratios_raw;
  for (const auto& m : metrics) {
    const double vraw = raw ? m.get(*raw) : kNaN;
    const double vhub = hub ? m.get(*hub) : kNaN;
    const double vrmq = rmq ? m.get(*rmq) : kNaN;
    auto fmt = [&](double v) { return m.decimals ? Fixed(v, m.decimals) : Thousands(v); };
    table.Row({m.label, fmt(vraw), fmt(vhub), fmt(vrmq), Fixed(Ratio(vhub, vrmq), 2),
               Fixed(Ratio(vhub, vraw), 2)});
    const double a = Ratio(vhub, vrmq), b = Ratio(vhub, vraw);
    ratios_rmq[m.label] = std::isnan(a) ? nlohmann::json() : nlohmann::json(a);
    ratios_raw[m.label] = std::isnan(b) ? nlohmann::json() : nlohmann::json(b);
  }
  table.Print(std::cout);
  for (const auto& r : runs) {
    if (!r.skipped.empty()) std::cout << r.name << ": " << r.skipped << "\n";
    if (!r.error.empty()) std::cout << r.name << ": FAILED: " << r.error << "\n";
  }
  std::cout << "slussen broker mode: " << kBrokerMissing << "\n";

  // Targets of issue 5 that this run can judge.
  nlohmann::json targets = nlohmann::json::object();
  if (hub && !smoke) {
    const double in = hub->Median() ? hub->Median()->in_per_s : kNaN;
    const double vs = rmq && rmq->Median() ? Ratio(in, rmq->Median()->in_per_s) : kNaN;
    const auto* at1k = hub->AtRate(1000);
    const double p99 = at1k ? double(at1k->latency_us.Percentile(99)) : kNaN;
    auto verdict = [](double v, bool met) { return std::isnan(v) ? "not measured" : met ? "MET" : "NOT MET"; };
    targets["throughput_ge_10000_events_per_s"] = {{"value", in}, {"verdict", verdict(in, in >= 10000)}};
    targets["throughput_ge_3x_rabbitmq"] = {{"value", vs}, {"verdict", verdict(vs, vs >= 3)}};
    targets["p99_at_1000_per_s_le_10ms"] = {{"value_us", p99}, {"verdict", verdict(p99, p99 <= 10000)}};
    std::cout << "\ntargets (issue 5): durable fan-out-2 throughput >= 10,000 events/s: "
              << verdict(in, in >= 10000) << " (" << Thousands(in) << ")\n"
              << "                   >= 3x RabbitMQ in the same run: " << verdict(vs, vs >= 3)
              << " (" << Fixed(vs, 2) << "x)\n"
              << "                   p99 at 1,000 events/s <= 10 ms: " << verdict(p99, p99 <= 10000)
              << " (" << Thousands(p99) << " µs)\n";
  }

  nlohmann::json out;
  out["tool"] = "slussen-bench compare";
  out["machine"] = MachineJson();
  out["settings"] = {{"events", s.events}, {"repeat", s.repeat}, {"rates", s.rates},
                     {"rate_seconds", s.rate_seconds}, {"window", s.window},
                     {"body_bytes_mean", payloads.mean_body_size()},
                     {"body_bytes_min", payloads.min_body_size()},
                     {"body_bytes_max", payloads.max_body_size()},
                     {"events_per_case", PayloadFactory::kEventsPerCase}, {"fan_out", 2}, {"durable", true},
                     {"smoke", smoke}};
  bool all_ok = true;
  for (const auto& r : runs) {
    nlohmann::json j;
    if (!r.skipped.empty()) {
      j["skipped"] = r.skipped;
    } else {
      j["ok"] = r.ok();
      if (!r.error.empty()) j["error"] = r.error;
      j["fsync"] = FsyncJson(r.fsync);
      j["peak_rss_kb"] = r.peak_rss_kb;
      for (const auto& p : r.all_out) j["all_out"].push_back(PhaseJson(p));
      for (const auto& p : r.rates) j["fixed_rate"].push_back(PhaseJson(p));
      all_ok = all_ok && r.ok();
    }
    out["systems"][r.name] = j;
  }
  out["systems"]["slussen_broker"] = {{"available", false}, {"reason", kBrokerMissing}};
  out["ratios"] = {{"slussen/rabbitmq", ratios_rmq}, {"slussen/raw", ratios_raw}};
  out["targets"] = targets;
  out["ok"] = all_ok;
  std::string error;
  if (!WriteJson(json_path, out, &error)) {
    std::cerr << "slussen-bench: " << error << "\n";
    return 1;
  }
  std::cout << "\nresults: " << json_path << (all_ok ? "" : "  (SOME RUNS FAILED)") << "\n";
  return all_ok ? 0 : 1;
}

}  // namespace slussen::bench
