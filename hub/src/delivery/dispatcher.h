#pragma once
// Outbound delivery bookkeeping for every destination: which receiver links want how many
// messages, what is in flight on which link, what must be sent again and when.
//
// Pending messages stay on disk: the dispatcher keeps only a read cursor per destination, the
// in-flight set (bounded by the receivers' credit) and the retry set (bounded by what was in
// flight). A destination with no receiver costs no memory however long its outbox grows.
//
// Owned by the core actor; single-threaded.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "api/core_messages.h"
#include "store/store.h"

namespace slussen {

class Dispatcher {
 public:
  Dispatcher(Store& store, Clock clock);

  void AddDemand(const LinkDemand& demand);
  void RemoveLink(uint64_t link_id);
  // A row to record as delivered: its seq, and its destination if this run sent it (empty for an
  // outcome of a delivery the dispatcher no longer knows, e.g. a second acceptance).
  struct Accepted {
    int64_t seq = 0;
    std::string destination;
  };
  // The row to record as delivered, if the outcome says so.
  std::optional<Accepted> OnOutcome(const DeliveryOutcome& outcome);
  // New outbox rows were committed for this destination.
  void OnEnqueued(const std::string& destination);

  struct Batch {
    uint64_t conn_id = 0;
    uint64_t link_id = 0;
    std::vector<OutboxItem> items;
  };
  // Everything that can be sent now, given demand, retry times and the outbox.
  Result<std::vector<Batch>> Pump();
  // When the next retry becomes due, if any is waiting.
  std::optional<std::chrono::system_clock::time_point> NextRetryAt() const;

  std::size_t InFlight() const { return inflight_.size(); }

  // What is moving for one destination right now, for the live statistics.
  struct Activity {
    int64_t in_flight = 0;
    int64_t waiting_retry = 0;
    int receivers = 0;
    uint64_t retried = 0;  // attempts that ended other than accepted, since start
  };
  std::map<std::string, Activity> ActivityByDestination() const;

 private:
  struct Link {
    uint64_t id = 0;
    uint64_t conn_id = 0;
    int demand = 0;
  };
  struct Destination {
    int64_t cursor = 0;       // highest seq read from the outbox (and handed out or skipped)
    bool maybe_more = true;   // the outbox may hold rows beyond the cursor
    std::map<int64_t, std::chrono::system_clock::time_point> retry;  // seq -> due
    std::vector<Link> links;
    std::size_t next_link = 0;  // round-robin position
    uint64_t retried = 0;
  };
  struct InFlightItem {
    uint64_t link_id = 0;
    std::string destination;
  };

  Status PumpDestination(const std::string& name, Destination& dest,
                         std::map<uint64_t, Batch>& batches);
  Link* NextLinkWithDemand(Destination& dest);
  void Retry(int64_t seq, const std::string& destination, bool backoff);

  Store& store_;
  Clock clock_;
  std::map<std::string, Destination> destinations_;
  std::unordered_map<int64_t, InFlightItem> inflight_;
  std::unordered_map<int64_t, int> attempts_;  // failed attempts of a seq, for the backoff
};

}  // namespace slussen
