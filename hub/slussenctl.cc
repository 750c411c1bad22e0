// slussenctl: offline tools over the hub's case logic. No hub, no store, no network.
//
//   slussenctl simulate --agreement FILE --timeline FILE.jsonl [--now TIME] [--json] [--case ID]
//
// reads a timeline (timeline.h), groups it by case, and runs the same BuildCase, EvaluateDeadlines
// and ComputeLiability as the hub with the clock at --now (events stored after it are left out:
// the case as the hub saw it then) or at the latest time in the timeline, and prints the evidence
// report (case_report.h) of each case as a table, or as JSON.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "config/agreement_loader.h"
#include "report/case_report.h"
#include "cases/case_state.h"
#include "cases/deadlines.h"
#include "wire/case_key.h"
#include "cases/liability.h"
#include "common/swedish_calendar.h"
#include "common/time_format.h"
#include "cases/timeline.h"
#include "slussenctl_admin.h"
#include "slussenctl_audit.h"

namespace {

constexpr const char* kUsage = R"(usage: slussenctl simulate --agreement FILE --timeline FILE.jsonl [--now TIME] [--json] [--case ID]
       slussenctl [--admin HOST:PORT] [--token-file FILE] [--json] COMMAND ...
       slussenctl audit verify --store FILE [--head SEQ:HASH] [--json]
       slussenctl --help | --version

Operating a running hub, through its admin API (hub/DESIGN.md "Admin API"); the token comes from
--token-file or SLUSSEN_TOKEN, the address from --admin or SLUSSEN_ADMIN (default
127.0.0.1:8181). COMMAND --help for each:
  status                          ready or not, what waits, dead letters, late cases
  cases [--late] [--limit N]      cases late or at risk, by legal and money risk
  case CASE_ID [--pdf FILE]       one case's evidence report (operator; the read is recorded)
  queues                          each destination's depth, oldest age, in flight, retries, dead
  deadletters [--limit N]         dead deliveries, newest first, with the reason
  retry SEQ --reason WHY          send a dead delivery again
  mark-delivered SEQ --reason WHY record a delivery made by other means ("phoned through")
  reroute EVENT_ID --to DEST --reason WHY
  pause DEST --reason WHY | resume DEST --reason WHY
  deviations --month YYYY-MM [--format json|csv|pdf] [--output FILE]
                                  the month's deviation report per organisation (pdf: --output)
  loggutdrag --personnummer NNN [--pdf FILE]
                                  a patient's access-log extract (auditor; it is recorded)
audit verify: checks the audit log's hash chain in the store file itself (read-only, no hub
needed) and names the first changed, removed or reordered row; exit 0 intact, 1 broken, 3 the
file cannot be read. --head: a head logged earlier that the log must still reach.

Exit 0: done; 1: the hub refused (the message says why); 2: usage; 3: the hub is unreachable or
did not answer; 4: no or wrong token; 5: your role may not do this.

simulate: what-if runs of the case logic of lag (2017:612) under an agreement, without a hub.
  --agreement FILE   agreement XML (schemas/agreement.xsd), e.g. config/agreements/region-halland.xml
  --timeline FILE    JSON Lines: one slussen.v1.Envelope per line in the protobuf JSON mapping;
                     an optional extra key "stored_at" (RFC 3339) per line sets when the hub
                     stored it (default: its occurredAt). Blank lines and # comments are skipped.
  --now TIME         evaluation time: RFC 3339 (2026-03-30T11:59:00+02:00) or Stockholm local
                     time "YYYY-MM-DD HH:MM"; default: the latest time in the timeline. Only
                     events stored by then count: the case as the hub saw it at that time
  --json             print the report as JSON (an array when the timeline holds several cases;
                     under an average-model agreement an object {"cases": [...],
                     "average_model": [...]})
Under an average-model agreement (e.g. region-stockholm.xml) the kommun's monthly bill is added
for every kommun and month in which a case of the timeline was discharged.
  --case ID          only this case ("<care_unit_hsa_id>/<episode_id>")

Times in the report are Europe/Stockholm with their UTC offset. The report contains no
personnummer, names or addresses.
Exit 0: done; 1: unreadable or invalid agreement or timeline, or no such case; 2: usage error.
)";

int Usage(const std::string& problem) {
  std::cerr << "slussenctl: " << problem << "\n\n" << kUsage;
  return 2;
}

struct SimulateArgs {
  std::string agreement;
  std::string timeline;
  std::optional<std::string> now;
  std::optional<std::string> case_id;
  bool json = false;
  bool help = false;
};

// Parses argv[first..]; returns an error message or "".
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
    } else if (a == "--agreement") {
      if (auto e = value(args.agreement); !e.empty()) return e;
    } else if (a == "--timeline") {
      if (auto e = value(args.timeline); !e.empty()) return e;
    } else if (a == "--now") {
      if (auto e = value(v); !e.empty()) return e;
      args.now = v;
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
  if (args.agreement.empty()) return "simulate needs --agreement FILE";
  if (args.timeline.empty()) return "simulate needs --timeline FILE";
  return "";
}

