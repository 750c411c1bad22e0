#include "server/http_endpoint.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace slussen::ehr {
namespace {

constexpr char kJson[] = "application/json; charset=utf-8";

void Send(httplib::Response& res, const HttpAnswer& a) {
  res.status = a.status;
  if (a.retry_after) res.set_header("Retry-After", std::to_string(a.retry_after->count()));
  res.set_content(a.body, kJson);
}

// The body of an error that the server produced itself (404, 413, 400 for a broken request).
HttpAnswer ServerError(int status, std::size_t max_body_bytes) {
  switch (status) {
    case 404:
      return ErrorAnswer(404, "not-found",
                         "no such resource: POST documents to /documents, GET /healthz");
    case 413:
      return ErrorAnswer(413, "too-large",
                         "the document is larger than the limit of " +
                             std::to_string(max_body_bytes) + " bytes (max-body-bytes)");
    case 414:
      return ErrorAnswer(414, "uri-too-long", "the request URI is too long");
    default:
      return ErrorAnswer(status, "bad-request",
                         "the request could not be read as HTTP/1.1 (status " +
                             std::to_string(status) + ")");
  }
}

}  // namespace

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Bind(Options options, EventSender send,
                                                         std::function<bool()> hub_connected) {
  std::unique_ptr<HttpEndpoint> e(
      new HttpEndpoint(std::move(options), std::move(send), std::move(hub_connected)));
  const ListenAddress& at = e->options_.listen;
  if (at.port == 0) {
    e->port_ = e->server_->bind_to_any_port(at.host);
  } else {
    e->port_ = e->server_->bind_to_port(at.host, at.port) ? at.port : -1;
  }
  if (e->port_ <= 0) {
    return Error{"http: cannot listen on " + at.host + ":" + std::to_string(at.port) +
                     " (address in use, or not an address of this machine)",
                 ErrorCode::kUnavailable};
  }
  return e;
}

HttpEndpoint::HttpEndpoint(Options options, EventSender send,
                           std::function<bool()> hub_connected)
    : options_(std::move(options)),
      send_(std::move(send)),
      hub_connected_(std::move(hub_connected)),
      server_(std::make_unique<httplib::Server>()) {
  const int threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_read_timeout(std::chrono::seconds(10));
  server_->set_write_timeout(std::chrono::seconds(10));
  server_->set_keep_alive_timeout(5);
  Route();
}

HttpEndpoint::~HttpEndpoint() {
  StopAccepting();
  Join();
}

std::string HttpEndpoint::address() const {
  const std::string& h = options_.listen.host;
  const bool v6 = h.find(':') != std::string::npos;
  return (v6 ? "[" + h + "]" : h) + ":" + std::to_string(port_);
}

void HttpEndpoint::Route() {
  const DocumentOptions doc{options_.max_body_bytes,
                            std::chrono::duration_cast<std::chrono::seconds>(options_.retry_after)};
  server_->Post(kDocumentsPath, [this, doc](const httplib::Request& req, httplib::Response& res) {
    Send(res, HandleDocument(req.body, req.get_header_value("Content-Type"), doc, send_));
  });
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    if (hub_connected_()) {
      Send(res, {200, nlohmann::json{{"status", "ok"}, {"hub", "connected"}}.dump() + "\n",
                 std::nullopt});
    } else {
      HttpAnswer a = ErrorAnswer(503, "unavailable", "not connected to the hub");
      a.retry_after = options_.retry_after;
      Send(res, a);
    }
  });
  // The paths exist, the methods do not.
  auto not_allowed = [](const char* allow) {
    return [allow](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", allow);
      Send(res, ErrorAnswer(405, "method-not-allowed",
                            req.path + " takes " + allow + " only"));
    };
  };
  server_->Get(kDocumentsPath, not_allowed("POST"));
  server_->Put(kDocumentsPath, not_allowed("POST"));
  server_->Delete(kDocumentsPath, not_allowed("POST"));
  server_->Patch(kDocumentsPath, not_allowed("POST"));
  server_->Post("/healthz", not_allowed("GET"));
  server_->Put("/healthz", not_allowed("GET"));
  server_->Delete("/healthz", not_allowed("GET"));
  server_->Patch("/healthz", not_allowed("GET"));
  const std::size_t max_body = options_.max_body_bytes;
  // Called for every status >= 400, ours included: only the server's own get a body here.
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        Send(res, ServerError(res.status, max_body));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        // Nothing here throws by design; should it, the client learns it and may send again.
        spdlog::error("http: a request handler threw");
        Send(res, ErrorAnswer(500, "internal", "internal error; send again later"));
      });
}

void HttpEndpoint::Start() {
  std::packaged_task<void()> run([this] {
    if (!server_->listen_after_bind()) spdlog::error("http: the listener failed");
  });
  ended_ = run.get_future();
  thread_ = std::thread(std::move(run));
  // httplib's stop() does nothing to a server not yet listening, which would then listen for
  // ever: StopAccepting() may come any time after Start() returns.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() &&
         ended_.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline) {
  }
}

void HttpEndpoint::StopAccepting() {
  // Once only: a second stop() of a stopping httplib server finds its socket gone.
  if (server_ && !stopped_.exchange(true)) server_->stop();
}

bool HttpEndpoint::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  if (!ended_.valid()) return true;
  return ended_.wait_until(deadline) == std::future_status::ready;
}

void HttpEndpoint::Join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace slussen::ehr
