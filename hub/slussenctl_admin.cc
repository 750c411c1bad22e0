// slussenctl's operator commands: they talk to a running hub's admin API (hub/DESIGN.md "Admin
// API") over HTTP, so an operator never opens the database file. Human tables by default, the
// API's JSON with --json.
//
// Exit codes: 0 done; 1 the hub refused (400, 404, 409: the message says why); 2 usage;
// 3 the hub is unreachable or did not answer (503 included); 4 the token is missing or wrong
// (401); 5 the operator's role is not enough (403).
#include "slussenctl_admin.h"

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

namespace slussen::ctl {
namespace {

using nlohmann::json;

constexpr int kRefused = 1;
constexpr int kUsage = 2;
constexpr int kUnreachable = 3;
constexpr int kUnauthenticated = 4;
constexpr int kForbidden = 5;

struct Connection {
  std::string admin = "127.0.0.1:8181";  // HOST:PORT of the hub's admin listener
  std::string token_file;
  bool json = false;
};

// The token: from --token-file (first line), else SLUSSEN_TOKEN.
std::string Token(const Connection& c) {
  if (!c.token_file.empty()) {
    std::ifstream in(c.token_file);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
  }
  const char* env = std::getenv("SLUSSEN_TOKEN");
  return env ? env : "";
}

int Refused(const httplib::Response& res, const json& body);

// Sends the request and maps the answer to an exit code; `body` gets the JSON answer.
int Call(const Connection& c, const std::string& method, const std::string& path,
         const json& request, json* body) {
  httplib::Client client("http://" + c.admin);
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  const httplib::Headers headers = {{"Authorization", "Bearer " + Token(c)}};
  auto res = method == "GET" ? client.Get(path, headers)
                             : client.Post(path, headers, request.dump(), "application/json");
  if (!res) {
    std::cerr << "slussenctl: the hub's admin API at " << c.admin
              << " is unreachable: " << httplib::to_string(res.error()) << "\n";
    return kUnreachable;
  }
  *body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (res->status / 100 == 2 && !body->is_discarded()) return 0;
  return Refused(*res, *body);
}

// Says why the hub refused (its JSON error, else the status) and maps the status to an exit code.
int Refused(const httplib::Response& res, const json& body) {
  const std::string why = body.is_object() && body.contains("error") && body["error"].is_string()
                              ? body["error"].get<std::string>()
                              : "HTTP " + std::to_string(res.status);
  std::cerr << "slussenctl: " << why << "\n";
  switch (res.status) {
    case 401: return kUnauthenticated;
    case 403: return kForbidden;
    case 503: return kUnreachable;
    default: return kRefused;
  }
}

// A GET (or with `post`, a POST of that JSON) whose answer is not JSON when it succeeds (CSV, a
// PDF): `bytes` gets the body. Errors are JSON and exit as for Call.
int Download(const Connection& c, const std::string& path, std::string* bytes,
             const json* post = nullptr) {
  httplib::Client client("http://" + c.admin);
  client.set_connection_timeout(5);
  client.set_read_timeout(60);
  const httplib::Headers headers = {{"Authorization", "Bearer " + Token(c)}};
  auto res = post ? client.Post(path, headers, post->dump(), "application/json")
                  : client.Get(path, headers);
  if (!res) {
    std::cerr << "slussenctl: the hub's admin API at " << c.admin
              << " is unreachable: " << httplib::to_string(res.error()) << "\n";
    return kUnreachable;
  }
  if (res->status / 100 == 2) {
    *bytes = res->body;
    return 0;
  }
  return Refused(*res, json::parse(res->body, nullptr, /*allow_exceptions=*/false));
}

// Writes `bytes` to `file` whole, or removes what it wrote and says why.
int WriteOut(const std::string& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) {
    std::cerr << "slussenctl: cannot write " << file << "\n";
    std::remove(file.c_str());
    return kRefused;
  }
  return 0;
}

std::string Num(const json& v) { return v.is_number() ? v.dump() : "-"; }

int Queues(const Connection& c) {
  json body;
  if (int rc = Call(c, "GET", "/api/v1/destinations", {}, &body); rc != 0) return rc;
  if (c.json) {
    std::cout << body.dump(2) << "\n";
    return 0;
  }
  std::printf("%-28s %7s %10s %9s %7s %9s %5s %8s  %s\n", "destination", "depth", "oldest (s)",
              "in flight", "retry", "receivers", "dead", "receipts", "state");
  for (const auto& d : body["destinations"]) {
    std::string state = d.value("paused", false) ? "paused" : "";
    if (d.contains("maintenance_window")) {
      state += (state.empty() ? "" : ", ") + std::string("window ") +
               d["maintenance_window"].value("name", "") + " until " +
               d["maintenance_window"].value("ends_at", "");
    }
    // Receipts: the share that came in time since start ("-": the destination sends none, or
    // none was due yet).
    std::string receipts = "-";
    if (d["receipts"].is_object() && d["receipts"]["coverage"].is_number()) {
      char pct[16];
      std::snprintf(pct, sizeof pct, "%.0f%%", 100 * d["receipts"]["coverage"].get<double>());
      receipts = pct;
    }
    std::printf("%-28s %7s %10.0f %9s %7s %9s %5s %8s  %s\n",
                d.value("destination", "").c_str(), Num(d["depth"]).c_str(),
                d.value("oldest_age_seconds", 0.0), Num(d["in_flight"]).c_str(),
                Num(d["waiting_retry"]).c_str(), Num(d["receivers"]).c_str(),
                Num(d["dead_letters"]).c_str(), receipts.c_str(), state.c_str());
  }
  return 0;
}

// One screen: is the hub ready, what waits where, what is dead, which cases are late.
int Status(const Connection& c) {
  httplib::Client client("http://" + c.admin);
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  auto ready = client.Get("/readyz");
  if (!ready) {
    std::cerr << "slussenctl: the hub's admin API at " << c.admin
              << " is unreachable: " << httplib::to_string(ready.error()) << "\n";
    return kUnreachable;
  }
  const json readiness = json::parse(ready->body, nullptr, /*allow_exceptions=*/false);
  json destinations, cases;
  if (int rc = Call(c, "GET", "/api/v1/destinations", {}, &destinations); rc != 0) return rc;
  if (int rc = Call(c, "GET", "/api/v1/cases?limit=1000", {}, &cases); rc != 0) return rc;
  if (c.json) {
    std::cout << json{{"readiness", readiness},
                      {"destinations", destinations["destinations"]},
                      {"cases", cases["cases"]}}.dump(2)
              << "\n";
    return 0;
  }
  std::cout << "hub " << c.admin << ": "
            << (readiness.is_object() && readiness.value("ready", false) ? "ready" : "NOT READY")
            << "\n";
  if (readiness.is_object() && readiness.contains("problems")) {
    for (const auto& p : readiness["problems"]) std::cout << "  " << p.get<std::string>() << "\n";
  }
  int64_t depth = 0, in_flight = 0, retrying = 0, dead = 0;
  double oldest = 0;
  std::string oldest_at, paused;
  bool depth_known = true;
  for (const auto& d : destinations["destinations"]) {
    if (d["depth"].is_number()) depth += d["depth"].get<int64_t>(); else depth_known = false;
    in_flight += d.value("in_flight", int64_t{0});
    retrying += d.value("waiting_retry", int64_t{0});
    if (d["dead_letters"].is_number()) dead += d["dead_letters"].get<int64_t>();
    if (d.value("oldest_age_seconds", 0.0) > oldest) {
      oldest = d.value("oldest_age_seconds", 0.0);
      oldest_at = d.value("destination", "");
    }
    if (d.value("paused", false)) paused += (paused.empty() ? "" : ", ") + d.value("destination", "");
  }
  std::printf("queued: %s", depth_known ? std::to_string(depth).c_str() : "(not counted yet)");
  if (oldest > 0) std::printf(" (oldest %.0f s, for %s)", oldest, oldest_at.c_str());
  std::printf(", in flight %lld, waiting for a retry %lld\n", static_cast<long long>(in_flight),
              static_cast<long long>(retrying));
  std::printf("dead letters: %lld%s\n", static_cast<long long>(dead),
              dead ? " (slussenctl deadletters)" : "");
  if (!paused.empty()) std::printf("paused: %s\n", paused.c_str());
  // Open ones from the hub's totals (every case, not a page of them); done late from the list,
  // which holds those of the last 30 days.
  const json& totals = cases["totals"];
  const int64_t missed = totals.value("missed_open", int64_t{0});
  const int64_t at_risk = totals.value("at_risk", int64_t{0});
  int64_t done_late = 0;
  for (const auto& k : cases["cases"]) {
    if (k["deadline"].contains("met_late_at")) ++done_late;
  }
  const bool all_listed = cases["cases"].size() < 1000;
  std::printf("cases: %lld with a deadline missed and still open, %lld%s done late (30 days), "
              "%lld at risk%s\n",
              static_cast<long long>(missed), static_cast<long long>(done_late),
              all_listed ? "" : "+", static_cast<long long>(at_risk),
              missed + done_late + at_risk ? " (slussenctl cases --late)" : "");
  return 0;
}

// Cases by legal and money risk; --late: only those with a deadline missed.
int Cases(const Connection& c, bool late_only, int limit) {
  json body;
  if (int rc = Call(c, "GET", "/api/v1/cases?limit=" + std::to_string(limit), {}, &body); rc != 0) {
    return rc;
  }
  json shown = json::array();
  for (const auto& k : body["cases"]) {
    if (!late_only || k["deadline"].value("state", "") == "missed") shown.push_back(k);
  }
  if (c.json) {
    std::cout << json{{"cases", shown}}.dump(2) << "\n";
    return 0;
  }
  if (shown.empty()) {
    std::cout << (late_only ? "no late cases\n" : "no cases late or at risk\n");
    return 0;
  }
  std::printf("%-40s %-6s %-26s %-8s %-32s %6s %9s\n", "case", "kommun", "deadline", "state",
              "due", "days", "kr");
  for (const auto& k : shown) {
    std::string state = k["deadline"].value("state", "");
    if (k["deadline"].contains("met_late_at")) state += " (done late)";
    std::printf("%-40s %-6s %-26s %-8s %-32s %6s %9s\n", k.value("case_id", "").c_str(),
                k.value("kommunkod", "").c_str(), k["deadline"].value("id", "").c_str(),
                state.c_str(), k["deadline"].value("due", "").c_str(),
                Num(k["liability_days"]).c_str(), Num(k["liability_amount_kr"]).c_str());
  }
  return 0;
}

// One case's evidence report: a summary, the JSON with --json, the PDF with --pdf FILE.
int Case(const Connection& c, const std::string& case_id, const std::string& pdf) {
  const std::string path = "/api/v1/cases/" + case_id;
  if (!pdf.empty()) {
    std::string bytes;
    if (int rc = Download(c, path + "/report.pdf", &bytes); rc != 0) return rc;
    if (int rc = WriteOut(pdf, bytes); rc != 0) return rc;
    std::cout << "wrote " << pdf << " (" << bytes.size() << " bytes)\n";
    return 0;
  }
  json r;
  if (int rc = Call(c, "GET", path, {}, &r); rc != 0) return rc;
  if (c.json) {
    std::cout << r.dump(2) << "\n";
    return 0;
  }
  std::printf("case %s: %s, kommun %s\n", r.value("case_id", "").c_str(),
              r.value("status", "").c_str(), r.value("kommunkod", "").c_str());
  std::printf("\nevents:\n");
  for (const auto& e : r["events"]) {
    std::printf("  %-32s %-28s stored %s\n", e.value("stored_at", "").c_str(),
                e.value("kind", "").c_str(), e.value("event_id", "").c_str());
    for (const auto& d : e["destinations"]) {
      std::string what = d["delivered_at"].is_string() && !d["delivered_at"].get<std::string>().empty()
                             ? "delivered " + d["delivered_at"].get<std::string>()
                             : "not delivered";
      if (d["receipt"].is_object()) what += ", receipt " + d["receipt"].value("stored_at", "");
      if (d.contains("dead_at") && d["dead_at"].is_string() &&
          !d["dead_at"].get<std::string>().empty()) {
        what += ", dead " + d["dead_at"].get<std::string>();
      }
      std::printf("      -> %-26s %s\n", d.value("destination", "").c_str(), what.c_str());
    }
  }
  std::printf("\ndeadlines:\n");
  for (const auto& d : r["deadlines"]) {
    std::printf("  %-26s %-8s due %s\n", d.value("id", "").c_str(), d.value("state", "").c_str(),
                d["due"].is_string() ? d["due"].get<std::string>().c_str() : "-");
  }
  if (r.contains("liability") && r["liability"].is_object()) {
    const json& l = r["liability"];
    std::printf("\npayment liability: %s, %s days, %s kr%s\n",
                l.value("liable", false) ? "yes" : "no", Num(l["totals"]["days"]).c_str(),
                Num(l["totals"]["amount_kr"]).c_str(),
                l.value("provisional", false) ? " (provisional)" : "");
  }
  return 0;
}

std::string DeviationTable(const json& body) {
  std::string out = "deviations in " + body.value("month", "") + " (" + body.value("from", "") +
                    " to " + body.value("to", "") + ")\n";
  const json& groups = body["deviations"];
  if (groups.empty()) return out + "no deviations\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-28s %-7s %-26s %-24s %6s %6s  %s\n", "category", "party",
                "organisation", "deadline / fallback", "count", "cases", "recurring");
  out += line;
  for (const auto& g : groups) {
    const json& org = g["organisation"];
    std::string who = org.value("id", "");
    if (!org.value("name", "").empty()) who += " " + org.value("name", "");
    std::string what = g.value("rule", "");
    if (g.contains("fallback_to")) what = "-> " + g.value("fallback_to", "");
    std::string recurring = g.value("recurring", false) ? "yes" : "no";
    for (const auto& m : g["also_in"]) recurring += " " + m.get<std::string>();
    std::snprintf(line, sizeof line, "%-28s %-7s %-26s %-24s %6s %6s  %s\n",
                  g.value("category", "").c_str(), org.value("kind", "").c_str(), who.c_str(),
                  what.c_str(), Num(g["count"]).c_str(), Num(g["cases"]).c_str(),
                  recurring.c_str());
    out += line;
    if (g.contains("case_ids")) {
      std::string ids;
      for (const auto& id : g["case_ids"]) ids += (ids.empty() ? "" : ", ") + id.get<std::string>();
      out += "    cases: " + ids + "\n";
    }
  }
  return out;
}

