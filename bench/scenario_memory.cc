// Scenario: memory per queued event. RSS of the hub with N events waiting for destinations that
// have no receiver, minus its RSS when nothing waits (after some traffic has warmed it up).
#include <iostream>
#include <thread>

#include "payload.h"
#include "phase.h"
#include "proc_stats.h"
#include "report.h"
#include "scenario_util.h"
#include "slussen_sut.h"

namespace slussen::bench {

nlohmann::json ScenarioMemory(const Args& args, const SutPaths& paths) {
  const uint64_t n = args.U64("queued", args.Has("quick") ? 50000 : 1000000);
  const PayloadFactory payloads(1, args.U64("size", 1024));
  SlussenSut hub(paths, {{payloads.kommunkod(), payloads.vardcentral()}});
  nlohmann::json j = {{"scenario", "memory per queued event"}, {"queued", n}};
  if (!StartOrRecord(hub, "the hub", j)) return j;
  // Warm up: traffic that is delivered completely, so nothing is queued afterwards.
  const PhaseResult warm = RunPhase(hub, payloads, {.label = "warm-up", .count = 5000});
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const ProcSample empty = SampleProcess(hub.pid());
  Note("[memory] empty: RSS " + Thousands(double(empty.rss_kb)) + " kB; queueing " +
       Thousands(double(n)) + " events");
  const Queued q = QueueEvents(hub, payloads, n, 1000);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const ProcSample full = SampleProcess(hub.pid());
  hub.Stop();

  const double per_event =
      q.stats.accepted ? double(full.rss_kb - empty.rss_kb) * 1024 / double(q.stats.accepted) : 0;
  const bool ok = warm.ok && q.stats.accepted == n && q.stats.error.empty();
  std::cout << "  " << Thousands(double(q.stats.accepted)) << " queued (in "
            << Thousands(q.in_per_s) << " events/s): RSS empty " << Thousands(double(empty.rss_kb))
            << " kB, with queue " << Thousands(double(full.rss_kb)) << " kB, peak "
            << Thousands(double(full.hwm_kb)) << " kB => " << Fixed(per_event, 1)
            << " bytes per queued event; target <= 200: " << Verdict(per_event <= 200) << "\n";
  if (!ok) std::cout << "  FAILED: " << (warm.ok ? q.stats.error : warm.error) << "\n";
  j.update({{"accepted", q.stats.accepted},
            {"queue_in_events_per_s", q.in_per_s},
            {"rss_empty_kb", empty.rss_kb},
            {"rss_queued_kb", full.rss_kb},
            {"peak_rss_kb", full.hwm_kb},
            {"bytes_per_queued_event", per_event},
            {"target_le_200_bytes", Verdict(per_event <= 200)},
            {"ok", ok}});
  return j;
}

}  // namespace slussen::bench
