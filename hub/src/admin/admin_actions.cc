// The operator actions of the admin API (hub/DESIGN.md "Operator actions"): each becomes an
// OperatorCommand for the core, with the authenticated operator as who and the request's reason
// as why, and is answered once the core has stored it (or refused it).
#include <httplib.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>

#include "admin/admin_server.h"
#include "admin/json_reply.h"

namespace slussen::admin {
namespace {

using nlohmann::json;
using Action = OperatorCommand::Action;

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kUnavailable: return 503;
    default: return 500;
  }
}

// The request's JSON body: {"reason": "...", ...}. nullopt (and the answer written) if it is
// not an object with a non-empty reason.
std::optional<json> Body(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    Fail(res, 400, "the body must be a JSON object with \"reason\"");
    return std::nullopt;
  }
  if (!body.contains("reason") || !body["reason"].is_string() ||
      body["reason"].get<std::string>().empty() || body["reason"].get<std::string>().size() > 2000) {
    Fail(res, 400, "\"reason\" is required: why (at most 2000 characters), "
                                   "e.g. \"phoned through to the kommun's duty officer\"");
    return std::nullopt;
  }
  return body;
}

}  // namespace

Status AdminServer::RunCommand(OperatorCommand cmd) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto answer = promise->get_future();
  cmd.done = [promise](const Status& st) { promise->set_value(st); };
  sources_.command(std::move(cmd));
  if (answer.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
    return Error{"the hub did not answer in time; the action may still be carried out: look "
                 "before repeating it",
                 ErrorCode::kUnavailable};
  }
  return answer.get();
}

bool AdminServer::RecordRead(const Caller& caller, const std::string& what,
                             const std::vector<std::string>& case_ids, httplib::Response& res) {
  if (case_ids.empty()) return true;  // nothing disclosed
  OperatorCommand cmd;
  cmd.action = Action::kRecordRead;
  cmd.operator_id = caller.name;
  cmd.reason = what;
  cmd.case_ids = case_ids;
  if (const Status st = RunCommand(std::move(cmd)); !st) {
    Fail(res, 503, "the read could not be recorded, so nothing is shown: " + st.error());
    return false;
  }
  return true;
}

void AdminServer::ActionRoutes() {
  auto& s = *server_;
  // Runs `cmd` on the core and answers when it is done.
  auto run = [this](OperatorCommand cmd, httplib::Response& res, json ok) {
    const Status st = RunCommand(std::move(cmd));
    if (!st) return Fail(res, HttpStatus(st.code()), st.error());
    Reply(res, 200, ok);
  };
  auto guarded_action = [this, run](Action a) {
    return [this, run, a](const httplib::Request& req, httplib::Response& res) {
      const auto caller = Authorize(req, res, AdminOperator::Role::kOperator);
      if (!caller) return;
      const auto body = Body(req, res);
      if (!body) return;
      OperatorCommand cmd;
      cmd.action = a;
      cmd.operator_id = caller->name;
      cmd.reason = (*body)["reason"].get<std::string>();
      json ok{{"done", true}, {"operator", caller->name}};
      if (a == Action::kRetryDead || a == Action::kMarkDelivered) {
        const std::string seq = req.matches[1];
        if (seq.size() > 18) return Fail(res, 404, "no delivery " + seq);
        cmd.seq = std::stoll(seq);
        ok["delivery"] = cmd.seq;
      } else if (a == Action::kReroute) {
        cmd.event_id = req.matches[1];
        if (!(*body).contains("destination") || !(*body)["destination"].is_string()) {
          return Fail(res, 400, "\"destination\" is required: where to send it");
        }
        cmd.destination = (*body)["destination"].get<std::string>();
        ok["event_id"] = cmd.event_id;
        ok["destination"] = cmd.destination;
      } else {
        cmd.destination = req.matches[1];
        ok["destination"] = cmd.destination;
      }
      run(std::move(cmd), res, std::move(ok));
    };
  };
  s.Post(R"(/api/v1/deliveries/([0-9]+)/retry)", guarded_action(Action::kRetryDead));
  s.Post(R"(/api/v1/deliveries/([0-9]+)/mark-delivered)", guarded_action(Action::kMarkDelivered));
  s.Post(R"(/api/v1/events/([0-9a-fA-F-]{1,64})/reroute)", guarded_action(Action::kReroute));
  s.Post(R"(/api/v1/destinations/([a-zA-Z0-9._-]{1,80})/pause)", guarded_action(Action::kPause));
  s.Post(R"(/api/v1/destinations/([a-zA-Z0-9._-]{1,80})/resume)", guarded_action(Action::kResume));
}

}  // namespace slussen::admin
