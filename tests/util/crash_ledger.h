#pragma once
// What the crash test's sender and receivers saw, across every run of the hub: which events were
// settled `accepted`, and every delivery of every event to each destination with the run
// (round) it came in. The sender's and receivers' threads record; the test thread reads and
// waits. One mutex, held only for the bookkeeping.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hub_client.h"

namespace slussen::testing {

class CrashLedger {
 public:
  // `ids`: the stream's event ids, distinct, by index; `destinations`: how many receivers.
  CrashLedger(std::vector<std::string> ids, std::size_t destinations);

  // A new run of the hub: the per-run counts start again.
  void BeginRound(int round);

  struct Counts {
    std::size_t accepted = 0;           // distinct events accepted, in all
    std::size_t accepted_in_round = 0;  // acceptances this run
  };
  // The sender's settlement of event `index`.
  Counts Settled(std::size_t index, client::SendOutcome::Kind kind);
  // Transfers the sender made (first sends and re-sends).
  void AddTransfers(std::size_t n);
  // A delivery of `id` to `destination`; returns the deliveries to it this run, this one included.
  int Received(std::size_t destination, const std::string& id);
  int ReceivedThisRound(std::size_t destination) const;

  // Indexes of the events not accepted yet, in stream order.
  std::vector<std::size_t> Unaccepted() const;
  // Waits until every accepted event has reached every destination.
  bool WaitAllReceived(std::chrono::steady_clock::time_point deadline);
  // Accepted events a destination has not received, counted with a few examples.
  std::string Missing() const;
  // Accepted ids that are not in `stored`, counted with a few examples; "" if none.
  std::string NotIn(const std::vector<std::string>& stored) const;

  struct Destination {
    std::size_t distinct = 0;    // the stream's events received at least once
    std::size_t received = 0;    // deliveries, duplicates included
    std::size_t lost = 0;        // accepted, never received
    std::size_t duplicated = 0;  // deliveries beyond the first of an event
    std::size_t duplicated_within_run = 0;  // ... of which in the same run as an earlier one
    std::string example_within_run;
    std::size_t foreign = 0;  // deliveries of ids the stream does not have
  };
  // One run of the hub, per destination: deliveries the receiver accepted while the hub was
  // alive, and how many of those came again in a later run (the hub had no record of them).
  struct Run {
    std::vector<std::size_t> accepted;
    std::vector<std::size_t> came_again;
  };
  struct Figures {
    std::size_t transfers = 0;
    std::size_t accepted = 0;
    std::size_t rejected = 0;
    std::size_t released = 0;  // released, modified or a settlement without outcome
    std::vector<Destination> destinations;
    std::vector<Run> runs;  // by round
  };
  Figures Summarize() const;

 private:
  bool AllReceivedLocked() const;

  const std::vector<std::string> ids_;
  std::unordered_map<std::string, std::size_t> index_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  int round_ = 0;
  std::vector<bool> accepted_;
  std::size_t accepted_count_ = 0;
  std::size_t accepted_in_round_ = 0;
  std::size_t transfers_ = 0;
  std::size_t rejected_ = 0;
  std::size_t released_ = 0;
  // Per destination: per event, the rounds it was received in; receptions this round; the
  // stream's events received at least once; deliveries of unknown ids.
  std::vector<std::vector<std::vector<int>>> rounds_;
  std::vector<int> received_in_round_;
  std::vector<std::size_t> distinct_;
  std::vector<std::size_t> foreign_;
};

}  // namespace slussen::testing
