#pragma once
// Outbound delivery for every destination: which receiver links want how many messages, what is
// on its way on which link, what must be tried again and when, and when trying ends.
//
// The guarantees (hub/DESIGN.md "Delivery" has the full statement):
//  - Per case, in order: a destination gets a case's events in the order the hub stored them.
//    A case's events on their way to a destination form a train on one link: the first is sent,
//    each later one is handed to the transport with `after_seq` naming its predecessor and is
//    sent only once the receiver accepted that one (the transport holds it until then, and
//    gives it back unsent if the predecessor ends any other way). So a receiver never gets an
//    event of a case before the earlier one is accepted or dead, without a round trip through
//    the core per event. Only the train's first event is ever retried; the rest wait behind it.
//  - No head-of-line blocking: a case that waits holds back only its own later events. The
//    destination's window (DeliveryPolicy::in_flight) counts what is sent and what waits for a
//    retry; only when every slot of it is held by a failing case does the destination stop
//    taking new rows, and then every case it has is failing.
//  - Retries follow the destination's RetryPolicy (backoff with jitter, cap, budget). A
//    `rejected` ends the retries of that delivery at once; so does `modified` with
//    undeliverable-here when the policy says so. The ended delivery is dead (kept with every
//    attempt), and the case's next event goes out.
//  - Everything failed is reported as a FailedAttempt for the core to store, so a restart
//    continues the schedule: rows read back with a next attempt in the future wait for it.
//
// Pending messages stay on disk: the dispatcher keeps a read cursor per destination, what is
// on its way (bounded by the window) and the ids of cases whose later rows it passed over
// (bounded by the window too). A destination with no receiver costs no memory however long its
// outbox grows.
//
// Owned by the core actor; single-threaded.
#include <chrono>
#include <deque>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/core_messages.h"
#include "common/clock.h"
#include "config/delivery_policy.h"
#include "store/store.h"

namespace slussen {

class Dispatcher {
 public:
  using PolicyFor = std::function<const DeliveryPolicy&(const std::string& destination)>;
  // `random01` gives the jitter's draws, uniform in [0, 1); tests fix it.
  Dispatcher(Store& store, Clock clock, PolicyFor policy_for,
             std::function<double()> random01 = {});

  void AddDemand(const LinkDemand& demand);
  // The link's unsettled deliveries are failed attempts (outcome "link-lost"): a receiver that
  // drops its connection on one particular message must not get it forever.
  std::vector<FailedAttempt> RemoveLink(uint64_t link_id);

  // A row to record as delivered: its seq, and its destination if this run sent it (empty for an
  // outcome of a delivery the dispatcher no longer knows, e.g. a second acceptance).
  struct Accepted {
    int64_t seq = 0;
    std::string destination;
    // Only for a row the acceptance watch picked (SetAcceptanceWatch).
    bool watched = false;
    // What the row carried, when the dispatcher knew it (`destination` not empty): the audit
    // log's disclosure row is made from these without reading the store.
    std::string event_id = {};
    std::string case_id = {};
    std::string kind = {};
    std::string patient_key = {};
  };
  struct Effect {
    std::optional<Accepted> accepted;
    std::optional<FailedAttempt> failed;  // to store; failed->dead if the retries ended
  };
  Effect OnOutcome(const DeliveryOutcome& outcome);
  // Which rows' acceptances the core wants to know more of (their event and case: the case
  // logic counts some notices when the kommun's system accepted them). Asked once per row as it
  // is taken from the outbox; without a watch (the default) nothing is asked or kept.
  void SetAcceptanceWatch(std::function<bool(const OutboxItem&)> watch) { watch_ = std::move(watch); }
  // New outbox rows were committed for this destination.
  void OnEnqueued(const std::string& destination);
  // An operator paused (or resumed) the destination: nothing new is sent to it while paused;
  // what is in flight finishes. A maintenance window of its policy pauses it the same way.
  void SetPaused(const std::string& destination, bool paused);
  // An operator revived dead row `seq` (committed): it goes out as soon as its case has nothing
  // else on its way to the destination (so it may arrive after later events of its case).
  void Revive(int64_t seq, const std::string& destination, const std::string& case_id);
  // Row `seq` ended outside the dispatcher: an operator marked it delivered (committed), or the
  // broker dead-lettered it. It is no longer on its way.
  void Forget(int64_t seq);
  // Lines for the log about windows that began or ended (the core logs them).
  std::vector<std::string> TakeNotices();

  struct Batch {
    uint64_t conn_id = 0;
    uint64_t link_id = 0;
    std::vector<OutboxItem> items;
  };
  // Everything that can be sent now, given demand, the windows, retry times and the outbox.
  Result<std::vector<Batch>> Pump();
  // When Pump() next has something to do without new input: the earliest due retry of a
  // destination with demand, or now if a Pump stopped early with more to read.
  std::optional<std::chrono::system_clock::time_point> NextWakeAt() const;

  std::size_t InFlight() const { return inflight_.size(); }

  // What is moving for one destination right now, for the live statistics.
  struct Activity {
    int64_t in_flight = 0;
    int64_t waiting_retry = 0;
    int64_t cases_held_back = 0;  // cases whose later events wait behind one on its way
    int receivers = 0;
    uint64_t retried = 0;  // attempts that ended other than accepted, since start
    uint64_t dead = 0;     // deliveries whose retries ended, since start
    bool paused = false;   // by an operator
    std::string window;    // the maintenance window it is in, if any
    int64_t window_ends_at_us = 0;
  };
  std::map<std::string, Activity> ActivityByDestination() const;

