// `compare`'s second table: what the broker's extra hop costs. Slussen in broker mode beside
// plain RabbitMQ (the same node, script and load; its own topology: a fanout exchange into two
// classic queues, where broker mode has the hub's quorum queues and two hops) and beside the
// embedded hub. CPU and disk writes are shown for the whole system and per process, so the hub's
// share and the broker's can be read apart.
#include <string>

#include "compare_metric.h"
#include "compare_table.h"
#include "report.h"

namespace slussen::bench {
namespace {

std::vector<Metric> HopMetrics(const CompareSettings& s) {
  auto in = [](const PhaseResult& p) { return p.in_per_s; };
  auto out = [](const PhaseResult& p) { return p.out_per_s; };
  auto latency = [](double pct) {
    return PhaseMetric([pct](const PhaseResult& p) { return Pct(p.latency_us, pct); });
  };
  std::vector<Metric> m = {
      {"all-out in (events/s), median", OfMedian(in), 0, false},
      {"all-out out (deliveries/s)", OfMedian(out), 0, false},
  };
  for (double p : {50.0, 99.0, 99.9}) {
    m.push_back({"all-out latency " + PercentileLabel(p) + " (µs)", OfMedian(latency(p))});
  }
  // One block of CPU and disk rows per phase: the whole system, then each kind of process.
  auto usage = [&m](const std::string& phase, auto of) {
    m.push_back({phase + "SUT CPU per event (µs)", of(CpuUsPerEvent()), 1});
    m.push_back({phase + "  hub process", of(CpuUsPerEvent("hub")), 1});
    m.push_back({phase + "  rabbitmq process", of(CpuUsPerEvent("rabbitmq")), 1});
    m.push_back({phase + "SUT disk writes per event (KB)", of(WrittenKbPerEvent()), 1});
    m.push_back({phase + "  hub process", of(WrittenKbPerEvent("hub")), 1});
    m.push_back({phase + "  rabbitmq process", of(WrittenKbPerEvent("rabbitmq")), 1});
  };
  usage("all-out ", [](PhaseMetric f) { return OfMedian(std::move(f)); });
  for (double rate : s.rates) {
    const std::string r = "@" + Thousands(rate) + "/s ";
    m.push_back({r + "in (events/s)", AtRate(rate, in), 0, false});
    for (double p : {50.0, 99.0, 99.9}) {
      m.push_back({r + "latency " + PercentileLabel(p) + " (µs)", AtRate(rate, latency(p))});
    }
    usage(r, [rate](PhaseMetric f) { return AtRate(rate, std::move(f)); });
  }
  m.push_back(
      {"SUT peak RSS (MB), all processes",
       [](const SystemRun& r) { return r.peak_rss_kb ? double(r.peak_rss_kb) / 1024 : kNaN; }, 1});
  return m;
}

}  // namespace

nlohmann::json PrintBrokerTable(const std::vector<SystemRun>& runs, const CompareSettings& s,
                                std::ostream& out) {
  const SystemRun* hub = FindRun(runs, "slussen");
  const SystemRun* rmq = FindRun(runs, "rabbitmq");
  const SystemRun* broker = FindRun(runs, "slussen-broker");
  if (!broker) return nlohmann::json::object();
  // broker-rabbitmq: the extra hop's cost in µs (latency) or µs/KB per event, not shown for
  // throughput, where the ratios say it (below 1: broker mode is slower).
  Table table({"broker mode: the extra hop", "slussen", "rabbitmq", "slussen-broker",
               "broker-rabbitmq", "broker/rabbitmq", "broker/slussen"});
  nlohmann::json diff = nlohmann::json::object();
  nlohmann::json vs_rmq = nlohmann::json::object();
  nlohmann::json vs_hub = nlohmann::json::object();
  auto json_value = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  for (const auto& m : HopMetrics(s)) {
    const double vhub = hub ? m.get(*hub) : kNaN;
    const double vrmq = rmq ? m.get(*rmq) : kNaN;
    const double vbroker = m.get(*broker);
    auto fmt = [&](double v) { return m.decimals ? Fixed(v, m.decimals) : Thousands(v); };
    const double d = m.difference ? vbroker - vrmq : kNaN;  // NaN if either is
    const double a = Ratio(vbroker, vrmq);
    const double b = Ratio(vbroker, vhub);
    table.Row({m.label, fmt(vhub), fmt(vrmq), fmt(vbroker), fmt(d), Fixed(a, 2), Fixed(b, 2)});
    diff[m.label] = json_value(d);
    vs_rmq[m.label] = json_value(a);
    vs_hub[m.label] = json_value(b);
  }
  out << "\n";
  table.Print(out);
  return {{"slussen-broker - rabbitmq", diff},
          {"slussen-broker/rabbitmq", vs_rmq},
          {"slussen-broker/slussen", vs_hub}};
}

}  // namespace slussen::bench
