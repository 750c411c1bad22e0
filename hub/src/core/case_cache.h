#pragma once
// The decoded events of the cases the core touched lately, so that a new event of a case costs a
// fold over events already in memory instead of reading and parsing every stored body of the
// case again (which made a case's life quadratic in its events).
//
// Bounded by the total number of events held (the least recently used cases go first); a case
// larger than the whole bound is never held, and is read from the store when it is needed. The
// cache is a copy of what is committed, never the truth: the core Take()s a case out while a
// batch works on it and Put()s it back only after the batch committed, so a failed transaction
// leaves nothing of itself here, and a miss reads the store.
// Owned by the core thread; not thread-safe.
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "cases/case_projection.h"

namespace slussen {

class CaseCache {
 public:
  explicit CaseCache(std::size_t max_events) : max_events_(max_events) {}

  // Removes the case and hands its events over; nullopt on a miss.
  std::optional<DecodedCaseEvents> Take(const std::string& case_id);
  // Holds these events as the whole case (most recently used), then trims to the bound.
  void Put(const std::string& case_id, DecodedCaseEvents events);
  void Drop(const std::string& case_id);

  std::size_t cases() const { return entries_.size(); }
  std::size_t events() const { return events_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    DecodedCaseEvents events;
    std::list<std::string>::iterator lru;  // position in lru_ (front: most recent)
  };
  void Trim();

  const std::size_t max_events_;
  std::size_t events_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace slussen