int Simulate(const SimulateArgs& args) {
  std::optional<slussen::TimePoint> now;
  if (args.now) {
    now = slussen::ParseTimeArgument(*args.now);
    if (!now) {
      return Usage("--now \"" + *args.now +
                   "\": expected RFC 3339 (2026-03-30T11:59:00+02:00) or \"YYYY-MM-DD HH:MM\"");
    }
  }
  auto agreement = slussen::LoadAgreement(args.agreement);
  if (!agreement) {
    std::cerr << agreement.error() << "\n";
    return 1;
  }
  auto timeline = slussen::ReadTimeline(args.timeline);
  if (!timeline) {
    std::cerr << timeline.error() << "\n";
    return 1;
  }
  if (timeline->empty()) {
    std::cerr << args.timeline << ": no events\n";
    return 1;
  }

  slussen::TimePoint latest = slussen::ToTimePoint(timeline->front().envelope.occurred_at());
  for (const auto& e : *timeline) {
    latest = std::max({latest, e.stored_at, slussen::ToTimePoint(e.envelope.occurred_at())});
  }
  const slussen::TimePoint at = now.value_or(latest);

  // The case as the hub saw it at `at`: only events it had stored by then. Cases in the order of
  // their first line in the timeline.
  std::vector<std::string> order;
  std::map<std::string, std::vector<slussen::CaseEvent>> cases;
  std::vector<std::string> all_cases;
  for (const auto& e : *timeline) {
    const std::string key = slussen::CaseKey(e.envelope.case_id());
    if (std::find(all_cases.begin(), all_cases.end(), key) == all_cases.end()) all_cases.push_back(key);
    if (e.stored_at > at) continue;
    auto [it, inserted] = cases.try_emplace(key);
    if (inserted) order.push_back(key);
    it->second.push_back(e);
  }
  const std::string at_text = slussen::FormatStockholmTime(at);
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
  std::vector<slussen::CaseState> built;
  for (const auto& key : order) {
    const auto c = slussen::BuildCase(key, cases.at(key));
    built.push_back(c);
    const auto deadlines = slussen::EvaluateDeadlines(c, *agreement, at);
    const auto liability = slussen::ComputeLiability(c, deadlines, *agreement, at);
    if (args.json) {
      reports.push_back(slussen::CaseReportJson(c, deadlines, liability, *agreement, {}, at));
    } else {
      if (!tables.empty()) tables += "\n" + std::string(78, '=') + "\n\n";
      tables += slussen::CaseReportTable(c, deadlines, liability, *agreement, {}, at);
    }
  }
  // Average-model agreements bill per kommun and month: add that bill for every kommun and month
  // in which a case of the timeline was discharged.
  nlohmann::json averages = nlohmann::json::array();
  if (agreement->model == slussen::LiabilityModel::kAverage) {
    // Somatic and psychiatric stays are averaged apart (each against its own threshold).
    std::set<std::tuple<std::string, int, unsigned, bool>> months;
    for (const auto& c : built) {
      if (!c.discharged_at || c.notices.empty()) continue;
      const auto d = slussen::calendar::StockholmDate(*c.discharged_at);
      // 5 kap. 2 §: the kommun that pays (a placing kommun, else that of folkbokföring).
      months.insert({slussen::PayingKommun(c), static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                     c.notices.back().care_type == slussen::v1::PSYCHIATRIC});
    }
    if (!args.json) tables += "\n" + std::string(78, '=') + "\n\nAverage model (per kommun and month)\n";
    for (const auto& [kommun, year, month, psychiatric] : months) {
      const auto row =
          slussen::AverageModelReport(built, kommun, year, month, *agreement, at, psychiatric);
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
    if (agreement->model == slussen::LiabilityModel::kAverage) {
      std::cout << nlohmann::json{{"cases", reports}, {"average_model", averages}}.dump(2) << "\n";
    } else {
      std::cout << cases_json.dump(2) << "\n";
    }
  } else {
    std::cout << tables;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "slussenctl: cannot write the report to stdout\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage("no command");
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "--version") {
    std::cout << "slussenctl " << SLUSSEN_VERSION << "\n";
    return 0;
  }
  if (slussen::ctl::IsAdminCommand(std::string(command)) || command.rfind("--admin", 0) == 0 ||
      command.rfind("--token-file", 0) == 0 || command == "--json") {
    return slussen::ctl::RunAdminCommand(argc, argv);
  }
  if (command == "audit") return slussen::ctl::RunAuditCommand(argc, argv);
  if (command == "simulate") {
    SimulateArgs args;
    if (auto problem = ParseSimulate(argc, argv, 2, args); !problem.empty()) return Usage(problem);
    if (args.help) {
      std::cout << kUsage;
      return 0;
    }
    try {
      return Simulate(args);
    } catch (const std::exception& e) {
      std::cerr << "slussenctl: " << e.what() << "\n";
      return 1;
    }
  }
  if (command.rfind("-", 0) == 0) return Usage("unknown option " + std::string(command));
  return Usage("unknown command " + std::string(command));
}
