#pragma once
// The rows of `compare`'s tables: a label and how to read the figure from one system's run
// (NaN: not measured, printed as "-").
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "compare_system.h"

namespace slussen::bench {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Metric {
  std::string label;
  std::function<double(const SystemRun&)> get;
  int decimals = 0;
  bool difference = true;  // a difference between systems means something (not for rates)
};

inline double Ratio(double a, double b) {
  return (std::isnan(a) || std::isnan(b) || b == 0) ? kNaN : a / b;
}

// The run of `name` if it ran without error.
inline const SystemRun* FindRun(const std::vector<SystemRun>& runs, const std::string& name) {
  for (const auto& r : runs) {
    if (r.name == name && r.ran() && r.error.empty()) return &r;
  }
  return nullptr;
}

using PhaseMetric = std::function<double(const PhaseResult&)>;

// A metric of the median all-out run.
inline std::function<double(const SystemRun&)> OfMedian(PhaseMetric f) {
  return [f](const SystemRun& r) {
    const auto* m = r.Median();
    return m ? f(*m) : kNaN;
  };
}

// A metric of the fixed-rate run at `rate`.
inline std::function<double(const SystemRun&)> AtRate(double rate, PhaseMetric f) {
  return [rate, f](const SystemRun& r) {
    const auto* m = r.AtRate(rate);
    return m ? f(*m) : kNaN;
  };
}

inline double Pct(const Histogram& h, double p) { return static_cast<double>(h.Percentile(p)); }

// Per accepted event, of the whole system or (`role` non-empty) of its processes of that role;
// NaN when it has none.
inline PhaseMetric CpuUsPerEvent(std::string role = {}) {
  return [role](const PhaseResult& p) {
    if (!p.accepted) return kNaN;
    if (role.empty()) return double(p.sut_cpu_us) / double(p.accepted);
    double us = kNaN;
    for (const auto& u : p.sut_processes) {
      if (u.role == role) us = (std::isnan(us) ? 0 : us) + double(u.cpu_us);
    }
    return us / double(p.accepted);
  };
}

inline PhaseMetric DeviceKbPerEvent() {
  return [](const PhaseResult& p) {
    if (!p.accepted || p.device_write_bytes < 0) return kNaN;
    return double(p.device_write_bytes) / 1024 / double(p.accepted);
  };
}

inline PhaseMetric WrittenKbPerEvent(std::string role = {}) {
  return [role](const PhaseResult& p) {
    if (!p.accepted) return kNaN;
    if (role.empty()) return double(p.sut_write_bytes) / 1024 / double(p.accepted);
    double bytes = kNaN;
    for (const auto& u : p.sut_processes) {
      if (u.role == role) bytes = (std::isnan(bytes) ? 0 : bytes) + double(u.write_bytes);
    }
    return bytes / 1024 / double(p.accepted);
  };
}

inline std::string PercentileLabel(double p) {
  return "p" + (p == 99.9 ? std::string("99.9") : std::to_string(int(p)));
}

}  // namespace slussen::bench
