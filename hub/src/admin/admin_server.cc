#include "admin/admin_server.h"
#include "admin/json_reply.h"

#include <httplib.h>

#include <map>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "admin/metrics.h"
#include "common/thread_name.h"
#include "common/time_format.h"

namespace slussen::admin {
namespace {

using nlohmann::json;

}  // namespace

AdminServer::AdminServer(AdminConfig config, Sources sources, Clock clock)
    : config_(std::move(config)),
      sources_(std::move(sources)),
      clock_(std::move(clock)),
      auth_(config_.operators),
      server_(std::make_unique<httplib::Server>()) {
  Routes();
}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::Routes() {
  auto& s = *server_;
  s.set_payload_max_length(64 * 1024);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);

  // Everything under /api/ and /metrics needs a token of at least `need`; the handler runs with
  // the caller.
  auto guarded = [this](AdminOperator::Role need,
                        std::function<void(const Caller&, const httplib::Request&,
                                           httplib::Response&)> handler) {
    return [this, need, handler](const httplib::Request& req, httplib::Response& res) {
      if (auto caller = Authorize(req, res, need)) handler(*caller, req, res);
    };
  };

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, json{{"status", "alive"}});
  });
  s.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    const auto stats = sources_.stats();
    const bool listener = sources_.listener_up();
    json problems = json::array();
    if (stats->store_latched) problems.push_back("the store latched: " + stats->store_latched_reason);
    if (stats->store_full) problems.push_back("the store is at its disk bound: inbound is released");
    if (!listener) problems.push_back("the AMQP listener is not up");
    Reply(res, problems.empty() ? 200 : 503,
          json{{"ready", problems.empty()}, {"problems", problems}});
  });
  s.Get("/metrics", guarded(AdminOperator::Role::kViewer,
                            [this](const Caller&, const httplib::Request&, httplib::Response& res) {
                              const auto stats = sources_.stats();
                              MetricsInput in;
                              in.stats = stats.get();
                              in.now_us = ToMicros(clock_());
                              in.connections = sources_.connections();
                              // The store's counts: a reader of its own per scrape, each read
                              // on a partial index of the few rows it needs.
                              std::optional<std::vector<UnmetDeadlineCount>> unmet;
                              std::optional<std::vector<DestinationCount>> dead;
                              std::optional<std::vector<DeadlineOutcomeCount>> outcomes;
                              if (auto reader = sources_.open_reader()) {
                                if (auto n = (*reader)->UnmetDeadlineCounts()) unmet = std::move(*n);
                                if (auto n = (*reader)->DeadLettersByDestination()) dead = std::move(*n);
                                constexpr int64_t kDayUs = int64_t{24} * 3600 * 1000000;
                                if (auto n = (*reader)->DeadlineOutcomes(in.now_us - kDayUs, in.now_us)) {
                                  outcomes = std::move(*n);
                                }
                              }
                              if (unmet) in.unmet_deadlines = &*unmet;
                              if (dead) in.dead_letters = &*dead;
                              if (outcomes) in.outcomes_24h = &*outcomes;
                              res.set_content(RenderMetrics(in),
                                              "text/plain; version=0.0.4; charset=utf-8");
                            }));
  s.Get("/api/v1/destinations",
        guarded(AdminOperator::Role::kViewer,
                [this](const Caller&, const httplib::Request&, httplib::Response& res) {
                  const auto stats = sources_.stats();
                  const int64_t now = ToMicros(clock_());
                  // Dead letters waiting, from the store (few rows, on a partial index); null
                  // if it cannot be read.
                  std::map<std::string, int64_t> dead;
                  bool dead_known = false;
                  if (auto reader = sources_.open_reader()) {
                    if (auto counts = (*reader)->DeadLettersByDestination()) {
                      for (const auto& d : *counts) dead[d.destination] = d.count;
                      dead_known = true;
                    }
                  }
                  json out = json::array();
                  for (const auto& d : stats->destinations) {
                    // Until the core has counted the outbox (within seconds of a start) the
                    // depth is unknown, not 0.
                    json j{{"destination", d.destination},
                           {"depth", stats->started ? json(d.depth) : json(nullptr)},
                           {"oldest_age_seconds",
                            d.oldest_pending_at_us > 0 && now > d.oldest_pending_at_us
                                ? static_cast<double>(now - d.oldest_pending_at_us) / 1e6
                                : 0.0},
                           {"in_flight", d.in_flight},
                           {"waiting_retry", d.waiting_retry},
                           {"receivers", d.receivers},
                           {"delivered_since_start", d.delivered},
                           {"retried_since_start", d.retried},
                           {"dead_since_start", d.dead},
                           {"paused", d.paused},
                           {"fallbacks_since_start", d.fallbacks},
                           {"dead_letters", dead_known ? json(dead[d.destination]) : json(nullptr)}};
                    // Of the Receipts due since start, the share that came in time (null: none
                    // due yet, or the destination sends none).
                    if (d.receipts_expected) {
                      const uint64_t due = d.receipts + d.receipts_overdue;
                      j["receipts"] = {
                          {"received_since_start", d.receipts},
                          {"overdue_since_start", d.receipts_overdue},
                          {"coverage", due ? json(static_cast<double>(d.receipts) / due)
                                           : json(nullptr)}};
                    } else {
                      j["receipts"] = nullptr;
                    }
                    if (!d.maintenance_window.empty()) {
                      j["maintenance_window"] = {
                          {"name", d.maintenance_window},
                          {"ends_at", FormatStockholmTime(FromMicros(d.window_ends_at_us))}};
                    }
                    out.push_back(std::move(j));
                  }
                  Reply(res, 200, json{{"destinations", out}});
                }));
  ActionRoutes();
  StoreRoutes();
  DeviationRoutes();
  DashboardRoutes();
  AuditRoutes();
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) Fail(res, 404, "no such resource");
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Fail(res, 500, "internal error");
  });
}

std::optional<Caller> AdminServer::Authorize(const httplib::Request& req, httplib::Response& res,
                                             AdminOperator::Role need) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.compare(0, kBearer.size(), kBearer) != 0) {
    res.set_header("WWW-Authenticate", "Bearer");
    Fail(res, 401, "authentication required: Authorization: Bearer <token>");
    return std::nullopt;
  }
  auto caller = auth_.Authenticate(std::string_view(header).substr(kBearer.size()));
  if (!caller) {
    res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    Fail(res, 401, "the token is not valid");
    return std::nullopt;
  }
  if (!RoleAllows(caller->role, need)) {
    Fail(res, 403, std::string("this needs the role ") + RoleName(need) + "; " + caller->name +
                       " is " + RoleName(caller->role));
    return std::nullopt;
  }
  return caller;
}

Result<int> AdminServer::Start() {
  int port = config_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(config_.host);
  } else if (!server_->bind_to_port(config_.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Error{"cannot listen on " + config_.host + ":" + std::to_string(config_.port)};
  }
  thread_ = std::thread([this] {
    NameThisThread("admin-http");
    server_->listen_after_bind();
  });
  return port;
}

void AdminServer::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace slussen::admin
