// slussenctl simulate: what-if runs of the hub's case logic over a timeline, without a hub.
//
// Reads a timeline (cases/timeline.h), refuses what the hub would refuse (ingest/inbound.h
// OfflineRefusalReasons, with the hub's config when --config names it, else the wire contract
// alone; with --adapter also that adapter's entitlements), groups the rest by case, and runs the
// same BuildCase, EvaluateDeadlines and ComputeLiability as the hub with the clock at --now
// (events stored after it are left out: the case as the hub saw it then) or at the latest time in
// the timeline, and prints the evidence report (report/case_report.h) of each case as a table, or
// as JSON.
#include "slussenctl_simulate.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cases/case_state.h"
#include "cases/deadlines.h"
#include "cases/liability.h"
#include "cases/timeline.h"
#include "common/swedish_calendar.h"
#include "common/time_format.h"
#include "config/agreement_loader.h"
#include "config/config_loader.h"
#include "ingest/entitlements.h"
#include "ingest/inbound.h"
#include "report/case_report.h"
#include "wire/case_key.h"
#include "wire/event_kind.h"

namespace slussen::ctl {
namespace {

// Every event the hub would have refused, said on stderr with its line and the hub's own reasons
// (none carries patient data: validate.h), and taken out of `timeline`: the hub never stored it.
// Each is judged as it arrived, at its stored_at. Returns how many.
constexpr const char* kWireContractOnly =
    "Checked against the wire contract only (no --config): the hub's sender, kommun, "
    "reservnummer-issuer, receipt-destination and route checks need its config.";

int RefuseAsTheHubWould(const SimulateArgs& args, const std::optional<Config>& config,
                        std::vector<CaseEvent>& timeline, std::vector<int>& lines) {
  const Config wire_only;
  const Config& checked_against = config ? *config : wire_only;
  const ValidationScope scope = config ? ValidationScope::kHub : ValidationScope::kWireContract;
  std::vector<CaseEvent> kept;
  std::vector<int> kept_lines;
  int refused = 0;
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const v1::Envelope& env = timeline[i].envelope;
    std::vector<std::string> reasons;
    if (const auto kind = KindOf(env); kind && args.adapter) {
      reasons = CheckEntitlements(env, *kind, *args.adapter, checked_against);
    }
    if (reasons.empty()) {
      reasons = OfflineRefusalReasons(env, checked_against, timeline[i].stored_at, scope);
    }
    if (reasons.empty()) {
      kept.push_back(std::move(timeline[i]));
      kept_lines.push_back(lines[i]);
      continue;
    }
    ++refused;
    std::string joined;
    for (const auto& r : reasons) joined += (joined.empty() ? "" : "; ") + r;
    std::cerr << args.timeline << ":" << lines[i] << ": the hub would refuse this event"
              << (args.drop_rejected ? " (left out)" : "") << ": " << joined << "\n";
  }
  timeline = std::move(kept);
  lines = std::move(kept_lines);
  return refused;
}


// Parses argv[first..]; returns an error message or "".
}  // namespace

