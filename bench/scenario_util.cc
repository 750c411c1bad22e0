#include "scenario_util.h"

#include <iostream>

#include "commands.h"
#include "event_ids.h"
#include "fsync_probe.h"
#include "report.h"
#include "sut.h"

namespace slussen::bench {

Queued QueueEvents(Sut& sut, const PayloadFactory& payloads, uint64_t n, int window) {
  Queued q;
  q.run = NewRun();
  q.log = std::make_unique<SendLog>();
  SendPlan sp;
  sp.url = sut.url();
  sp.address = sut.send_address();
  sp.durable_terminus = sut.durable_termini();
  sp.run = q.run;
  sp.count = n;
  sp.window = window;
  sp.payloads = &payloads;
  sp.log = q.log.get();
  LoadSender sender(sp);
  sender.Start();
  const int64_t t0 = NowUs();
  uint64_t last = 0;
  int idle_rounds = 0;
  while (!sender.Wait(std::chrono::seconds(5))) {
    const uint64_t a = sender.accepted();
    std::cerr << "  queued " << Thousands(double(a)) << " / " << Thousands(double(n)) << " ("
              << Thousands(double(a) / (double(NowUs() - t0) / 1e6)) << " events/s)\n";
    idle_rounds = a == last ? idle_rounds + 1 : 0;
    last = a;
    if (idle_rounds >= 12) break;  // a minute without progress
  }
  sender.Finish();
  q.stats = sender.stats();
  if (q.stats.last_accept_us > q.stats.start_us) {
    q.in_per_s =
        double(q.stats.accepted) / (double(q.stats.last_accept_us - q.stats.start_us) / 1e6);
  }
  return q;
}

bool StartOrRecord(Sut& sut, const std::string& label, nlohmann::json& j) {
  std::string error;
  SettleDisk();
  if (sut.Start(&error)) return true;
  std::cout << "  cannot start " << label << ": " << error << "\n";
  j["ok"] = false;
  j["error"] = error;
  return false;
}

const char* Verdict(bool met) { return met ? "MET" : "NOT MET"; }

void Note(const std::string& text) { std::cerr << text << "\n"; }

int WriteScenario(const Args& args, const std::string& default_path, const nlohmann::json& j) {
  const std::string path = args.Str("json", default_path);
  std::string error;
  if (!WriteJson(path, j, &error)) {
    std::cerr << "slussen-bench: " << error << "\n";
    return 1;
  }
  std::cout << "results: " << path << "\n";
  return j.value("ok", false) ? 0 : 1;
}

int RunThroughput(const Args& a, const SutPaths& p) {
  return WriteScenario(a, "bench-throughput.json", ScenarioThroughput(a, p));
}
int RunLatency(const Args& a, const SutPaths& p) {
  return WriteScenario(a, "bench-latency.json", ScenarioLatency(a, p));
}
int RunMemory(const Args& a, const SutPaths& p) {
  return WriteScenario(a, "bench-memory.json", ScenarioMemory(a, p));
}
int RunRecovery(const Args& a, const SutPaths& p) {
  return WriteScenario(a, "bench-recovery.json", ScenarioRecovery(a, p));
}
int RunDrain(const Args& a, const SutPaths& p) {
  return WriteScenario(a, "bench-drain.json", ScenarioDrain(a, p));
}
int RunBacklog(const Args& a, const SutPaths& p) {
  return WriteScenario(a, "bench-backlog.json", ScenarioBacklog(a, p));
}

int RunAdmin(const Args& a, const SutPaths& p) {
  return WriteScenario(a, "bench-admin.json", ScenarioAdmin(a, p));
}

int RunScenarios(const Args& args, const SutPaths& paths) {
  // In the priority order; each scenario takes its own --quick defaults.
  nlohmann::json all;
  all["machine"] = MachineJson();
  bool ok = true;
  using Fn = nlohmann::json (*)(const Args&, const SutPaths&);
  const std::pair<const char*, Fn> scenarios[] = {
      {"throughput", ScenarioThroughput}, {"latency", ScenarioLatency},
      {"memory", ScenarioMemory},         {"recovery", ScenarioRecovery},
      {"drain", ScenarioDrain},           {"backlog", ScenarioBacklog},
      {"admin", ScenarioAdmin}};
  const auto only = args.StrList("only", {});
  for (const auto& [name, fn] : scenarios) {
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    std::cout << "\n=== " << name << " ===\n";
    all[name] = fn(args, paths);
    ok = ok && all[name].value("ok", false);
  }
  all["ok"] = ok;
  return WriteScenario(args, "bench-scenarios.json", all);
}

}  // namespace slussen::bench
