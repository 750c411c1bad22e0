#pragma once
// The delivering half of the adapter: each delivery the hub hands over (on the session's thread,
// which must not block) is queued for a pool of max-in-flight worker threads; a worker decodes the
// Envelope, writes it as its XML document, POSTs it to the system, and settles the delivery by the
// answer (outcome.h). Every outcome is logged, by event id and status only.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/municipality/http_poster.h"
#include "adapters/municipality/municipality_config.h"
#include "runtime/hub_session.h"

namespace slussen::municipality {

class Deliverer {
 public:
  Deliverer(const MunicipalityConfig& config, adapter::HubSession& session);
  ~Deliverer();  // Abort() and join, if still running
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  void Start();
  // The session's OnMessage: queues and returns at once.
  void Enqueue(adapter::HubSession::Delivery delivery);
  // Stop taking: what waits in the queue is released at once (the hub sends it again); POSTs in
  // progress go on, and settle, while the session's Stop(grace) waits for them.
  void Drain();
  // Ends POSTs still in progress (they are released by the session's stop) and joins the workers.
  void Abort();

 private:
  void Work(HttpPoster& poster);
  void Deliver(HttpPoster& poster, const adapter::HubSession::Delivery& delivery);

  const MunicipalityConfig& config_;
  adapter::HubSession& session_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<adapter::HubSession::Delivery> queue_;
  bool draining_ = false;
  std::vector<std::unique_ptr<HttpPoster>> posters_;
  std::vector<std::thread> workers_;
};

}  // namespace slussen::municipality