std::string ParseSimulate(int argc, char** argv, int first, SimulateArgs& args) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    std::optional<std::string> inline_value;
    if (a.rfind("--", 0) == 0) {
      if (const auto eq = a.find('='); eq != std::string::npos) {
        inline_value = a.substr(eq + 1);
        a = a.substr(0, eq);
      }
    }
    auto value = [&](std::string& out) -> std::string {
      if (inline_value) {
        out = *inline_value;
      } else if (i + 1 < argc) {
        out = argv[++i];
      } else {
        return a + " needs a value";
      }
      if (out.empty()) return a + " needs a non-empty value";
      return "";
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      args.help = true;
    } else if (a == "--json" && !inline_value) {
      args.json = true;
    } else if (a == "--drop-rejected" && !inline_value) {
      args.drop_rejected = true;
    } else if (a == "--agreement") {
      if (auto e = value(args.agreement); !e.empty()) return e;
    } else if (a == "--config") {
      if (auto e = value(args.config); !e.empty()) return e;
    } else if (a == "--adapter") {
      if (auto e = value(v); !e.empty()) return e;
      args.adapter = v;
    } else if (a == "--timeline") {
      if (auto e = value(args.timeline); !e.empty()) return e;
    } else if (a == "--now") {
      if (auto e = value(v); !e.empty()) return e;
      args.now = ParseTimeArgument(v);
      if (!args.now) {
        return "--now \"" + v + "\": expected RFC 3339 (2026-03-30T11:59:00+02:00) or \"YYYY-MM-DD HH:MM\"";
      }
    } else if (a == "--case") {
      if (auto e = value(v); !e.empty()) return e;
      args.case_id = v;
    } else if (a.rfind("-", 0) == 0) {
      return "unknown option " + std::string(argv[i]);
    } else {
      return "unexpected argument " + a;
    }
  }
  if (args.help) return "";
  if (args.agreement.empty() && args.config.empty()) {
    return "simulate needs --agreement FILE (or --config FILE naming one)";
  }
  if (args.adapter && args.config.empty()) return "--adapter needs --config FILE";
  if (args.timeline.empty()) return "simulate needs --timeline FILE";
  return "";
}

