#include "event_ids.h"

#include <cstdio>
#include <random>

namespace slussen::bench {
namespace {

constexpr uint32_t kRunMask = 0x0fffffff;
constexpr uint64_t kSeqMask = (uint64_t{1} << 60) - 1;
constexpr uint64_t kSequential = kSeqMask + 1;  // no sequence number is this

bool ParseHex(std::string_view s, uint64_t* out) {
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

// splitmix64's finalizer: every input bit affects every output bit.
uint32_t Mix(uint32_t run, uint64_t seq) {
  uint64_t z = seq + (uint64_t{run} << 32) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<uint32_t>(z ^ (z >> 31));
}

}  // namespace

std::string EventId(uint32_t run, uint64_t seq, bool sequential) {
  run &= kRunMask;
  seq &= kSeqMask;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03llx-%012llx",
                Mix(run, sequential ? kSequential : seq), run >> 12, run & 0xfff,
                static_cast<unsigned long long>(seq >> 48),
                static_cast<unsigned long long>(seq & 0xffffffffffffULL));
  return buf;
}

bool ParseEventId(std::string_view id, uint32_t* run, uint64_t* seq) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[14] != '4' || id[18] != '-' ||
      id[19] != '8' || id[23] != '-') {
    return false;
  }
  uint64_t mix = 0, run_hi = 0, run_lo = 0, seq_hi = 0, seq_lo = 0;
  if (!ParseHex(id.substr(0, 8), &mix) || !ParseHex(id.substr(9, 4), &run_hi) ||
      !ParseHex(id.substr(15, 3), &run_lo) || !ParseHex(id.substr(20, 3), &seq_hi) ||
      !ParseHex(id.substr(24, 12), &seq_lo)) {
    return false;
  }
  const auto r = static_cast<uint32_t>((run_hi << 12) | run_lo);
  const uint64_t s = (seq_hi << 48) | seq_lo;
  if (Mix(r, s) != mix && Mix(r, kSequential) != mix) return false;
  *run = r;
  *seq = s;
  return true;
}

uint32_t NewRun() {
  static std::mt19937 rng{std::random_device{}()};
  uint32_t r = 0;
  while (r == 0) r = static_cast<uint32_t>(rng()) & kRunMask;
  return r;
}

}  // namespace slussen::bench
