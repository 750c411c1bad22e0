// The admin API's reads of the store (a StoreReader of its own per request, never the core's
// write path): dead letters with every attempt.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "admin/admin_server.h"
#include "admin/json_reply.h"
#include "admin/query_param.h"
#include "common/time_format.h"
#include "report/case_report_pdf.h"
#include "report/stored_case_report.h"
#include "slussen/v1/events.pb.h"
#include "wire/event_kind.h"

namespace slussen::admin {
namespace {

using nlohmann::json;

std::string When(int64_t us) { return us ? FormatStockholmTime(FromMicros(us)) : std::string(); }

}  // namespace

void AdminServer::StoreRoutes() {
  // One case's evidence report (no personnummer or names in it, but the case's whole history):
  // operators; each read is recorded (RecordRead) before it is answered.
  auto case_report = [this](const httplib::Request& req, httplib::Response& res, bool pdf) {
    const auto caller = Authorize(req, res, AdminOperator::Role::kOperator);
    if (!caller) return;
    const std::string case_id = req.matches[1];
    auto reader = sources_.open_reader();
    if (!reader) return Fail(res, 503, "the store cannot be read: " + reader.error());
    const auto now = clock_();
    auto report = LoadCaseReport(**reader, case_id, sources_.agreement, now);
    if (!report) {
      return Fail(res, report.code() == ErrorCode::kNotFound ? 404 : 503, report.error());
    }
    if (!RecordRead(*caller, pdf ? "evidence report (PDF)" : "evidence report", {case_id}, res)) {
      return;
    }
    const json body = report->Json(sources_.agreement, now);
    if (!pdf) return Reply(res, 200, body);
    char path[] = "/tmp/slussen-report-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) return Fail(res, 503, "no temporary file for the PDF");
    ::close(fd);
    const Status written = WriteCaseReportPdf(body, path);
    std::ostringstream bytes;
    if (written.ok()) bytes << std::ifstream(path, std::ios::binary).rdbuf();
    std::remove(path);
    if (!written.ok()) return Fail(res, 503, written.error());
    res.status = 200;
    res.set_content(bytes.str(), "application/pdf");
  };
  // Late and at-risk cases first: case ids, kommun, deadline and liability (no patient data), so
  // viewers may see them.
  server_->Get("/api/v1/cases", [this](const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, AdminOperator::Role::kViewer)) return;
    const auto limit = Param(req, res, "limit", 100, 1000);
    if (!limit) return;
    auto reader = sources_.open_reader();
    if (!reader) return Fail(res, 503, "the store cannot be read: " + reader.error());
    // Done-late cases are listed for a month after they fell due; unmet ones until they are met.
    const int64_t done_late_since = ToMicros(clock_() - std::chrono::hours(24 * 30));
    auto cases = (*reader)->CasesAtRisk(static_cast<std::size_t>(*limit), done_late_since);
    if (!cases) return Fail(res, 503, "the store cannot be read: " + cases.error());
    json out = json::array();
    for (const auto& c : *cases) {
      json j{{"case_id", c.case_id},
             {"kommunkod", c.kommunkod},
             // 5 kap. 2 §: who pays (a placing kommun, else the kommunkod) and Halland's
             // planning track (null: none named).
             {"paying_kommunkod", c.paying_kommunkod},
             {"track", c.track.empty() ? json(nullptr) : json(c.track)},
             {"status", c.status},
             {"liability_days", c.liability_days},
             {"liability_amount_kr", c.liability_amount_kr},
             {"deadline", {{"id", c.deadline_id}, {"rule", c.rule}, {"state", c.state},
                           {"due", When(c.due_at_us)}}}};
      if (c.met_at_us) j["deadline"]["met_late_at"] = When(c.met_at_us);
      out.push_back(std::move(j));
    }
    // The whole picture, not just the page: how many cases have a deadline missed (and not met)
    // or at risk right now.
    auto totals = (*reader)->UnmetCaseCounts();
    if (!totals) return Fail(res, 503, "the store cannot be read: " + totals.error());
    Reply(res, 200, json{{"cases", out},
                         {"totals", {{"missed_open", totals->first},
                                     {"at_risk", totals->second}}}});
  });
  // The events of one case as the hub stored them, each with its deliveries: ids, kinds, senders
  // and times, no patient data (operators: it is a case's history).
  server_->Get("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
    const auto caller = Authorize(req, res, AdminOperator::Role::kOperator);
    if (!caller) return;
    const std::string case_id = req.get_param_value("case_id");
    if (case_id.empty() || case_id.size() > 200) {
      return Fail(res, 400, "case_id is required: ?case_id=<care unit>/<episode>");
    }
    auto reader = sources_.open_reader();
    if (!reader) return Fail(res, 503, "the store cannot be read: " + reader.error());
    auto rows = (*reader)->CaseEvents(case_id);
    if (!rows) return Fail(res, 503, "the store cannot be read: " + rows.error());
    auto deliveries = (*reader)->CaseDeliveries(case_id);
    if (!deliveries) {
      return Fail(res, 503, "the store cannot be read: " + deliveries.error());
    }
    if (rows->empty()) return Fail(res, 404, "no events of case " + case_id);
    if (!RecordRead(*caller, "events and deliveries", {case_id}, res)) return;
    json events = json::array();
    for (const auto& row : *rows) {
      v1::Envelope env;
      json e{{"stored_at", When(row.received_at_us)}};
      if (!env.ParseFromString(row.body)) {
        e["error"] = "the stored body does not decode";
        events.push_back(std::move(e));
        continue;
      }
      e["event_id"] = env.event_id();
      const auto kind = KindOf(env);
      e["kind"] = kind ? std::string(EventKindName(*kind)) : std::string("unknown");
      e["sender_hsa_id"] = env.sender_hsa_id();
      if (!env.replaces().empty()) e["replaces"] = env.replaces();
      json out = json::array();
      for (const auto& d : *deliveries) {
        if (d.event_id != env.event_id()) continue;
        json j{{"destination", d.destination}, {"attempts", d.attempts}};
        if (d.delivered_at_us) j["delivered_at"] = When(d.delivered_at_us);
        if (d.receipt_at_us) j["receipt_at"] = When(d.receipt_at_us);
        if (d.dead_at_us) j["dead_at"] = When(d.dead_at_us);
        if (!d.fallback_to.empty()) j["fallback_to"] = d.fallback_to;
        out.push_back(std::move(j));
      }
      e["deliveries"] = std::move(out);
      events.push_back(std::move(e));
    }
    Reply(res, 200, json{{"case_id", case_id}, {"events", events}});
  });
  // Who read a case's data, when and what (the patient's access-log extract): auditors.
  server_->Get("/api/v1/access-log", [this](const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, AdminOperator::Role::kAuditor)) return;
    const std::string case_id = req.get_param_value("case_id");
    if (case_id.empty() || case_id.size() > 200) {
      return Fail(res, 400, "case_id is required: ?case_id=<care unit>/<episode>");
    }
    const auto limit = Param(req, res, "limit", 1000, 10000);
    if (!limit) return;
    auto reader = sources_.open_reader();
    if (!reader) return Fail(res, 503, "the store cannot be read: " + reader.error());
    auto reads = (*reader)->PatientDataReads(case_id, static_cast<std::size_t>(*limit));
    if (!reads) return Fail(res, 503, "the store cannot be read: " + reads.error());
    json out = json::array();
    for (const auto& r : *reads) {
      out.push_back(json{{"at", When(r.at_us)}, {"operator", r.operator_id}, {"what", r.what}});
    }
    Reply(res, 200, json{{"case_id", case_id}, {"reads", out}});
  });
  // Case ids are "<care unit HSA id>/<episode id>": the path holds a slash.
  server_->Get(R"(/api/v1/cases/([A-Za-z0-9-]+/[A-Za-z0-9._:-]+)/report\.pdf)",
               [case_report](const httplib::Request& req, httplib::Response& res) {
                 case_report(req, res, true);
               });
  server_->Get(R"(/api/v1/cases/([A-Za-z0-9-]+/[A-Za-z0-9._:-]+))",
               [case_report](const httplib::Request& req, httplib::Response& res) {
                 case_report(req, res, false);
               });

  // Dead letters name events and cases (pseudonymous ids, no bodies) and carry receivers' texts:
  // operators only.
  server_->Get("/api/v1/deadletters", [this](const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, AdminOperator::Role::kOperator)) return;
    const auto limit = Param(req, res, "limit", 100, 1000);
    if (!limit) return;
    const auto before = Param(req, res, "before", 0, INT64_MAX / 2);
    if (!before) return;
    auto reader = sources_.open_reader();
    if (!reader) return Fail(res, 503, "the store cannot be read: " + reader.error());
    auto dead = (*reader)->DeadDeliveries(static_cast<std::size_t>(*limit), *before);
    if (!dead) return Fail(res, 503, "the store cannot be read: " + dead.error());
    json out = json::array();
    for (const auto& d : *dead) {
      json history = json::array();
      for (const auto& a : d.history) {
        json h{{"attempt", a.attempt}, {"at", When(a.at_us)}, {"outcome", a.outcome}};
        if (!a.condition.empty()) h["condition"] = a.condition;
        if (!a.description.empty()) h["description"] = a.description;
        history.push_back(std::move(h));
      }
      out.push_back(json{{"seq", d.seq},
                         {"destination", d.destination},
                         {"event_id", d.event_id},
                         {"kind", d.kind},
                         {"case_id", d.case_id},
                         {"attempts", d.attempts},
                         {"dead_at", When(d.dead_at_us)},
                         {"reason", d.last_error},
                         {"history", history},
                         {"retry", "POST /api/v1/deliveries/" + std::to_string(d.seq) + "/retry"}});
    }
    json body{{"deadletters", out}};
    if (!dead->empty() && dead->size() == static_cast<std::size_t>(*limit)) {
      body["next"] = "/api/v1/deadletters?limit=" + std::to_string(*limit) +
                     "&before=" + std::to_string(dead->back().seq);
    }
    Reply(res, 200, body);
  });
}

}  // namespace slussen::admin
