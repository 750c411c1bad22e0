// `slussen-bench compare`: the same load against the raw Proton ceiling, the durable-journal
// ceiling, Slussen, RabbitMQ and Slussen in broker mode on RabbitMQ in one run, one table (and
// one for broker mode's extra hop), one JSON file, with the ratios.
#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>

#include "commands.h"
#include "compare_system.h"
#include "compare_table.h"
#include "payload.h"
#include "report.h"
#include "sut.h"

namespace slussen::bench {
namespace {

// The systems in the order they run; "broker" is accepted for "slussen-broker".
const std::vector<std::string> kSystems = {"raw", "journal", "slussen", "rabbitmq",
                                           "slussen-broker"};

CompareSettings SettingsFrom(const Args& args) {
  CompareSettings s;
  if (args.Has("smoke")) {  // seconds, for CI
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
  return s;
}

nlohmann::json SystemJson(const SystemRun& r) {
  nlohmann::json j;
  if (!r.skipped.empty()) return {{"skipped", r.skipped}};
  j["ok"] = r.ok();
  if (!r.error.empty()) j["error"] = r.error;
  j["fsync"] = FsyncJson(r.fsync);
  j["peak_rss_kb"] = r.peak_rss_kb;
  for (const auto& p : r.all_out) j["all_out"].push_back(PhaseJson(p));
  for (const auto& p : r.rates) j["fixed_rate"].push_back(PhaseJson(p));
  return j;
}

}  // namespace

int RunCompare(const Args& args, const SutPaths& paths) {
  const CompareSettings s = SettingsFrom(args);
  const bool smoke = args.Has("smoke");
  const std::string json_path = args.Str("json", "bench-results.json");
  const PayloadFactory payloads(1, args.U64("size", 1024));  // kommun 1380 + VC01: fan-out 2
  std::vector<std::string> only = args.StrList("only", kSystems);
  for (auto& name : only) {
    if (name == "broker") name = "slussen-broker";
    if (std::find(kSystems.begin(), kSystems.end(), name) == kSystems.end()) {
      std::cerr << "slussen-bench: --only: no system '" << name
                << "' (raw, journal, slussen, rabbitmq, slussen-broker)\n";
      return 2;
    }
  }
  auto wanted = [&](const std::string& n) {
    return std::find(only.begin(), only.end(), n) != only.end();
  };
  // Both RabbitMQ columns: skipped (CI has no RabbitMQ in the smoke run), or run; a machine
  // without rabbitmq-server says "not available" in them and the others still count.
  auto run_on_rabbitmq = [&](const std::string& name,
                             const std::function<std::unique_ptr<Sut>()>& make) {
    SystemRun run;
    run.name = name;
    if (args.Has("skip-rabbitmq")) {
      run.skipped = "skipped (--skip-rabbitmq)";
    } else if (!wanted(name)) {
      run.skipped = "skipped (--only)";
    } else {
      run = RunSystem(*make(), payloads, s);
    }
    return run;
  };

  std::vector<SystemRun> runs;
  if (wanted("raw")) runs.push_back(RunSystem(*MakeRawSut(paths), payloads, s));
  if (wanted("journal")) runs.push_back(RunSystem(*MakeJournalSut(paths), payloads, s));
  if (wanted("slussen")) {
    auto hub = MakeSlussenSut(paths, {{payloads.kommunkod(), payloads.vardcentral()}});
    runs.push_back(RunSystem(*hub, payloads, s));
  }
  runs.push_back(run_on_rabbitmq("rabbitmq", [&] { return MakeRabbitSut(paths); }));
  runs.push_back(run_on_rabbitmq("slussen-broker", [&] {
    return MakeBrokerSut(paths, {payloads.kommunkod(), payloads.vardcentral()});
  }));

  std::cout << "\nslussen-bench compare: protobuf Envelope events of " << payloads.min_body_size()
            << "-" << payloads.max_body_size() << " bytes (mean " << payloads.mean_body_size()
            << "; 6-event discharge chains, UUID-like ids), fan-out 2, durable; all-out "
            << Thousands(double(s.events)) << " events x " << s.repeat << " runs; fixed rates for "
            << s.rate_seconds << " s\n\n";
  nlohmann::json out;
  out["ratios"] = PrintCompareTable(runs, s, std::cout);
  out["ratios"].update(PrintBrokerTable(runs, s, std::cout));
  for (const auto& r : runs) {
    if (!r.skipped.empty()) std::cout << r.name << ": " << r.skipped << "\n";
    if (!r.error.empty()) std::cout << r.name << ": FAILED: " << r.error << "\n";
  }
  out["targets"] = smoke ? nlohmann::json::object() : PrintTargets(runs, std::cout);

  out["tool"] = "slussen-bench compare";
  out["machine"] = MachineJson();
  out["settings"] = {{"events", s.events},
                     {"repeat", s.repeat},
                     {"rates", s.rates},
                     {"rate_seconds", s.rate_seconds},
                     {"window", s.window},
                     {"body_bytes_mean", payloads.mean_body_size()},
                     {"body_bytes_min", payloads.min_body_size()},
                     {"body_bytes_max", payloads.max_body_size()},
                     {"events_per_case", PayloadFactory::kEventsPerCase},
                     {"fan_out", 2},
                     {"durable", true},
                     {"smoke", smoke}};
  bool all_ok = true;
  for (const auto& r : runs) {
    out["systems"][r.name] = SystemJson(r);
    if (r.ran()) all_ok = all_ok && r.ok();
  }
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
