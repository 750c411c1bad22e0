// GET /api/v1/deviations?month=YYYY-MM[&format=json|csv|pdf]: the monthly deviation report
// (report/deviation_report.h; hub/DESIGN.md "Deviation report") from a store reader of its own.
// Viewers get the counts; operators and auditors also the case ids behind them.
#include <httplib.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "admin/admin_server.h"
#include "admin/json_reply.h"
#include "report/deviation_report.h"
#include "report/deviation_report_pdf.h"

namespace slussen::admin {
namespace {

// The case ids the report names (each group's are distinct already; a case may be in several).
std::vector<std::string> CaseIdsOf(const DeviationReport& report) {
  std::set<std::string> ids;
  for (const auto& g : report.groups) ids.insert(g.case_ids.begin(), g.case_ids.end());
  ids.erase(std::string());
  return {ids.begin(), ids.end()};
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
    // Case ids only for operators and auditors, and only once each case's disclosure is recorded
    // (a read of that case's data, for the patient's access-log extract).
    const bool with_case_ids = RoleAllows(caller->role, AdminOperator::Role::kOperator);
    if (with_case_ids &&
        !RecordRead(*caller, "deviation report " + month->Text(), CaseIdsOf(*report), res)) {
      return;
    }
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
