// Scenario: recovery after kill -9 with N events queued. The hub is killed with SIGKILL while N
// accepted events wait for their destinations, started again on the same store, and receivers
// attach as soon as it prints its ready line. Measured: restart to ready, restart to first
// delivery (the target: delivering again within 2 s), the drain afterwards, and that every
// accepted event reaches both destinations (lost = 0).
#include <iostream>

#include "payload.h"
#include "phase.h"
#include "proc_stats.h"
#include "report.h"
#include "scenario_util.h"
#include "send_log.h"
#include "slussen_sut.h"

namespace slussen::bench {

nlohmann::json ScenarioRecovery(const Args& args, const SutPaths& paths) {
  const uint64_t n = args.U64("queued", args.Has("quick") ? 50000 : 1000000);
  const PayloadFactory payloads(1, args.U64("size", 1024));
  SlussenSut hub(paths, {{payloads.kommunkod(), payloads.vardcentral()}});
  nlohmann::json j = {{"scenario", "recovery after kill -9"}, {"queued", n}};
  if (!StartOrRecord(hub, "the hub", j)) return j;
  std::string error;
  Note("[recovery] queueing " + Thousands(double(n)) + " events");
  const Queued q = QueueEvents(hub, payloads, n, 1000);
  hub.process().Kill9();
  Note("[recovery] killed with SIGKILL; restarting");
  const bool restarted = hub.Restart(&error);
  const int64_t spawned = SteadyUs(hub.process().spawned_at());
  const int64_t ready = SteadyUs(hub.process().ready_at());
  double to_first_s = -1, drain_s = 0, drain_rate = 0;
  uint64_t lost = q.stats.accepted * 2, duplicates = 0, delivered = 0;
  bool complete = false;
  if (restarted) {
    ReceivePlan rp{.url = hub.url(), .addresses = hub.receive_addresses()};
    LoadReceivers receivers(rp);
    const int idx = receivers.Track(q.run, q.log.get());
    if (receivers.Start(std::chrono::seconds(30), &error)) {
      complete =
          receivers.WaitFor(idx, q.stats.accepted, std::chrono::seconds(30), std::chrono::hours(2));
      const int64_t first = receivers.first_arrival_us();
      if (first > 0) to_first_s = double(first - spawned) / 1e6;
      const auto deliveries = receivers.deliveries();
      int64_t last = 0;
      for (const auto& d : deliveries) {
        delivered += d.runs[idx].unique;
        duplicates += d.runs[idx].duplicates;
        last = std::max(last, d.runs[idx].last_us);
      }
      if (first > 0 && last > first) {
        drain_s = double(last - first) / 1e6;
        drain_rate = double(delivered) / drain_s;
      }
      lost = CountLost(q.stats.accepted_seq, deliveries, idx);
    }
    receivers.Finish();
  }
  const ProcSample after = SampleProcess(hub.pid());
  hub.Stop();
  const bool ok = restarted && complete && lost == 0 && q.stats.accepted == n;
  std::cout << "  " << Thousands(double(q.stats.accepted))
            << " queued, kill -9, restart: ready after " << Fixed(double(ready - spawned) / 1e6, 3)
            << " s, first delivery after " << Fixed(to_first_s, 3)
            << " s (target <= 2 s: " << Verdict(to_first_s >= 0 && to_first_s <= 2) << "); drained "
            << Thousands(double(delivered)) << " deliveries in " << Fixed(drain_s, 1) << " s ("
            << Thousands(drain_rate) << "/s); lost " << lost << ", duplicates " << duplicates
            << "; peak RSS after restart " << Thousands(double(after.hwm_kb)) << " kB\n";
  if (!ok) std::cout << "  FAILED: " << (restarted ? q.stats.error : error) << "\n";
  j.update({{"accepted", q.stats.accepted},
            {"queue_in_events_per_s", q.in_per_s},
            {"restart_to_ready_s", double(ready - spawned) / 1e6},
            {"restart_to_first_delivery_s", to_first_s},
            {"target_le_2s", Verdict(to_first_s >= 0 && to_first_s <= 2)},
            {"delivered", delivered},
            {"duplicates", duplicates},
            {"lost", lost},
            {"drain_seconds", drain_s},
            {"drain_deliveries_per_s", drain_rate},
            {"peak_rss_after_restart_kb", after.hwm_kb},
            {"ok", ok}});
  return j;
}

}  // namespace slussen::bench
