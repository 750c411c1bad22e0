#include "store/sqlite/event_id_filter.h"

#include <algorithm>
#include <functional>

namespace slussen {
namespace {

// splitmix64's finaliser: the bits within the block must not follow from the block's number.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

EventIdFilter::EventIdFilter(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)),
      blocks_((capacity_ * 10 + 511) / 512),
      words_(blocks_ * kWordsPerBlock, 0) {}

EventIdFilter::Place EventIdFilter::PlaceOf(std::string_view id) const {
  const uint64_t h = std::hash<std::string_view>{}(id);
  Place p{};
  // The block from the hash's upper half (multiply-shift: no division; fewer than 2^32 blocks).
  p.word = static_cast<std::size_t>(((h >> 32) * blocks_) >> 32) * kWordsPerBlock;
  // Seven 9-bit positions within the block from one more mixed word.
  uint64_t g = Mix(h);
  for (int i = 0; i < kBitsPerId; ++i, g >>= 9) {
    const unsigned bit = static_cast<unsigned>(g & 511);
    p.bits[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  return p;
}

void EventIdFilter::Add(std::string_view id) {
  const Place p = PlaceOf(id);
  for (std::size_t i = 0; i < kWordsPerBlock; ++i) words_[p.word + i] |= p.bits[i];
  ++added_;
}

bool EventIdFilter::MayContain(std::string_view id) const {
  const Place p = PlaceOf(id);
  for (std::size_t i = 0; i < kWordsPerBlock; ++i) {
    if ((words_[p.word + i] & p.bits[i]) != p.bits[i]) return false;
  }
  return true;
}

}  // namespace slussen
