#pragma once
// Turning results into JSON and into aligned text tables.
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fsync_probe.h"
#include "histogram.h"
#include "phase.h"

namespace slussen::bench {

nlohmann::json HistogramJson(const Histogram& h);  // count, min, p50, p90, p99, p99_9, max, mean
nlohmann::json PhaseJson(const PhaseResult& r);
nlohmann::json FsyncJson(const FsyncResult& f);
nlohmann::json MachineJson();  // cores, cpu model, kernel, time
bool WriteJson(const std::string& path, const nlohmann::json& j, std::string* error);

// "12,345" / "1.23" / "-" for NaN.
std::string Thousands(double v);
std::string Fixed(double v, int decimals);

// A text table: the first column left-aligned, the others right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace slussen::bench
