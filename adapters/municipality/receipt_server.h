#pragma once
// The HTTP endpoint the municipal system posts to: POST /dokument (document_intake.h) and
// GET /healthz (200 while the hub connection is open, 503 otherwise). cpp-httplib's server on
// its own threads; request bodies over max-body are refused (413) unread.
#include <memory>
#include <string>
#include <thread>

#include "adapters/municipality/municipality_config.h"
#include "common/result.h"
#include "runtime/hub_session.h"

namespace httplib {
class Server;
}

namespace slussen::municipality {

class ReceiptServer {
 public:
  ReceiptServer(const MunicipalityConfig& config, adapter::HubSession& session);
  ~ReceiptServer();  // Stop()
  ReceiptServer(const ReceiptServer&) = delete;
  ReceiptServer& operator=(const ReceiptServer&) = delete;

  // Binds the listener; the error says why it could not. Then port() is the real port.
  Status Bind();
  int port() const { return port_; }
  // Serves on a thread of its own.
  void Start();
  // Closes the listener and waits for requests in progress to be answered.
  void Stop();

 private:
  const MunicipalityConfig& config_;
  adapter::HubSession& session_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace slussen::municipality