int DeadLetters(const Connection& c, int limit) {
  json body;
  const std::string path = "/api/v1/deadletters?limit=" + std::to_string(limit);
  if (int rc = Call(c, "GET", path, {}, &body); rc != 0) return rc;
  if (c.json) {
    std::cout << body.dump(2) << "\n";
    return 0;
  }
  if (body["deadletters"].empty()) {
    std::cout << "no dead letters\n";
    return 0;
  }
  for (const auto& d : body["deadletters"]) {
    std::printf("%-8s %-24s %-26s %s\n  event %s, case %s, %s attempt(s): %s\n",
                Num(d["seq"]).c_str(), d.value("destination", "").c_str(),
                d.value("kind", "").c_str(), d.value("dead_at", "").c_str(),
                d.value("event_id", "").c_str(), d.value("case_id", "").c_str(),
                Num(d["attempts"]).c_str(), d.value("reason", "").c_str());
  }
  return 0;
}

struct DeviationArgs {
  std::string month;
  std::string format;  // json, csv or pdf; empty: a table (or JSON with --json)
  std::string output;  // a file; empty: stdout
};

// The monthly deviation report (hub/DESIGN.md "Deviation report"): a table per category and
// organisation, or the API's JSON, CSV or PDF as it is.
int Deviations(const Connection& c, const DeviationArgs& a) {
  const std::string format = a.format.empty() && c.json ? "json" : a.format;
  if (format == "pdf" && a.output.empty()) {
    std::cerr << "slussenctl: --format pdf needs --output FILE\n";
    return kUsage;
  }
  httplib::Params query = {{"month", a.month}};
  if (!format.empty()) query.emplace("format", format);
  const std::string path = httplib::append_query_params("/api/v1/deviations", query);
  std::string text;
  if (format.empty()) {
    json body;
    if (int rc = Call(c, "GET", path, {}, &body); rc != 0) return rc;
    text = DeviationTable(body);
  } else if (int rc = Download(c, path, &text); rc != 0) {
    return rc;
  }
  if (a.output.empty()) {
    std::cout << text;
    std::cout.flush();
    return std::cout ? 0 : kRefused;
  }
  return WriteOut(a.output, text);
}

