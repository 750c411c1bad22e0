// The audit log for auditors (hub/DESIGN.md "Audit log and retention"): the patient's access-log
// extract (loggutdrag), POST /api/v1/loggutdrag (JSON) and /api/v1/loggutdrag.pdf (the PDF for
// the patient), the personnummer in the body, never in the URL (URLs end up in logs and proxies);
// taking it is itself an audit row, recorded before it is answered. And GET /api/v1/audit/head,
// the chain's committed head, to keep outside the store (slussenctl audit verify --head).
#include <httplib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "admin/admin_server.h"
#include "admin/json_reply.h"
#include "audit/patient_key.h"
#include "report/loggutdrag.h"
#include "report/loggutdrag_pdf.h"

namespace slussen::admin {
namespace {

using nlohmann::json;

// More than any one patient's rows in a lifetime of care; a bound, so the answer stays bounded.
constexpr std::size_t kMaxEntries = 100000;

}  // namespace

void AdminServer::AuditRoutes() {
  auto extract = [this](const httplib::Request& req, httplib::Response& res, bool pdf) {
    const auto caller = Authorize(req, res, AdminOperator::Role::kAuditor);
    if (!caller) return;
    const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() || !body.contains("personnummer") ||
        !body["personnummer"].is_string() || body["personnummer"].get<std::string>().size() > 20) {
      return Fail(res, 400, "the body must be a JSON object with \"personnummer\" (YYYYMMDDNNNC)");
    }
    auto pnr = NormalisePersonnummer(body["personnummer"].get<std::string>());
    if (!pnr) return Fail(res, 400, pnr.error());
    OperatorCommand cmd;
    cmd.action = OperatorCommand::Action::kRecordExtract;
    cmd.operator_id = caller->name;
    cmd.reason = pdf ? "loggutdrag (PDF)" : "loggutdrag";
    cmd.patient_key = PatientKey(sources_.patient_key_secret, *pnr);
    const std::string key = cmd.patient_key;
    if (const Status st = RunCommand(std::move(cmd)); !st) {
      return Fail(res, 503, "the extract could not be recorded, so it is not given: " + st.error());
    }
    auto reader = sources_.open_reader();
    if (!reader) return Fail(res, 503, "the store cannot be read: " + reader.error());
    auto rows = (*reader)->AuditRowsOfPatient(key, kMaxEntries);
    if (!rows) return Fail(res, 503, "the store cannot be read: " + rows.error());
    const json out = LoggutdragJson(*rows, clock_());
    if (!pdf) return Reply(res, 200, out);
    char path[] = "/tmp/slussen-loggutdrag-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) return Fail(res, 503, "no temporary file for the PDF");
    ::close(fd);
    const Status written = WriteLoggutdragPdf(out, *pnr, path);
    std::ostringstream bytes;
    if (written.ok()) bytes << std::ifstream(path, std::ios::binary).rdbuf();
    std::remove(path);
    if (!written.ok()) return Fail(res, 503, written.error());
    res.status = 200;
    res.set_content(bytes.str(), "application/pdf");
  };
  server_->Get("/api/v1/audit/head", [this](const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, AdminOperator::Role::kAuditor)) return;
    const auto stats = sources_.stats();
    Reply(res, 200, json{{"seq", stats->audit_head_seq},
                         {"hash", stats->audit_head_hash},
                         {"head", std::to_string(stats->audit_head_seq) + ":" +
                                      stats->audit_head_hash}});
  });
  server_->Post("/api/v1/loggutdrag", [extract](const httplib::Request& req, httplib::Response& res) {
    extract(req, res, false);
  });
  server_->Post("/api/v1/loggutdrag.pdf",
                [extract](const httplib::Request& req, httplib::Response& res) {
                  extract(req, res, true);
                });
}

}  // namespace slussen::admin
