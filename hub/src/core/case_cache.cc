#include "core/case_cache.h"

namespace slussen {

const std::vector<CaseEvent>* CaseCache::Find(const std::string& case_id) {
  auto it = entries_.find(case_id);
  if (it == entries_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return &it->second.events;
}

void CaseCache::Put(const std::string& case_id, std::vector<CaseEvent> events) {
  Drop(case_id);
  if (events.size() > max_events_) return;  // would evict everything else and still not fit
  events_ += events.size();
  lru_.push_front(case_id);
  entries_.emplace(case_id, Entry{std::move(events), lru_.begin()});
  Trim();
}

void CaseCache::Drop(const std::string& case_id) {
  auto it = entries_.find(case_id);
  if (it == entries_.end()) return;
  events_ -= it->second.events.size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

void CaseCache::Clear() {
  entries_.clear();
  lru_.clear();
  events_ = 0;
}

void CaseCache::Trim() {
  while (events_ > max_events_ && !lru_.empty()) Drop(lru_.back());
}

}  // namespace slussen
