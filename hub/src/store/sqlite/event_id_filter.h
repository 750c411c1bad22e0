#pragma once
// A Bloom filter over event ids, for the duplicate check (hub/DESIGN.md "Event ids"): it answers
// "not stored" for nearly every new id without a search of event_ids, whose leaves a large store
// no longer has in memory (with 5M events stored that search was 8 % of the core thread, a
// pread past the page cache per new event). It never answers "not stored" for an id it was
// given; for one it was not given it answers "may be stored" about once in a hundred times,
// and then the search decides.
//
// Blocked: each id's bits lie in one 64-byte block, so a lookup costs one cache miss. Ids come
// from senders, so a crafted id can at most make its own lookup a search.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace slussen {

class EventIdFilter {
 public:
  // Room for `capacity` ids at about 1 % false "may be stored" (10 bits an id); more can be
  // added, at a rising rate of them.
  explicit EventIdFilter(std::size_t capacity);

  void Add(std::string_view id);
  bool MayContain(std::string_view id) const;

  std::size_t capacity() const { return capacity_; }
  std::size_t added() const { return added_; }
  std::size_t bytes() const { return words_.size() * sizeof(uint64_t); }

 private:
  static constexpr std::size_t kWordsPerBlock = 8;  // 512 bits, one cache line
  static constexpr int kBitsPerId = 7;              // per block; 10 bits of room an id

  // The id's block (its first word) and the bits it sets in it.
  struct Place {
    std::size_t word;
    uint64_t bits[kWordsPerBlock];
  };
  Place PlaceOf(std::string_view id) const;

  std::size_t capacity_;
  std::size_t blocks_;
  std::size_t added_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace slussen
