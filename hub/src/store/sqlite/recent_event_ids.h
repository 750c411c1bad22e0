#pragma once
// The writer's memory of the event ids not yet merged into event_ids (schema v14; hub/DESIGN.md
// "Event ids"), and the merge itself. Event ids are random, so a b-tree keyed by them written
// event by event dirties a leaf per event; here new ids are appended to event_ids_recent (in
// event order: the last page only) and kept in a hash map for the duplicate check, and once
// kMergeAt of them have gathered they are merged into event_ids in key order, a slice per
// flush, so that each leaf of event_ids is written once per merge rather than once per event.
//
// Owned by SqliteStore, used on its thread only. The map mirrors event_ids_recent exactly as the
// open transaction sees it; whatever rolls rows back (a savepoint, the projection) calls Load.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.h"

struct sqlite3;

namespace slussen {

class RecentEventIds {
 public:
  // A merge starts once this many ids are unmerged (about 8 MB of map, and a scan of
  // event_ids_recent at open that takes milliseconds), or a 16th of the events stored if that
  // is more: a merge into a large event_ids reaches most of its leaves however few ids it
  // brings, so it waits for more of them (5M stored: 312,500, ~40 MB while it runs).
  static constexpr std::size_t kMergeAt = 65'536;
  static constexpr int64_t kMergeFraction = 16;

  // Reads event_ids_recent into memory (at open, and after a rollback); drops a merge under way
  // (its slices are in event_ids already or were rolled back with it; a new one starts over,
  // inserting what is there again is a no-op).
  Status Load(sqlite3* db, const std::string& store_path);

  std::optional<int64_t> Find(const std::string& event_id) const;
  // Noted after the row went into event_ids_recent in the same transaction.
  void Add(const std::string& event_id, int64_t event_row) {
    ids_[event_id] = event_row;
    highest_row_ = std::max(highest_row_, event_row);
  }
  void Erase(const std::string& event_id) { ids_.erase(event_id); }

  // One slice of the merge, in the open transaction (Flush calls it before its COMMIT): at least
  // `budget` ids into event_ids in key order, and once all are in, their rows out of
  // event_ids_recent and the map. Starts a merge when kMergeAt ids are unmerged.
  Status MergeStep(sqlite3* db, const std::string& store_path, std::size_t budget);
  // After a failed slice: the next merge starts from the beginning.
  void AbandonMerge() {
    frozen_.clear();
    next_ = 0;
  }

 private:
  bool merging() const { return next_ < frozen_.size(); }

  std::unordered_map<std::string, int64_t> ids_;
  // The highest event row given out (AUTOINCREMENT's): about the number of events stored.
  int64_t highest_row_ = 0;
  // The ids being merged, sorted, and how far the merge got; frozen_hi_ is highest_row_ when the
  // merge began (every recent row up to it is in frozen_, every later one is higher).
  std::vector<std::pair<std::string, int64_t>> frozen_;
  std::size_t next_ = 0;
  int64_t frozen_hi_ = 0;
};

}  // namespace slussen
