#include "store/sqlite/event_id_map.h"

#include <cstring>
#include <functional>
#include <limits>

namespace slussen {
namespace {
constexpr std::size_t kMinSlots = 16;
// At most 7 of 10 slots used (ids and tombstones): probes stay short.
bool TooFull(std::size_t used, std::size_t slots) { return used * 10 >= slots * 7; }
}  // namespace

uint64_t EventIdMap::HashOf(std::string_view id) {
  const uint64_t h = std::hash<std::string_view>{}(id);
  return h < kFirstHash ? h + kFirstHash : h;
}

bool EventIdMap::Holds(const Slot& s, std::string_view id, uint64_t hash) const {
  return s.hash == hash && s.length == id.size() &&
         std::memcmp(pool_.data() + s.offset, id.data(), id.size()) == 0;
}

std::size_t EventIdMap::Probe(std::string_view id, uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.hash == kEmpty || Holds(s, id, hash)) return i;
  }
}

std::optional<int64_t> EventIdMap::Find(std::string_view id) const {
  if (slots_.empty()) return std::nullopt;
  const Slot& s = slots_[Probe(id, HashOf(id))];
  if (s.hash == kEmpty) return std::nullopt;
  return s.row;
}

void EventIdMap::Set(std::string_view id, int64_t row) {
  if (slots_.empty() || TooFull(used_ + 1, slots_.size())) {
    // Twice the ids present, so that a table of tombstones is cleaned at its size, not doubled.
    std::size_t capacity = kMinSlots;
    while (TooFull(2 * (size_ + 1), capacity)) capacity *= 2;
    Rebuild(capacity);
  }
  const uint64_t hash = HashOf(id);
  const std::size_t mask = slots_.size() - 1;
  std::size_t free_slot = slots_.size();
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (Holds(s, id, hash)) {
      s.row = row;
      return;
    }
    if (s.hash == kErased && free_slot == slots_.size()) free_slot = i;
    if (s.hash == kEmpty) {
      if (free_slot == slots_.size()) {
        free_slot = i;
        ++used_;
      }
      break;
    }
  }
  if (pool_.size() + id.size() > std::numeric_limits<uint32_t>::max()) {
    // Only erased ids' bytes can have brought it there (4 GB of live ids is not a recent set).
    Rebuild(slots_.size());
    return Set(id, row);
  }
  Slot& s = slots_[free_slot];
  s = {hash, row, static_cast<uint32_t>(pool_.size()), static_cast<uint32_t>(id.size())};
  pool_.append(id);
  ++size_;
}

bool EventIdMap::Erase(std::string_view id) {
  if (slots_.empty()) return false;
  Slot& s = slots_[Probe(id, HashOf(id))];
  if (s.hash == kEmpty) return false;
  s.hash = kErased;
  garbage_ += s.length;
  --size_;
  // The bytes of erased ids are given back once they are most of the pool.
  if (garbage_ > (std::size_t{1} << 20) && garbage_ > pool_.size() / 2) Rebuild(slots_.size());
  return true;
}

void EventIdMap::Clear() {
  std::vector<Slot>().swap(slots_);
  std::string().swap(pool_);
  size_ = used_ = garbage_ = 0;
}

void EventIdMap::Rebuild(std::size_t capacity) {
  std::vector<Slot> old;
  old.swap(slots_);
  std::string old_pool;
  old_pool.swap(pool_);
  slots_.assign(capacity, Slot{});
  pool_.reserve(old_pool.size() - garbage_);
  const std::size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (s.hash < kFirstHash) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].hash != kEmpty) i = (i + 1) & mask;
    slots_[i] = {s.hash, s.row, static_cast<uint32_t>(pool_.size()), s.length};
    pool_.append(old_pool, s.offset, s.length);
  }
  used_ = size_;
  garbage_ = 0;
}

}  // namespace slussen
