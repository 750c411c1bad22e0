#include "compare_system.h"

#include <algorithm>
#include <iostream>

#include "payload.h"
#include "proc_stats.h"
#include "report.h"
#include "sut.h"

namespace slussen::bench {
namespace {

void Progress(const std::string& system, const PhaseResult& r) {
  std::cerr << "[" << system << "] " << r.label << ": in " << Thousands(r.in_per_s)
            << " events/s, out " << Thousands(r.out_per_s) << " deliveries/s, p50 "
            << Thousands(static_cast<double>(r.latency_us.Percentile(50))) << " µs, p99 "
            << Thousands(static_cast<double>(r.latency_us.Percentile(99))) << " µs, SUT CPU "
            << Fixed(r.sut_cpu_cores, 2) << " cores" << (r.ok ? "" : ", FAILED: " + r.error)
            << "\n";
}

void PrintFsync(const std::string& system, const char* when, const FsyncResult& f) {
  std::cerr << "[" << system << "] fsync " << when << " in " << f.dir << ": p50 "
            << f.us.Percentile(50) << " µs, p99 " << f.us.Percentile(99) << " µs\n";
}

}  // namespace

bool SystemRun::ok() const {
  if (!ran() || !error.empty()) return false;
  const auto bad = [](const PhaseResult& r) { return !r.ok; };
  return std::none_of(all_out.begin(), all_out.end(), bad) &&
         std::none_of(rates.begin(), rates.end(), bad);
}

const PhaseResult* SystemRun::Median() const {
  if (all_out.empty()) return nullptr;
  std::vector<const PhaseResult*> v;
  for (const auto& r : all_out) v.push_back(&r);
  std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->in_per_s < b->in_per_s; });
  return v[v.size() / 2];
}

const PhaseResult* SystemRun::AtRate(double rate) const {
  for (const auto& r : rates) {
    if (r.rate == rate) return &r;
  }
  return nullptr;
}

SystemRun RunSystem(Sut& sut, const PayloadFactory& payloads, const CompareSettings& s) {
  SystemRun run;
  run.name = sut.name();
  std::cerr << "[" << run.name << "] starting\n";
  std::string error;
  SettleDisk();
  if (!sut.Start(&error)) {
    std::cerr << "[" << run.name << "] " << error << "\n";
    sut.Stop();  // whatever it got as far as starting
    if (const std::string why = sut.unavailable(); !why.empty()) {
      run.skipped = "not available: " + why;
    } else {
      run.error = error;
    }
    return run;
  }
  // The disk is probed before and after the load (half each): on a shared machine it changes.
  run.fsync = MeasureFsync(sut.data_dir(), s.fsync_count / 2);
  PrintFsync(run.name, "before", run.fsync);
  if (s.warmup > 0) {
    const PhaseResult r =
        RunPhase(sut, payloads, {.label = "warm-up", .count = s.warmup, .window = s.window});
    if (!r.ok) run.error = "warm-up: " + r.error;
  }
  for (int i = 0; run.error.empty() && i < s.repeat; ++i) {
    PhaseSpec spec{.label = "all-out " + std::to_string(i + 1) + "/" + std::to_string(s.repeat),
                   .count = s.events,
                   .window = s.window};
    run.all_out.push_back(RunPhase(sut, payloads, spec));
    Progress(run.name, run.all_out.back());
  }
  for (double rate : s.rates) {
    if (!run.error.empty()) break;
    PhaseSpec spec{.label = "fixed " + Thousands(rate) + "/s",
                   .seconds = s.rate_seconds,
                   .rate = rate,
                   .window = s.window};
    run.rates.push_back(RunPhase(sut, payloads, spec));
    Progress(run.name, run.rates.back());
  }
  for (const ProcSample& p : SampleProcesses(sut.processes())) run.peak_rss_kb += p.hwm_kb;
  const FsyncResult after = MeasureFsync(sut.data_dir(), s.fsync_count - s.fsync_count / 2);
  PrintFsync(run.name, "after", after);
  run.fsync.us.Add(after.us);
  run.fsync.ok = run.fsync.ok && after.ok;
  if (run.fsync.error.empty()) run.fsync.error = after.error;
  sut.Stop();
  return run;
}

}  // namespace slussen::bench
