#pragma once
// The decoded events of the cases the core touched lately, so that a new event of a case costs a
// fold over events already in memory instead of reading and parsing every stored body of the
// case again (which made a case's life quadratic in its events).
//
// Bounded by the total number of events held (the least recently used cases go first); a case
// larger than the whole bound is never held, and is read from the store when it is needed. The
// cache is a copy of the store, never the truth: a miss reads the store, and anything that might
// make the copy wrong (a failed transaction whose events were already added) drops the case.
// Owned by the core thread; not thread-safe.
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "cases/case_state.h"

namespace slussen {

class CaseCache {
 public:
  explicit CaseCache(std::size_t max_events) : max_events_(max_events) {}

  // The events of the case if held (and marks it recently used); nullptr on a miss.
  const std::vector<CaseEvent>* Find(const std::string& case_id);
  // Holds these events as the whole case (replacing what was held), then trims to the bound.
  void Put(const std::string& case_id, std::vector<CaseEvent> events);
  void Drop(const std::string& case_id);
  void Clear();

  std::size_t cases() const { return entries_.size(); }
  std::size_t events() const { return events_; }
  std::size_t max_events() const { return max_events_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    std::vector<CaseEvent> events;
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
