#include "adapters/municipality/receipt_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "adapters/municipality/document_intake.h"

namespace slussen::municipality {

ReceiptServer::ReceiptServer(const MunicipalityConfig& config, adapter::HubSession& session)
    : config_(config), session_(session), server_(std::make_unique<httplib::Server>()) {
  server_->set_payload_max_length(config_.max_body);
  server_->set_read_timeout(30, 0);
  server_->set_write_timeout(30, 0);
  server_->Post("/dokument", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string destination =
        req.has_param("destination") ? req.get_param_value("destination") : std::string();
    const HttpAnswer a =
        TakeDocument(req.body, destination, config_,
                     [this](const std::string& address, client::OutgoingMessage msg) {
                       return session_.SendAndWait(address, std::move(msg), config_.hub_timeout);
                     });
    res.status = a.status;
    res.set_content(a.body, "text/plain; charset=utf-8");
  });
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    const bool up = session_.connected();
    res.status = up ? 200 : 503;
    res.set_content(up ? "ok\n" : "the hub is not connected\n", "text/plain; charset=utf-8");
  });
}

ReceiptServer::~ReceiptServer() { Stop(); }

Status ReceiptServer::Bind() {
  const int port =
      config_.listen.port == 0
          ? server_->bind_to_any_port(config_.listen.host)
          : (server_->bind_to_port(config_.listen.host, config_.listen.port) ? config_.listen.port
                                                                             : -1);
  if (port <= 0) {
    return Error{"cannot listen on " + config_.listen.host + ":" +
                     std::to_string(config_.listen.port) + " (in use, or not an address here)",
                 ErrorCode::kUnavailable};
  }
  port_ = port;
  return OkStatus();
}

void ReceiptServer::Start() {
  auto ended = std::make_shared<std::atomic<bool>>(false);
  thread_ = std::thread([this, ended] {
    if (!server_->listen_after_bind()) spdlog::error("the receipt listener failed");
    *ended = true;
  });
  // httplib's stop() does nothing to a server that is not running yet, and its listen would
  // then go on for ever: return only once it runs (or has already ended).
  while (!server_->is_running() && !*ended) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void ReceiptServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace slussen::municipality
