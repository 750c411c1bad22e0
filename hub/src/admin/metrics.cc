#include "admin/metrics.h"

#include <cstdio>
#include <initializer_list>
#include <map>
#include <utility>
#include <string_view>

namespace slussen::admin {
namespace {

std::string Escaped(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void Sample(std::string_view name, double value, std::string_view label = {},
              std::string_view label_value = {}) {
    if (label.empty()) return Sample(name, value, {});
    Sample(name, value, {{label, label_value}});
  }
  void Sample(std::string_view name, double value,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
    out_ += name;
    const char* sep = "{";
    for (const auto& [label, label_value] : labels) {
      out_ += sep;
      out_ += label;
      out_ += "=\"";
      out_ += Escaped(label_value);
      out_ += '"';
      sep = ",";
    }
    if (labels.size() > 0) out_ += '}';
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.17g\n", value);
    out_ += buf;
  }
  // A family of one unlabelled sample.
  void Scalar(const char* name, const char* type, const char* help, double value) {
    Family(name, type, help);
    Sample(name, value);
  }
  // A family with one sample per destination, labelled with it.
  template <typename Value>
  void PerDestination(const char* name, const char* type, const char* help,
                      const std::vector<DestinationLiveStats>& destinations, Value value) {
    Family(name, type, help);
    for (const auto& d : destinations) Sample(name, value(d), "destination", d.destination);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

double D(uint64_t v) { return static_cast<double>(v); }
double D(int64_t v) { return static_cast<double>(v); }

}  // namespace

std::string RenderMetrics(const MetricsInput& in) {
  const CoreStats& s = *in.stats;
  const int64_t now_us = in.now_us;
  Writer w;
  w.Scalar("slussen_up", "gauge",
           "1 once the core has read its store and runs.", s.started ? 1 : 0);

  w.Scalar("slussen_inbound_accepted_total", "counter",

           "Events stored and accepted, since start.", D(s.accepted));
  w.Scalar("slussen_inbound_duplicates_total", "counter",
           "Events accepted again without storing (same id, same bytes), since start.",
           D(s.duplicates));
  w.Scalar("slussen_inbound_released_total", "counter",
           "Inbound messages released (not stored now: send again), since start.", D(s.released));
  w.Family("slussen_inbound_rejected_total", "counter",
           "Inbound messages rejected, by the field or part the reason names first.");
  for (const auto& [reason, n] : s.rejected_by_reason) {
    w.Sample("slussen_inbound_rejected_total", D(n), "reason", reason);
  }

  // The seq only: a hash as a label would be a new series per row.
  w.Scalar("slussen_audit_head_seq", "gauge",
           "The audit log's last row; lower than a value seen before means rows were cut off.",
           D(s.audit_head_seq));
  w.Scalar("slussen_delivered_total", "counter",
           "Deliveries accepted by receivers, since start.", D(s.delivered));

  w.Family("slussen_destination_depth", "gauge", "Events stored for the destination, not yet delivered.");
  // Absent until the core has counted the outbox after a start: unknown is not 0.
  if (s.started) {
    for (const auto& d : s.destinations) w.Sample("slussen_destination_depth", D(d.depth), "destination", d.destination);
  }
  w.Family("slussen_destination_oldest_age_seconds", "gauge",
           "How long the oldest undelivered event of the destination has waited (0: none).");
  for (const auto& d : s.destinations) {
    const double age = d.oldest_pending_at_us > 0 && now_us > d.oldest_pending_at_us
                           ? static_cast<double>(now_us - d.oldest_pending_at_us) / 1e6
                           : 0.0;
    w.Sample("slussen_destination_oldest_age_seconds", age, "destination", d.destination);
  }
  w.PerDestination("slussen_destination_in_flight", "gauge",
                   "Sent to the destination and not yet settled.",
                   s.destinations, [](const auto& d) { return D(d.in_flight); });
  w.PerDestination("slussen_destination_waiting_retry", "gauge",
                   "Deliveries waiting for their next attempt.",
                   s.destinations, [](const auto& d) { return D(d.waiting_retry); });
  w.PerDestination("slussen_destination_receivers", "gauge",
                   "Receiver links attached to the destination.",
                   s.destinations, [](const auto& d) { return d.receivers; });
  w.PerDestination("slussen_destination_delivered_total", "counter",
                   "Deliveries the destination accepted, since start.",
                   s.destinations, [](const auto& d) { return D(d.delivered); });
  w.PerDestination("slussen_destination_retried_total", "counter",
                   "Attempts that ended other than accepted, since start.",
                   s.destinations, [](const auto& d) { return D(d.retried); });
  w.PerDestination("slussen_destination_dead_total", "counter",
                   "Deliveries whose retries ended (dead letters), since start.",
                   s.destinations, [](const auto& d) { return D(d.dead); });
  w.PerDestination("slussen_destination_fallbacks_total", "counter",
                   "Deliveries handed to the destination's fallback (dead, or no Receipt in "
                   "time), since start.",
                   s.destinations, [](const auto& d) { return D(d.fallbacks); });
  w.Family("slussen_destination_receipts_total", "counter",
           "Receipts stored from the destination, since start (only destinations that send them).");
  for (const auto& d : s.destinations) {
    if (d.receipts_expected) w.Sample("slussen_destination_receipts_total", D(d.receipts), "destination", d.destination);
  }
  w.Family("slussen_destination_receipts_overdue_total", "counter",
           "Deliveries whose Receipt did not come in time, since start.");
  for (const auto& d : s.destinations) {
    if (d.receipts_expected) {
      w.Sample("slussen_destination_receipts_overdue_total", D(d.receipts_overdue), "destination", d.destination);
    }
  }
  w.PerDestination("slussen_destination_paused", "gauge",
                   "1 while an operator has paused the destination.",
                   s.destinations, [](const auto& d) { return d.paused ? 1 : 0; });
  w.PerDestination("slussen_destination_in_maintenance_window", "gauge",
                   "1 while the destination is in a maintenance window.", s.destinations,
                   [](const auto& d) { return d.maintenance_window.empty() ? 0 : 1; });

  const ConnectionCounts& c = in.connections;
  w.Scalar("slussen_connections_open", "gauge", "AMQP connections open.", D(c.open));
  w.Scalar("slussen_connections_accepted_total", "counter",
           "AMQP connections accepted, since start.", D(c.accepted));
  w.Scalar("slussen_connections_refused_total", "counter",
           "AMQP connections refused at max-connections, since start.", D(c.refused));
  w.Scalar("slussen_connections_failed_total", "counter",
           "AMQP connections closed because the peer broke the protocol, since start.",
           D(c.failed));
  w.Scalar("slussen_connections_unauthorized_total", "counter",
           "AMQP connections refused for their login (no adapter entry, wrong credentials), "
           "since start.",
           D(c.unauthorized));
  w.Scalar("slussen_links_unauthorized_total", "counter",
           "AMQP links refused at attach by the adapter's entitlements (slussen:unauthorized), "
           "since start.",
           D(c.links_unauthorized));
  w.Scalar("slussen_connections_idle_timeouts_total", "counter",
           "AMQP connections closed because the peer went silent, since start.",
           D(c.idle_timeouts));
  w.Scalar("slussen_inbound_oversized_total", "counter",
           "Deliveries refused for passing the size limit, since start.",
           D(c.oversized_deliveries));

  w.Scalar("slussen_store_commits_total", "counter",

           "Store transactions committed, since start.", D(s.commits));
  w.Scalar("slussen_store_failed_commits_total", "counter",
           "Store transactions that failed, since start.", D(s.failed_commits));
  w.Scalar("slussen_store_latched", "gauge",
           "1 once an fsync failed: the hub refuses inbound until restarted.",
           s.store_latched ? 1 : 0);
  w.Scalar("slussen_store_full", "gauge",
           "1 while the store is at its disk bound (inbound released).", s.store_full ? 1 : 0);
  w.Scalar("slussen_store_bytes", "gauge",
           "The store's size on disk at the last measurement.", D(s.store_bytes));
  w.Scalar("slussen_store_max_bytes", "gauge",
           "The store's disk bound (0: unbounded).", D(s.store_max_bytes));

  w.Family("slussen_commit_duration_seconds", "histogram",
           "From the start of a store write to its durable return.");
  uint64_t cumulative = 0;
  const auto& h = s.commit_latency;
  for (std::size_t i = 0; i + 1 < LatencyHistogram::kBuckets; ++i) {
    cumulative += h.buckets[i];
    char le[32];
    std::snprintf(le, sizeof le, "%.6g",
                  static_cast<double>(LatencyHistogram::BucketUpperBoundUs(i)) / 1e6);
    w.Sample("slussen_commit_duration_seconds_bucket", D(cumulative), "le", le);
  }
  w.Sample("slussen_commit_duration_seconds_bucket", D(h.count), "le", "+Inf");
  w.Sample("slussen_commit_duration_seconds_sum", static_cast<double>(h.sum_us) / 1e6);
  w.Sample("slussen_commit_duration_seconds_count", D(h.count));

  if (in.dead_letters) {
    w.Family("slussen_destination_dead_letters", "gauge",
             "Dead deliveries not delivered since (read from the store): what waits for an operator.");
    // Every configured destination (0 when it has none), and any other the store still holds.
    std::map<std::string, int64_t> dead;
    for (const auto& d : s.destinations) dead[d.destination] = 0;
    for (const auto& d : *in.dead_letters) dead[d.destination] = d.count;
    for (const auto& [destination, n] : dead) {
      w.Sample("slussen_destination_dead_letters", D(n), "destination", destination);
    }
  }
  if (in.outcomes_24h) {
    w.Family("slussen_deadline_outcomes_24h", "gauge",
             "Deadlines that fell due in the last 24 hours, by rule and how they ended "
             "(met, met_late, missed; read from the store).");
    for (const auto& o : *in.outcomes_24h) {
      w.Sample("slussen_deadline_outcomes_24h", D(o.met), {{"rule", o.rule}, {"outcome", "met"}});
      w.Sample("slussen_deadline_outcomes_24h", D(o.met_late),
               {{"rule", o.rule}, {"outcome", "met_late"}});
      w.Sample("slussen_deadline_outcomes_24h", D(o.missed), {{"rule", o.rule}, {"outcome", "missed"}});
    }
  }
  if (in.unmet_deadlines) {
    w.Family("slussen_deadlines_unmet", "gauge",
             "Deadlines at risk or missed and not met, by rule and state (read from the store).");
    for (const auto& d : *in.unmet_deadlines) {
      w.Sample("slussen_deadlines_unmet", D(d.count), {{"rule", d.rule}, {"state", d.state}});
    }
  }

  w.Scalar("slussen_cases_evaluated_by_timer_total", "counter",

           "Case re-evaluations because time passed (deadlines, liability days), since start.",

           D(s.cases_evaluated_by_timer));
  return w.Take();
}

}  // namespace slussen::admin
