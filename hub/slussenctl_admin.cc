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

// A GET whose answer is not JSON when it succeeds (CSV, a PDF): `bytes` gets the body. Errors are
// JSON and exit as for Call.
int Download(const Connection& c, const std::string& path, std::string* bytes) {
  httplib::Client client("http://" + c.admin);
  client.set_connection_timeout(5);
  client.set_read_timeout(60);
  auto res = client.Get(path, {{"Authorization", "Bearer " + Token(c)}});
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

std::string Num(const json& v) { return v.is_number() ? v.dump() : "-"; }

int Queues(const Connection& c) {
  json body;
  if (int rc = Call(c, "GET", "/api/v1/destinations", {}, &body); rc != 0) return rc;
  if (c.json) {
    std::cout << body.dump(2) << "\n";
    return 0;
  }
  std::printf("%-28s %7s %10s %9s %7s %9s %5s  %s\n", "destination", "depth", "oldest (s)",
              "in flight", "retry", "receivers", "dead", "state");
  for (const auto& d : body["destinations"]) {
    std::string state = d.value("paused", false) ? "paused" : "";
    if (d.contains("maintenance_window")) {
      state += (state.empty() ? "" : ", ") + std::string("window ") +
               d["maintenance_window"].value("name", "") + " until " +
               d["maintenance_window"].value("ends_at", "");
    }
    std::printf("%-28s %7s %10.0f %9s %7s %9s %5s  %s\n",
                d.value("destination", "").c_str(), Num(d["depth"]).c_str(),
                d.value("oldest_age_seconds", 0.0), Num(d["in_flight"]).c_str(),
                Num(d["waiting_retry"]).c_str(), Num(d["receivers"]).c_str(),
                Num(d["dead_since_start"]).c_str(), state.c_str());
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
  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "slussenctl: cannot write " << a.output << "\n";
    std::remove(a.output.c_str());
    return kRefused;
  }
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
                                              "flight, retrying, receivers, dead, paused");
  int limit = 100;
  auto* dead = app.add_subcommand("deadletters", "dead deliveries, newest first, with the reason");
  dead->add_option("--limit", limit, "how many")->check(CLI::Range(1, 1000));

  DeviationArgs deviation;
  auto* deviations = app.add_subcommand(
      "deviations", "the month's deviation report (avvikelser): per organisation and category, "
                    "with the recurring ones flagged");
  deviations->add_option("--month", deviation.month, "YYYY-MM (Europe/Stockholm)")->required();
  deviations->add_option("--format", deviation.format, "json, csv or pdf (default: a table)")
      ->check(CLI::IsMember({"json", "csv", "pdf"}));
  deviations->add_option("--output", deviation.output, "write to FILE (needed for pdf)");

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
  if (*queues) return Queues(c);
  if (*dead) return DeadLetters(c, limit);
  if (*deviations) return Deviations(c, deviation);
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
  return command == "queues" || command == "deadletters" || command == "retry" ||
         command == "mark-delivered" || command == "reroute" || command == "pause" ||
         command == "resume" || command == "deviations";
}

}  // namespace slussen::ctl
