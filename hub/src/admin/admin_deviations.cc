// GET /api/v1/deviations?month=YYYY-MM[&format=json|csv|pdf]: the monthly deviation report
// (report/deviation_report.h; hub/DESIGN.md "Deviation report") from a store reader of its own.
// Viewers get the counts; operators and auditors also the case ids behind them.
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "admin/admin_server.h"
#include "admin/json_reply.h"
#include "report/deviation_report.h"
#include "report/deviation_report_pdf.h"

namespace slussen::admin {
namespace {

// The one place where the deviation report discloses case ids: to operators and auditors, never
// to viewers. Each disclosure is logged with who and which month (a record of operators' reads
// of patient data belongs here).
bool DiscloseDeviationCaseIds(const Caller& caller, const ReportMonth& month) {
  if (!RoleAllows(caller.role, AdminOperator::Role::kOperator)) return false;
  spdlog::info("admin: {} read the case ids of the deviation report for {}", caller.name,
               month.Text());
  return true;
}

}  // namespace

void AdminServer::DeviationRoutes() {
  server_->Get("/api/v1/deviations", [this](const httplib::Request& req, httplib::Response& res) {
    const auto caller = Authorize(req, res, AdminOperator::Role::kViewer);
    if (!caller) return;
    const auto month = ParseReportMonth(req.get_param_value("month"));
    if (!month) {
      return Fail(res, 400, "month is required as YYYY-MM (Europe/Stockholm), e.g. ?month=2026-03");
    }
    const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
    if (format != "json" && format != "csv" && format != "pdf") {
      return Fail(res, 400, "format must be json, csv or pdf");
    }
    auto reader = sources_.open_reader();
    if (!reader) return Fail(res, 503, "the store cannot be read: " + reader.error());
    auto report = BuildDeviationReport(**reader, *month, clock_());
    if (!report) {
      return Fail(res, report.code() == ErrorCode::kInvalidArgument ? 400 : 503, report.error());
    }
    const bool with_case_ids = DiscloseDeviationCaseIds(*caller, *month);
    const std::string name = "slussen-avvikelser-" + month->Text();
    if (format == "csv") {
      res.status = 200;
      res.set_header("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
      res.set_content(DeviationReportCsv(*report, with_case_ids), "text/csv; charset=utf-8");
      return;
    }
    const nlohmann::json body = DeviationReportJson(*report, with_case_ids);
    if (format == "json") return Reply(res, 200, body);
    char path[] = "/tmp/slussen-deviations-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) return Fail(res, 503, "no temporary file for the PDF");
    ::close(fd);
    const Status written = WriteDeviationReportPdf(body, path);
    std::ostringstream bytes;
    if (written.ok()) bytes << std::ifstream(path, std::ios::binary).rdbuf();
    std::remove(path);
    if (!written.ok()) return Fail(res, 503, written.error());
    res.status = 200;
    res.set_header("Content-Disposition", "attachment; filename=\"" + name + ".pdf\"");
    res.set_content(bytes.str(), "application/pdf");
  });
}

}  // namespace slussen::admin