int Simulate(const SimulateArgs& args) {
  std::optional<Config> config;
  if (!args.config.empty()) {
    auto loaded = LoadConfig(args.config);
    if (!loaded) {
      std::cerr << loaded.error() << "\n";
      return 1;
    }
    config = std::move(*loaded);
    if (args.adapter && config->FindAdapter(*args.adapter) == nullptr) {
      std::cerr << args.config << ": no <adapter name=\"" << *args.adapter << "\">\n";
      return 1;
    }
  }
  std::optional<Agreement> agreement;
  if (!args.agreement.empty()) {
    auto loaded = LoadAgreement(args.agreement);
    if (!loaded) {
      std::cerr << loaded.error() << "\n";
      return 1;
    }
    agreement = std::move(*loaded);
  } else {
    agreement = config->agreement;
  }
  std::vector<int> lines;
  auto timeline = ReadTimeline(args.timeline, &lines);
  if (!timeline) {
    std::cerr << timeline.error() << "\n";
    return 1;
  }
  if (timeline->empty()) {
    std::cerr << args.timeline << ": no events\n";
    return 1;
  }
  if (int refused = RefuseAsTheHubWould(args, config, *timeline, lines); refused > 0) {
    if (!config) std::cerr << kWireContractOnly << "\n";
    if (!args.drop_rejected) {
      std::cerr << args.timeline << ": " << refused
                << " event(s) the hub would refuse; fix them, or --drop-rejected to leave them "
                   "out as the hub would\n";
      return 1;
    }
  }

  TimePoint latest = ToTimePoint(timeline->front().envelope.occurred_at());
  for (const auto& e : *timeline) {
    latest = std::max({latest, e.stored_at, ToTimePoint(e.envelope.occurred_at())});
  }
  const TimePoint at = args.now.value_or(latest);

  // The case as the hub saw it at `at`: only events it had stored by then. Cases in the order of
  // their first line in the timeline.
  std::vector<std::string> order;
  std::map<std::string, std::vector<CaseEvent>> cases;
  std::vector<std::string> all_cases;
  for (const auto& e : *timeline) {
    const std::string key = CaseKey(e.envelope.case_id());
    if (std::find(all_cases.begin(), all_cases.end(), key) == all_cases.end()) all_cases.push_back(key);
    if (e.stored_at > at) continue;
    auto [it, inserted] = cases.try_emplace(key);
    if (inserted) order.push_back(key);
    it->second.push_back(e);
  }
  const std::string at_text = FormatStockholmTime(at);
  if (args.case_id) {
    if (std::find(all_cases.begin(), all_cases.end(), *args.case_id) == all_cases.end()) {
      std::string known;
      for (const auto& k : all_cases) known += "\n  " + k;
      std::cerr << args.timeline << ": no case " << *args.case_id << "; cases in the timeline:"
                << known << "\n";
      return 1;
    }
    if (cases.count(*args.case_id) == 0) {
      std::cerr << args.timeline << ": case " << *args.case_id << " has no event stored at or before "
                << at_text << "\n";
      return 1;
    }
    order = {*args.case_id};
  }
  if (order.empty()) {
    std::cerr << args.timeline << ": no event stored at or before " << at_text << "\n";
    return 1;
  }

  nlohmann::json reports = nlohmann::json::array();
  std::string tables;
  std::vector<CaseState> built;
  for (const auto& key : order) {
    const auto c = BuildCase(key, cases.at(key));
    built.push_back(c);
    const auto deadlines = EvaluateDeadlines(c, *agreement, at);
    const auto liability = ComputeLiability(c, deadlines, *agreement, at);
    if (args.json) {
      reports.push_back(CaseReportJson(c, deadlines, liability, *agreement, {}, at));
    } else {
      if (!tables.empty()) tables += "\n" + std::string(78, '=') + "\n\n";
      tables += CaseReportTable(c, deadlines, liability, *agreement, {}, at);
    }
  }
  // Average-model agreements bill per kommun and month: add that bill for every kommun and month
  // in which a case of the timeline was discharged.
  nlohmann::json averages = nlohmann::json::array();
  if (agreement->model == LiabilityModel::kAverage) {
    // Somatic and psychiatric stays are averaged apart (each against its own threshold).
    std::set<std::tuple<std::string, int, unsigned, bool>> months;
    for (const auto& c : built) {
      if (!c.discharged_at || c.notices.empty()) continue;
      const auto d = calendar::StockholmDate(*c.discharged_at);
      // 5 kap. 2 §: the kommun that pays (a placing kommun, else that of folkbokföring).
      months.insert({PayingKommun(c), static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                     c.notices.back().care_type == v1::PSYCHIATRIC});
    }
    if (!args.json) tables += "\n" + std::string(78, '=') + "\n\nAverage model (per kommun and month)\n";
    for (const auto& [kommun, year, month, psychiatric] : months) {
      const auto row =
          AverageModelReport(built, kommun, year, month, *agreement, at, psychiatric);
      char ym[16];
      std::snprintf(ym, sizeof ym, "%04d-%02u", year, month);
      averages.push_back({{"kommunkod", kommun}, {"month", ym},
                          {"care_type", psychiatric ? "psychiatric" : "somatic"},
                          {"patients_in_average", row.patients_in_average},
                          {"days_in_average", row.days_in_average},
                          {"average_days", row.average_days},
                          {"threshold_days", row.threshold_days},
                          {"billable_days_average", row.billable_days_average},
                          {"patients_billed_individually", row.patients_billed_individually},
                          {"billable_days_individual", row.billable_days_individual},
                          {"amount_kr", row.amount_kr},
                          {"amount_year", row.amount_year},
                          {"amount_confirmed", row.amount_confirmed},
                          {"case_ids", row.case_ids}});
      if (!args.json) {
        char line[256];
        std::snprintf(line, sizeof line,
                      "  kommun %s %s %s: %d patients, %d days, average %.2f (threshold %.1f) "
                      "-> %.1f days; %d billed individually (%d days); %lld kr%s\n",
                      kommun.c_str(), ym, psychiatric ? "psychiatric" : "somatic",
                      row.patients_in_average, row.days_in_average,
                      row.average_days, row.threshold_days, row.billable_days_average,
                      row.patients_billed_individually, row.billable_days_individual,
                      static_cast<long long>(row.amount_kr),
                      row.amount_confirmed ? "" : " (UNCONFIRMED amount)");
        tables += line;
      }
    }
  }
  if (args.json) {
    const auto& cases_json = reports.size() == 1 ? reports.front() : reports;
    if (agreement->model == LiabilityModel::kAverage) {
      std::cout << nlohmann::json{{"cases", reports}, {"average_model", averages}}.dump(2) << "\n";
    } else {
      std::cout << cases_json.dump(2) << "\n";
    }
  } else {
    // What was not checked is said where the reader looks; for JSON it is documented (--help).
    if (!config) std::cout << kWireContractOnly << "\n\n";
    std::cout << tables;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "slussenctl: cannot write the report to stdout\n";
    return 1;
  }
  return 0;
}


}  // namespace slussen::ctl