// The patient's access-log extract (auditors): a table, the JSON with --json, the PDF for the
// patient with --pdf FILE. The personnummer goes in the request's body, never in its URL.
int Loggutdrag(const Connection& c, const std::string& personnummer, const std::string& pdf) {
  const json request = {{"personnummer", personnummer}};
  if (!pdf.empty()) {
    std::string bytes;
    if (int rc = Download(c, "/api/v1/loggutdrag.pdf", &bytes, &request); rc != 0) return rc;
    if (int rc = WriteOut(pdf, bytes); rc != 0) return rc;
    std::cout << "wrote " << pdf << " (" << bytes.size() << " bytes)\n";
    return 0;
  }
  json body;
  if (int rc = Call(c, "POST", "/api/v1/loggutdrag", request, &body); rc != 0) return rc;
  if (c.json) {
    std::cout << body.dump(2) << "\n";
    return 0;
  }
  std::printf("%-32s %-10s %-36s %-16s %s\n", "when", "action", "organisation", "who", "what");
  for (const auto& e : body["entries"]) {
    std::printf("%-32s %-10s %-36s %-16s %s\n", e.value("at", "").c_str(),
                e.value("action", "").c_str(), e.value("organisation", "").c_str(),
                e.value("actor", "").c_str(), e.value("what", "").c_str());
  }
  std::printf("%s entries\n", Num(body["count"]).c_str());
  return 0;
}

