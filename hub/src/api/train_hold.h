#pragma once
// A transport's half of a case's train (delivery/dispatcher.h): the core hands a case's later
// event out with `after_seq` naming its predecessor, and the transport sends it only once the
// receiver (the embedded listener's peer, or the broker) accepted that one. This holds the
// waiting items of one outbound link; both transports (transport/amqp_connection_outbound.cc,
// broker/broker_outbound.cc) keep their trains with it, so the rule is written once.
//
// Single-threaded: owned by the link's transport thread.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "api/core_messages.h"
#include "api/records.h"

namespace slussen {

// The outcome a transport reports for an item it gives back unsent (not an attempt).
inline DeliveryOutcome NotSent(uint64_t conn_id, uint64_t link_id, int64_t seq) {
  DeliveryOutcome back;
  back.conn_id = conn_id;
  back.link_id = link_id;
  back.seq = seq;
  back.kind = DeliveryOutcome::Kind::kNotSent;
  return back;
}

class TrainHold {
 public:
  enum class Place { kSend, kHeld, kGiveBack };

  // Where an item the core handed out goes: sent now (the first of its train), held behind its
  // predecessor while that one is on its way (`predecessor_in_flight`) or held itself, or given
  // back unsent: its predecessor ended before it came, and the core decides again knowing how.
  // A kHeld item is moved in.
  Place Arrive(OutboxItem& item, bool predecessor_in_flight) {
    if (item.after_seq == 0) return Place::kSend;
    // A train is a chain: a second follower of one event is not the core's, so it goes back
    // rather than wait where nothing would ever send it.
    if ((!predecessor_in_flight && !held_.count(item.after_seq)) ||
        followers_.count(item.after_seq)) {
      return Place::kGiveBack;
    }
    held_.insert(item.seq);
    const int64_t after = item.after_seq;
    followers_.emplace(after, std::move(item));
    return Place::kHeld;
  }

  // The delivery `seq` ended. Accepted: its follower, if one waits, is returned to be sent.
  // Otherwise every item chained behind it leaves the hold, and their seqs are appended to
  // `given_back` in train order (the transport reports each NotSent). Iterative: a long train
  // given back must not recurse once per event.
  std::optional<OutboxItem> Follow(int64_t seq, bool accepted, std::vector<int64_t>& given_back) {
    while (true) {
      auto next = followers_.find(seq);
      if (next == followers_.end()) return std::nullopt;
      OutboxItem item = std::move(next->second);
      followers_.erase(next);
      held_.erase(item.seq);
      if (accepted) return item;
      given_back.push_back(item.seq);
      seq = item.seq;
    }
  }

  bool Holds(int64_t seq) const { return held_.count(seq) != 0; }
  std::size_t size() const { return held_.size(); }

 private:
  std::unordered_map<int64_t, OutboxItem> followers_;  // predecessor seq -> the item after it
  std::unordered_set<int64_t> held_;                   // the seqs of the held items
};

}  // namespace slussen