 private:
  struct Link {
    uint64_t id = 0;
    uint64_t conn_id = 0;
    int demand = 0;
  };
  // A row on its way that is not in flight: it waits for its next attempt.
  struct Waiting {
    std::chrono::system_clock::time_point due;
  };
  struct Destination {
    int64_t cursor = 0;       // highest seq read from the outbox (and handed out or passed over)
    bool maybe_more = true;   // the outbox may hold rows beyond the cursor
    std::vector<Link> links;
    std::size_t next_link = 0;  // round-robin position
    std::map<int64_t, Waiting> retry;  // seq -> when (only the first row of a train)
    // case -> its rows on their way, in order (the train). An empty train reserves the case
    // while Pump fetches its next row (see `freed`).
    struct Train {
      std::deque<int64_t> seqs;
      int64_t high = 0;  // the highest seq the train carried: the case goes on after it
    };
    std::unordered_map<std::string, Train> trains;
    // Busy cases whose later rows the cursor passed over: the first few of their seqs (fetched
    // by seq), and whether there were more (then fetched by case, Store::NextPendingOfCase).
    struct HeldBack {
      std::deque<int64_t> seqs;
      bool more = false;
    };
    std::unordered_map<std::string, HeldBack> held_back;
    // Cases whose row ended while more of theirs waits: their next row (a held-back seq, else
    // the first after `after`), or the revived row `revive`, is fetched by the next Pump before
    // the cursor reads on.
    struct Freed {
      std::string case_id;
      int64_t after = 0;
      int64_t revive = 0;
      HeldBack held;
    };
    std::vector<Freed> freed;
    std::unordered_multimap<std::string, int64_t> revived;  // case -> revived row waiting for it
    uint64_t retried = 0;
    uint64_t dead = 0;
    int on_its_way = 0;  // in flight + waiting for a retry: what the window counts
    bool paused = false;
    std::optional<std::pair<std::string, std::chrono::system_clock::time_point>> window;
  };
  // What the dispatcher remembers of a row on its way.
  struct Row {
    // The link it was handed to (sent, or held by the transport behind its predecessor); 0
    // while it waits for a retry or, not first in its train, for its predecessor.
    uint64_t link_id = 0;
    std::string destination;
    std::string case_id;
    std::string event_id;
    int attempts = 0;      // failed so far
    int64_t enqueued_at_us = 0;
    // A revived row: the case's row that ended before it; the case goes on after the later of
    // the two (never back to rows it already delivered).
    int64_t resume_after = 0;
    bool watched = false;  // the acceptance watch picked it
    std::string kind = {};         // for the disclosure's audit row (Accepted)
    std::string patient_key = {};
  };

  Status PumpDestination(const std::string& name, Destination& dest,
                         std::map<uint64_t, Batch>& batches);
  Link* NextLinkWithDemand(Destination& dest);
  int Demand(const Destination& dest) const;
  // Takes a row read from the outbox: hands it out, holds it back behind its case, or lets it
  // wait for its stored next attempt. Returns false if the window is full (the row is not taken).
  bool Take(const std::string& name, Destination& dest, OutboxItem item,
            std::map<uint64_t, Batch>& batches);
  void HandOut(Link& link, OutboxItem item, int64_t after_seq,
               std::map<uint64_t, Batch>& batches);
  // The link a new row of the case can be chained on right now: the case's train ends in a row
  // handed to a link that still has demand, nothing of the case is held back, the window has
  // room. nullptr if the row must wait instead.
  Link* JoinableTrain(const std::string& name, Destination& dest, const std::string& case_id);
  Link* FindLink(Destination& dest, uint64_t link_id);
  // The train's first row was handed out again: its followers that wait (given back by the
  // transport when it failed) go chained behind it, as far as the link's demand reaches.
  Status HandOutFollowers(Destination& dest, const std::string& case_id, Link& link,
                          std::map<uint64_t, Batch>& batches);
  FailedAttempt Fail(int64_t seq, const std::string& outcome, const std::string& condition,
                     const std::string& description, bool end_now, const std::string& end_reason);
  // The row's trip ended (accepted or dead): its case's next row may go.
  void Finish(int64_t seq);
  bool IsFirstOfTrain(const Row& row, int64_t seq) const;

  Store& store_;
  Clock clock_;
  PolicyFor policy_for_;
  std::function<double()> random01_;
  std::function<bool(const OutboxItem&)> watch_;
  std::mt19937_64 rng_;
  std::map<std::string, Destination> destinations_;
  std::unordered_map<int64_t, Row> rows_;       // every row on its way, by seq
  std::unordered_map<int64_t, uint64_t> inflight_;  // sent and unsettled: seq -> link
  bool read_more_now_ = false;  // a Pump stopped reading early
  std::vector<std::string> notices_;
  // Whether the destination is in a maintenance window at `now` (updating its state and the
  // notices as windows begin and end).
  bool InWindow(const std::string& name, Destination& dest,
                std::chrono::system_clock::time_point now);
  // How much of [from, to) lies in the destination's maintenance windows: a retry's age budget
  // does not count it.
  std::chrono::system_clock::duration WindowTime(const std::string& destination,
                                                 std::chrono::system_clock::time_point from,
                                                 std::chrono::system_clock::time_point to) const;
};

}  // namespace slussen
