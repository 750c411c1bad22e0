// The dashboard (hub/DESIGN.md "Dashboard"): one page and its script and style, compiled into the
// binary from hub/src/admin/dashboard/, served without a token (they hold no data: everything
// the page shows it fetches from the API with the operator's token), and the deadline outcomes
// per day that its chart draws.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "admin/admin_server.h"
#include "admin/dashboard_assets.h"
#include "admin/json_reply.h"
#include "admin/query_param.h"
#include "common/swedish_calendar.h"

namespace slussen::admin {
namespace {

using nlohmann::json;

// Only the page's own script and style run, and it talks to this hub only: no inline script,
// no outside asset, no framing, no form posted anywhere (the page posts with fetch).
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void Serve(httplib::Response& res, std::string_view body, const char* type) {
  res.status = 200;
  res.set_header("Content-Security-Policy", kContentSecurityPolicy);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  // A hub upgraded in place serves its new page at once.
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::string(body), type);
}

constexpr int64_t kMaxOutcomeDays = 90;

}  // namespace

void AdminServer::DashboardRoutes() {
  auto& s = *server_;
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    Serve(res, DashboardHtml(), "text/html; charset=utf-8");
  });
  s.Get("/dashboard.js", [](const httplib::Request&, httplib::Response& res) {
    Serve(res, DashboardJs(), "text/javascript; charset=utf-8");
  });
  s.Get("/dashboard-charts.js", [](const httplib::Request&, httplib::Response& res) {
    Serve(res, DashboardChartsJs(), "text/javascript; charset=utf-8");
  });
  s.Get("/dashboard.css", [](const httplib::Request&, httplib::Response& res) {
    Serve(res, DashboardCss(), "text/css; charset=utf-8");
  });

  // Per Stockholm day (oldest first, today last and still open), per rule: how the deadlines that
  // fell due that day ended. Counts only, no case ids: viewers may see them.
  s.Get("/api/v1/outcomes", [this](const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, AdminOperator::Role::kViewer)) return;
    const auto days = Param(req, res, "days", 14, kMaxOutcomeDays);
    if (!days) return;
    if (*days == 0) {
      return Fail(res, 400, "days must be a whole number from 1 to " +
                                std::to_string(kMaxOutcomeDays));
    }
    auto reader = sources_.open_reader();
    if (!reader) return Fail(res, 503, "the store cannot be read: " + reader.error());
    const calendar::Date today = calendar::StockholmDate(clock_());
    json out = json::array();
    for (int64_t i = *days - 1; i >= 0; --i) {
      const calendar::Date day = calendar::AddCalendarDays(today, -static_cast<int>(i));
      auto counts = (*reader)->DeadlineOutcomes(ToMicros(calendar::StartOfDay(day)),
                                                ToMicros(calendar::EndOfDay(day)));
      if (!counts) return Fail(res, 503, "the store cannot be read: " + counts.error());
      json rules = json::array();
      int64_t met = 0, met_late = 0, missed = 0;
      for (const auto& c : *counts) {
        rules.push_back(json{{"rule", c.rule}, {"met", c.met}, {"met_late", c.met_late},
                             {"missed", c.missed}});
        met += c.met;
        met_late += c.met_late;
        missed += c.missed;
      }
      out.push_back(json{{"date", calendar::FormatDate(day)},
                         {"met", met},
                         {"met_late", met_late},
                         {"missed", missed},
                         {"rules", std::move(rules)}});
    }
    Reply(res, 200, json{{"time_zone", "Europe/Stockholm"}, {"days", std::move(out)}});
  });
}

}  // namespace slussen::admin
