// Scenario: backlog drain under live traffic. N events wait for two destinations without
// receivers; then the destinations return (receivers attach) while a hospital keeps sending at a
// fixed rate (default 1,000 events/s). Measured: how long the backlog takes to drain and at what
// rate, whether live traffic is still accepted at its rate and how fast (accept latency), and the
// live events' end-to-end latency (they queue behind the backlog: FIFO per destination).
#include <iostream>
#include <thread>

#include "event_ids.h"
#include "payload.h"
#include "phase.h"
#include "proc_stats.h"
#include "report.h"
#include "scenario_util.h"
#include "slussen_sut.h"

namespace slussen::bench {

nlohmann::json ScenarioDrain(const Args& args, const SutPaths& paths) {
  const bool quick = args.Has("quick");
  const uint64_t n = args.U64("queued", quick ? 20000 : 1000000);
  const double rate = args.Num("live-rate", 1000);
  const double max_seconds = args.Num("max-seconds", quick ? 60 : 1800);
  const double tail_seconds = args.Num("tail-seconds", quick ? 2 : 10);
  const PayloadFactory payloads(1, args.U64("size", 1024));
  SlussenSut hub(paths, {{payloads.kommunkod(), payloads.vardcentral()}});
  nlohmann::json j = {
      {"scenario", "backlog drain under live traffic"}, {"queued", n}, {"live_rate", rate}};
  if (!StartOrRecord(hub, "the hub", j)) return j;
  std::string error;
  Note("[drain] queueing " + Thousands(double(n)) + " events");
  const Queued backlog = QueueEvents(hub, payloads, n, 1000);

  // The destinations return, and live traffic starts, at the same moment.
  ReceivePlan rp{.url = hub.url(), .addresses = hub.receive_addresses()};
  LoadReceivers receivers(rp);
  SendLog live_log;
  const uint32_t live_run = NewRun();
  const int b = receivers.Track(backlog.run, backlog.log.get());
  const int l = receivers.Track(live_run, &live_log);
  SendPlan sp{.url = hub.url(),
              .address = hub.send_address(),
              .run = live_run,
              .seconds = max_seconds,
              .rate = rate,
              .payloads = &payloads,
              .log = &live_log};
  LoadSender live(sp);
  const ProcSample before = SampleProcess(hub.pid());
  const int64_t t0 = NowUs();
  bool drained = false;
  if (receivers.Start(std::chrono::seconds(30), &error)) {
    live.Start();
    drained = receivers.WaitFor(b, backlog.stats.accepted, std::chrono::seconds(30),
                                std::chrono::seconds(static_cast<int64_t>(max_seconds)));
  }
  const int64_t drained_at = NowUs();
  Note("[drain] backlog " + std::string(drained ? "drained" : "NOT drained") + " after " +
       Fixed(double(drained_at - t0) / 1e6, 1) + " s; live traffic for " + Fixed(tail_seconds, 0) +
       " s more");
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(tail_seconds * 1000)));
  live.StopSending();
  live.Wait(std::chrono::seconds(60));
  live.Finish();
  const SendStats& ls = live.stats();
  const bool live_complete =
      receivers.WaitFor(l, ls.accepted, std::chrono::seconds(30), std::chrono::minutes(10));
  const ProcSample after = SampleProcess(hub.pid());
  const auto deliveries = receivers.deliveries();
  receivers.Finish();
  hub.Stop();

  Histogram live_latency;
  int64_t backlog_last = 0;
  uint64_t backlog_delivered = 0;
  for (const auto& d : deliveries) {
    live_latency.Add(d.runs[l].latency_us);
    backlog_last = std::max(backlog_last, d.runs[b].last_us);
    backlog_delivered += d.runs[b].unique;
  }
  const double drain_s = backlog_last > t0 ? double(backlog_last - t0) / 1e6 : 0;
  const double live_in = ls.last_accept_us > ls.start_us
                             ? double(ls.accepted) / (double(ls.last_accept_us - ls.start_us) / 1e6)
                             : 0;
  const uint64_t lost = CountLost(backlog.stats.accepted_seq, deliveries, b) +
                        CountLost(ls.accepted_seq, deliveries, l);
  const bool ok = drained && live_complete && lost == 0 && ls.error.empty();
  std::cout << "  backlog " << Thousands(double(backlog.stats.accepted)) << " events drained in "
            << Fixed(drain_s, 1) << " s ("
            << Thousands(drain_s > 0 ? double(backlog_delivered) / drain_s : 0)
            << " deliveries/s) while live traffic ran at " << Thousands(live_in)
            << " events/s in (asked " << Thousands(rate) << "); live accept latency µs p50 "
            << Thousands(double(ls.accept_us.Percentile(50))) << " p99 "
            << Thousands(double(ls.accept_us.Percentile(99))) << "; live end-to-end µs p50 "
            << Thousands(double(live_latency.Percentile(50))) << " p99 "
            << Thousands(double(live_latency.Percentile(99))) << "; SUT CPU "
            << Fixed(double(after.cpu_us - before.cpu_us) / double(NowUs() - t0), 2)
            << " cores; lost " << lost << "\n";
  if (!ok) std::cout << "  FAILED: " << (error.empty() ? ls.error : error) << "\n";
  j.update({{"backlog_accepted", backlog.stats.accepted},
            {"queue_in_events_per_s", backlog.in_per_s},
            {"drain_seconds", drain_s},
            {"drain_deliveries_per_s", drain_s > 0 ? double(backlog_delivered) / drain_s : 0},
            {"live_accepted", ls.accepted},
            {"live_in_events_per_s", live_in},
            {"live_accept_latency_us", HistogramJson(ls.accept_us)},
            {"live_latency_us", HistogramJson(live_latency)},
            {"lost", lost},
            {"peak_rss_kb", after.hwm_kb},
            {"ok", ok}});
  return j;
}

}  // namespace slussen::bench
