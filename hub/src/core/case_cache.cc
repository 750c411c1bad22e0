#include "core/case_cache.h"

namespace slussen {

std::optional<DecodedCaseEvents> CaseCache::Take(const std::string& case_id) {
  auto it = entries_.find(case_id);
  if (it == entries_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  DecodedCaseEvents out = std::move(it->second.events);
  events_ -= out.events.size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
  return out;
}

void CaseCache::Put(const std::string& case_id, DecodedCaseEvents events) {
  Drop(case_id);
  if (events.events.size() > max_events_) return;  // would evict everything and still not fit
  events_ += events.events.size();
  lru_.push_front(case_id);
  entries_.emplace(case_id, Entry{std::move(events), lru_.begin()});
  Trim();
}

void CaseCache::Drop(const std::string& case_id) {
  auto it = entries_.find(case_id);
  if (it == entries_.end()) return;
  events_ -= it->second.events.events.size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

void CaseCache::Trim() {
  while (events_ > max_events_ && !lru_.empty()) Drop(lru_.back());
}

}  // namespace slussen
