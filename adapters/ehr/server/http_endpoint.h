#pragma once
// The adapter's HTTP listener (cpp-httplib): POST /documents (document_handler.h) and
// GET /healthz (200 while the hub connection is open, else 503). Other methods on these paths get
// 405 with Allow, other paths 404, a body over max_body_bytes 413; every error body is JSON with
// "error" and "message". Requests run on a fixed pool of `threads`.
//
// Stopping: StopAccepting() closes the listening socket; requests being handled finish (their
// wait for the hub is bounded); WaitIdle() waits for that; Join() joins the server's thread.
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/document_handler.h"
#include "server/ehr_config.h"

namespace httplib {
class Server;
}

namespace slussen::ehr {

class HttpEndpoint {
 public:
  struct Options {
    ListenAddress listen;
    std::size_t max_body_bytes = 1 << 20;
    int threads = 8;
    std::chrono::seconds retry_after{30};
  };

  static Result<std::unique_ptr<HttpEndpoint>> Bind(Options options, EventSender send,
                                                    std::function<bool()> hub_connected);
  ~HttpEndpoint();  // StopAccepting() and Join()
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // "HOST:PORT" as bound (the real port), IPv6 hosts in brackets.
  std::string address() const;

  void Start();
  void StopAccepting();
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);
  void Join();

 private:
  HttpEndpoint(Options options, EventSender send, std::function<bool()> hub_connected);
  void Route();

  const Options options_;
  const EventSender send_;
  const std::function<bool()> hub_connected_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  std::future<void> ended_;
  std::atomic<bool> stopped_{false};
};

}  // namespace slussen::ehr
