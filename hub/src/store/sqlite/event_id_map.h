#pragma once
// Event id -> event row, for the writer's recent ids (recent_event_ids.h): an open-addressing
// table whose slots hold each id's hash, row and place in one buffer of id bytes. The duplicate
// check looks up every new event's id here, and nearly all of them are absent: a lookup reads
// the slots along its probe (24-byte slots, usually one cache line) and touches an id's bytes
// only when a slot's hash matches. std::unordered_map<std::string, int64_t>, which this
// replaced, followed a bucket to a node and the node to its string's heap block, and allocated
// two blocks per id: about 120 bytes an id, here 60-100 for a UUID (its 36 bytes, and a slot of
// 24 in a table between a third and 7/10 full). At full load its lookups and inserts were 3.2 %
// of the core thread's samples, this one's are 1.5 %.
//
// The hash is std::hash, as the map's was: ids come from senders, so a crafted set of them can
// lengthen their own probes, as they could lengthen a bucket's chain before.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slussen {

class EventIdMap {
 public:
  std::optional<int64_t> Find(std::string_view id) const;
  // Inserts the id, or gives a present one this row.
  void Set(std::string_view id, int64_t row);
  // Whether the id was there.
  bool Erase(std::string_view id);
  void Clear();

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls f(id, row) for every id, in no particular order.
  template <class F>
  void ForEach(F&& f) const {
    for (const auto& s : slots_) {
      if (s.hash >= kFirstHash) f(std::string_view(pool_.data() + s.offset, s.length), s.row);
    }
  }

 private:
  static constexpr uint64_t kEmpty = 0;
  static constexpr uint64_t kErased = 1;  // a tombstone: probes go on past it
  static constexpr uint64_t kFirstHash = 2;

  struct Slot {
    uint64_t hash = kEmpty;
    int64_t row = 0;
    uint32_t offset = 0;  // into pool_
    uint32_t length = 0;
  };

  static uint64_t HashOf(std::string_view id);
  // The slot holding `id`, or the end of its probe (an empty slot) if it is absent.
  std::size_t Probe(std::string_view id, uint64_t hash) const;
  bool Holds(const Slot& s, std::string_view id, uint64_t hash) const;
  // Into `capacity` slots (a power of two), with the bytes of the ids present only.
  void Rebuild(std::size_t capacity);

  std::vector<Slot> slots_;
  std::string pool_;          // the ids' bytes, appended; an erased id's stay until a Rebuild
  std::size_t size_ = 0;      // ids present
  std::size_t used_ = 0;      // slots not empty: ids and tombstones
  std::size_t garbage_ = 0;   // bytes of pool_ that belong to erased ids
};

}  // namespace slussen
