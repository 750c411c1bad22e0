// Scenarios 1 and 2: all-out durable throughput, and latency at fixed rates, against one system
// (--target slussen|raw|journal|rabbitmq|slussen-broker, default slussen).
#include <iostream>

#include "payload.h"
#include "phase.h"
#include "report.h"
#include "scenario_util.h"
#include "slussen_sut.h"

namespace slussen::bench {
namespace {

std::unique_ptr<Sut> MakeTarget(const Args& args, const SutPaths& paths, const PayloadFactory& p) {
  const std::string target = args.Str("target", "slussen");
  if (target == "raw") return MakeRawSut(paths);
  if (target == "journal") return MakeJournalSut(paths);
  if (target == "rabbitmq") return MakeRabbitSut(paths);
  if (target == "slussen-broker" || target == "broker") {
    return MakeBrokerSut(paths, {p.kommunkod(), p.vardcentral()});
  }
  return MakeSlussenSut(paths, {{p.kommunkod(), p.vardcentral()}});
}

void PrintPhase(const PhaseResult& r) {
  std::cout << "  " << r.label << ": in " << Thousands(r.in_per_s) << " events/s, out "
            << Thousands(r.out_per_s) << " deliveries/s; latency µs p50 "
            << Thousands(double(r.latency_us.Percentile(50))) << " p90 "
            << Thousands(double(r.latency_us.Percentile(90))) << " p99 "
            << Thousands(double(r.latency_us.Percentile(99))) << " p99.9 "
            << Thousands(double(r.latency_us.Percentile(99.9))) << " max "
            << Thousands(double(r.latency_us.max())) << "; SUT CPU " << Fixed(r.sut_cpu_cores, 2)
            << " cores, RSS " << Thousands(double(r.sut_rss_kb) / 1024) << " MB; lost " << r.lost
            << (r.ok ? "" : "; FAILED: " + r.error) << "\n";
}

nlohmann::json RunPhases(const Args& args, const SutPaths& paths,
                         const std::vector<PhaseSpec>& specs, const char* what) {
  const PayloadFactory payloads(1, args.U64("size", 1024));
  auto sut = MakeTarget(args, paths, payloads);
  nlohmann::json j = {{"scenario", what}, {"target", sut->name()}};
  if (!StartOrRecord(*sut, sut->name(), j)) return j;
  bool ok = true;
  for (const auto& spec : specs) {
    const PhaseResult r = RunPhase(*sut, payloads, spec);
    PrintPhase(r);
    j["phases"].push_back(PhaseJson(r));
    ok = ok && r.ok;
  }
  sut->Stop();
  j["ok"] = ok;
  return j;
}

}  // namespace

nlohmann::json ScenarioThroughput(const Args& args, const SutPaths& paths) {
  const bool quick = args.Has("quick");
  const uint64_t events = args.U64("events", quick ? 20000 : 200000);
  const int repeat = static_cast<int>(args.U64("repeat", quick ? 1 : 3));
  std::vector<PhaseSpec> specs;
  // A fixed count (--events), or a fixed time (--seconds) of sending as fast as possible.
  const double seconds = args.Num("seconds", 0);
  for (int i = 0; i < repeat; ++i) {
    specs.push_back({.label = "all-out " + std::to_string(i + 1),
                     .count = seconds > 0 ? 0 : events,
                     .seconds = seconds,
                     .window = static_cast<int>(args.U64("window", 1000)),
                     .sequential_ids = args.Str("ids", "random") == "sequential"});
  }
  return RunPhases(args, paths, specs, "all-out durable throughput");
}

nlohmann::json ScenarioLatency(const Args& args, const SutPaths& paths) {
  const bool quick = args.Has("quick");
  const double seconds = args.Num("seconds", quick ? 5 : 30);
  std::vector<PhaseSpec> specs;
  for (double rate : args.NumList("rate", {1000, 5000})) {
    specs.push_back({.label = "fixed " + Thousands(rate) + "/s",
                     .seconds = seconds,
                     .rate = rate,
                     .window = static_cast<int>(args.U64("window", 1000))});
  }
  return RunPhases(args, paths, specs, "latency at fixed rates");
}

}  // namespace slussen::bench
