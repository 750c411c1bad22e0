#pragma once
// The admin HTTP listener (<admin> in the config): health, readiness, Prometheus metrics and the
// JSON API under /api/v1/ (hub/DESIGN.md "Admin API"). Reads go to the core's published
// statistics (a snapshot, core/stats.h), never through the core's write path. Every request but
// /healthz and /readyz needs `Authorization: Bearer <token>` of a configured operator; errors are
// JSON {"error": "..."} with 400, 401, 403, 404 or 503.
//
// Threading: cpp-httplib's own thread pool serves requests; what they read is thread-safe (the
// stats snapshot, TokenAuth). Start() and Stop() from the main thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "admin/metrics.h"
#include "admin/token_auth.h"
#include "api/core_messages.h"
#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "core/stats.h"
#include "store/store_reader.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace slussen::admin {

class AdminServer {
 public:
  struct Sources {
    // The core's latest statistics (Core::stats()).
    std::function<std::shared_ptr<const CoreStats>()> stats;
    // Whether the AMQP listener is up (for /readyz).
    std::function<bool()> listener_up;
    // The AMQP listener's connection counters (for /metrics).
    std::function<ConnectionCounts()> connections;
    // Hands an operator's action to the core (Core::Post); its `done` answers the request.
    std::function<void(OperatorCommand)> command;
    // A reader of the store on a connection of its own (one per request).
    std::function<Result<std::unique_ptr<StoreReader>>()> open_reader;
    // The agreement cases are judged under (for case reports).
    Agreement agreement;
    // The secret of the audit log's patient keys (audit/patient_key.h), for the loggutdrag.
    std::string patient_key_secret;
  };
  AdminServer(AdminConfig config, Sources sources, Clock clock);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds (port 0: any free one) and starts serving; returns the port bound.
  Result<int> Start();
  void Stop();

 private:
  void Routes();
  void ActionRoutes();
  void StoreRoutes();
  void DeviationRoutes();  // admin_deviations.cc
  void DashboardRoutes();  // admin_dashboard.cc
  void AuditRoutes();  // admin_audit.cc: the loggutdrag, the audit head
  // The caller if its bearer token is valid and its role at least `need`; else nullopt, with the
  // 401 or 403 answer already written.
  std::optional<Caller> Authorize(const httplib::Request& req, httplib::Response& res,
                                  AdminOperator::Role need);

  // Runs an operator's command on the core and waits for its outcome (kUnavailable after 15 s
  // without one: the command may still be carried out).
  Status RunCommand(OperatorCommand cmd);
  // Records that `caller` read `what` of each of the cases (a row each, in one of the core's
  // transactions) before any of it is answered: no disclosure without its record. False, with
  // the error answer written, if it could not be recorded.
  bool RecordRead(const Caller& caller, const std::string& what,
                  const std::vector<std::string>& case_ids, httplib::Response& res);

  AdminConfig config_;
  Sources sources_;
  Clock clock_;
  TokenAuth auth_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace slussen::admin