int Act(const Connection& c, const std::string& path, json request) {
  json body;
  if (int rc = Call(c, "POST", path, request, &body); rc != 0) return rc;
  if (c.json) {
    std::cout << body.dump(2) << "\n";
  } else {
    std::cout << "done\n";
  }
  return 0;
}

}  // namespace

int RunAdminCommand(int argc, char** argv) {
  CLI::App app{"slussenctl: operate a running Slussen hub through its admin API"};
  app.require_subcommand(1);
  app.fallthrough();  // --admin, --token-file and --json also after the command
  Connection c;
  if (const char* env = std::getenv("SLUSSEN_ADMIN")) c.admin = env;
  app.add_option("--admin", c.admin, "HOST:PORT of the hub's admin listener (or SLUSSEN_ADMIN)");
  app.add_option("--token-file", c.token_file,
                 "file whose first line is your admin token (else SLUSSEN_TOKEN)");
  app.add_flag("--json", c.json, "print the API's JSON instead of a table");

  auto* queues = app.add_subcommand("queues", "each destination: depth, age of the oldest, in "
                                              "flight, retrying, receivers, dead letters, "
                                              "receipts in time, paused");
  int limit = 100;
  auto* dead = app.add_subcommand("deadletters", "dead deliveries, newest first, with the reason");
  dead->add_option("--limit", limit, "how many")->check(CLI::Range(1, 1000));

  auto* status = app.add_subcommand("status", "is the hub ready; what waits, what is dead, which "
                                              "cases are late");
  bool late = false;
  auto* cases = app.add_subcommand("cases", "cases late or at risk, by legal and money risk");
  cases->add_flag("--late", late, "only cases with a deadline missed");
  cases->add_option("--limit", limit, "how many")->check(CLI::Range(1, 1000));
  std::string case_id, pdf;
  auto* one_case = app.add_subcommand("case", "one case's evidence report (operator; the read is "
                                              "recorded)");
  one_case->add_option("case_id", case_id, "<care unit HSA id>/<episode id>")->required();
  one_case->add_option("--pdf", pdf, "write the report as a PDF to this file");

  DeviationArgs deviation;
  auto* deviations = app.add_subcommand(
      "deviations", "the month's deviation report (avvikelser): per organisation and category, "
                    "with the recurring ones flagged");
  deviations->add_option("--month", deviation.month, "YYYY-MM (Europe/Stockholm)")->required();
  deviations->add_option("--format", deviation.format, "json, csv or pdf (default: a table)")
      ->check(CLI::IsMember({"json", "csv", "pdf"}));
  deviations->add_option("--output", deviation.output, "write to FILE (needed for pdf)");

  std::string personnummer, extract_pdf;
  auto* loggutdrag = app.add_subcommand(
      "loggutdrag", "a patient's access-log extract: who got or saw their data, and when "
                    "(auditor; taking it is recorded)");
  loggutdrag->add_option("--personnummer", personnummer, "YYYYMMDDNNNC or YYYYMMDD-NNNC")
      ->required();
  loggutdrag->add_option("--pdf", extract_pdf, "write the extract for the patient as a PDF");

  std::string reason, destination, event_id;
  int64_t seq = 0;
  auto* retry = app.add_subcommand("retry", "send a dead delivery again");
  retry->add_option("seq", seq, "the delivery (seq from deadletters)")->required();
  auto* mark = app.add_subcommand("mark-delivered", "record a delivery as made by other means");
  mark->add_option("seq", seq, "the delivery")->required();
  auto* reroute = app.add_subcommand("reroute", "send an event to another destination as well");
  reroute->add_option("event_id", event_id, "the event")->required();
  reroute->add_option("--to", destination, "the destination")->required();
  auto* pause = app.add_subcommand("pause", "send nothing new to a destination");
  pause->add_option("destination", destination, "e.g. kommun-1380")->required();
  auto* resume = app.add_subcommand("resume", "resume a paused destination");
  resume->add_option("destination", destination, "e.g. kommun-1380")->required();
  for (auto* action : {retry, mark, reroute, pause, resume}) {
    action->add_option("--reason", reason, "why (kept with your name on the case)")->required();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const json why = {{"reason", reason}};
  if (*status) return Status(c);
  if (*cases) return Cases(c, late, limit);
  if (*one_case) return Case(c, case_id, pdf);
  if (*queues) return Queues(c);
  if (*dead) return DeadLetters(c, limit);
  if (*deviations) return Deviations(c, deviation);
  if (*loggutdrag) return Loggutdrag(c, personnummer, extract_pdf);
  if (*retry) return Act(c, "/api/v1/deliveries/" + std::to_string(seq) + "/retry", why);
  if (*mark) return Act(c, "/api/v1/deliveries/" + std::to_string(seq) + "/mark-delivered", why);
  if (*reroute) {
    return Act(c, "/api/v1/events/" + event_id + "/reroute",
               json{{"reason", reason}, {"destination", destination}});
  }
  if (*pause) return Act(c, "/api/v1/destinations/" + destination + "/pause", why);
  if (*resume) return Act(c, "/api/v1/destinations/" + destination + "/resume", why);
  return kUsage;
}

bool IsAdminCommand(const std::string& command) {
  return command == "status" || command == "cases" || command == "case" ||
         command == "queues" || command == "deadletters" || command == "retry" ||
         command == "mark-delivered" || command == "reroute" || command == "pause" ||
         command == "resume" || command == "deviations" || command == "loggutdrag";
}

}  // namespace slussen::ctl
