#include "report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace slussen::bench {

nlohmann::json HistogramJson(const Histogram& h) {
  return {{"count", h.count()},      {"min", h.min()},
          {"p50", h.Percentile(50)}, {"p90", h.Percentile(90)},
          {"p99", h.Percentile(99)}, {"p99_9", h.Percentile(99.9)},
          {"max", h.max()},          {"mean", std::round(h.mean())}};
}

nlohmann::json PhaseJson(const PhaseResult& r) {
  nlohmann::json j = {{"label", r.label},
                      {"ok", r.ok},
                      {"rate", r.rate},
                      {"sent", r.sent},
                      {"accepted", r.accepted},
                      {"rejected", r.rejected},
                      {"released", r.released},
                      {"destinations", r.destinations},
                      {"delivered", r.delivered},
                      {"duplicates", r.duplicates},
                      {"lost", r.lost},
                      {"send_seconds", r.send_seconds},
                      {"in_events_per_s", std::round(r.in_per_s)},
                      {"out_deliveries_per_s", std::round(r.out_per_s)},
                      {"latency_us", HistogramJson(r.latency_us)},
                      {"accept_latency_us", HistogramJson(r.accept_us)},
                      {"sut_cpu_seconds", static_cast<double>(r.sut_cpu_us) / 1e6},
                      {"sut_cpu_cores", r.sut_cpu_cores},
                      {"sut_rss_kb", r.sut_rss_kb},
                      {"sut_peak_rss_kb", r.sut_hwm_kb},
                      {"sut_storage_write_bytes", r.sut_write_bytes},
                      {"sut_write_syscalls", r.sut_write_calls},
                      {"device_write_bytes", r.device_write_bytes},
                      {"load_generator_cpu_cores", r.bench_cpu_cores}};
  for (const auto& p : r.sut_processes) {
    j["sut_processes"].push_back({{"role", p.role},
                                  {"cpu_seconds", static_cast<double>(p.cpu_us) / 1e6},
                                  {"storage_write_bytes", p.write_bytes},
                                  {"peak_rss_kb", p.hwm_kb}});
  }
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

nlohmann::json FsyncJson(const FsyncResult& f) {
  nlohmann::json j = {{"dir", f.dir}, {"ok", f.ok}, {"write_4k_fdatasync_us", HistogramJson(f.us)}};
  if (!f.error.empty()) j["error"] = f.error;
  return j;
}

nlohmann::json MachineJson() {
  utsname u{};
  uname(&u);
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::ostringstream ts;
  ts << std::put_time(std::gmtime(&now), "%Y-%m-%dT%H:%M:%SZ");
  return {{"cores", sysconf(_SC_NPROCESSORS_ONLN)},
          {"cpu", model},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"time", ts.str()}};
}

bool WriteJson(const std::string& path, const nlohmann::json& j, std::string* error) {
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

std::string Thousands(double v) {
  if (std::isnan(v)) return "-";
  const auto n = static_cast<long long>(std::llround(v));
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Fixed(double v, int decimals) {
  if (std::isnan(v) || std::isinf(v)) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v;
  return s.str();
}

void Table::Print(std::ostream& out) const {
  // Width in characters, not bytes (labels contain µ and å).
  auto width = [](const std::string& s) {
    std::size_t w = 0;
    for (unsigned char c : s) w += (c & 0xC0) != 0x80;
    return w;
  };
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], width(row[i]));
    }
  }
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(widths[i] - width(row[i]), ' ');
      if (i == 0) {
        out << row[i] << pad;
      } else {
        out << "  " << pad << row[i];
      }
    }
    out << "\n";
  }
}

}  // namespace slussen::bench
