#pragma once
// The writer's memory of the event ids not yet merged into event_ids (schema v14; hub/DESIGN.md
// "Event ids"), and the merge itself. Event ids are random, so a b-tree keyed by them written
// event by event dirties a leaf per event; here new ids are appended to event_ids_recent (in
// event order: the last page only) and kept in a hash map for the duplicate check, and once
// kMergeAt of them have gathered they are merged into event_ids in key order, a step per
// flush, so that each leaf of event_ids is written once per merge rather than once per event.
//
// Owned by SqliteStore, used on its thread only. The map holds the ids of event_ids_recent as
// the open transaction sees it, but for those a merge has put into event_ids already (a recent
// row's id is in the map, in event_ids, or both); whatever rolls rows back (a savepoint, the
// projection) calls Load.
//
// The filter (event_id_filter.h) holds every id of both tables once it is built, so that an id
// it does not have needs no search of event_ids. Load starts it at open with the map's ids, Add
// adds each new id, and FilterStep reads event_ids in key order into it, a slice a flush, until
// it has read it all. An id merged into event_ids behind that reading was in the map when the
// filter started or was added since, so the filter has it. A rollback or a purge leaves ids in
// the filter that are no longer stored: they cost a search, nothing else. Once it holds more
// ids than it has room for, it is started again, twice as large, and read again.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sqlite/event_id_filter.h"
#include "store/sqlite/event_id_map.h"

struct sqlite3;

namespace slussen {

class RecentEventIds {
 public:
  // A merge starts once this many ids are unmerged (about 5 MB of map, and a scan of
  // event_ids_recent at open that takes milliseconds), or a 16th of the events stored if that
  // is more: a merge into a large event_ids reaches most of its leaves however few ids it
  // brings, so it waits for more of them (5M stored: 312,500, ~30 MB while it runs).
  static constexpr std::size_t kMergeAt = 65'536;
  static constexpr int64_t kMergeFraction = 16;
  // The filter's room: twice the events stored when it starts, at least this many ids
  // (1.25 MB; 10 bits an id).
  static constexpr std::size_t kFilterMinIds = std::size_t{1} << 20;
  // Ids of event_ids read into the filter per flush (in key order, so a few hundred adjacent
  // leaves: a millisecond or two). 5M stored: ready after about 300 flushes.
  static constexpr std::size_t kFilterReadsPerStep = 16'384;

  // Reads event_ids_recent into memory (at open, and after a rollback); drops a merge under way
  // (what it inserted is in event_ids already or was rolled back with it; a new one starts
  // over, and inserting what is there again is a no-op).
  Status Load(sqlite3* db, const std::string& store_path);

  std::optional<int64_t> Find(const std::string& event_id) const;
  // Whether `event_id` is surely in neither table: the filter is built and has not got it.
  bool SurelyAbsent(const std::string& event_id) const {
    return filter_ready_ && !filter_->MayContain(event_id);
  }
  bool filter_ready() const { return filter_ready_; }
  // Noted after the row went into event_ids_recent in the same transaction.
  void Add(const std::string& event_id, int64_t event_row) {
    ids_.Set(event_id, event_row);
    highest_row_ = std::max(highest_row_, event_row);
    if (filter_) filter_->Add(event_id);
  }
  void Erase(const std::string& event_id) { ids_.Erase(event_id); }

  // One step of the merge, in the open transaction (Flush calls it before its COMMIT), with
  // `budget` as its measure of work; starts a merge when enough ids are unmerged. A merge has
  // three phases, each spread over as many flushes as it takes, so that none stalls the core
  // thread (hub/DESIGN.md "Event ids"):
  //   1. gather: read the recent rows up to the highest one at the start, in row order, 4 x
  //      budget per step, each step's rows sorted as a run of their own;
  //   2. insert: budget ids into event_ids in key order (a k-way merge of the runs), each one out
  //      of the map once inserted (the search of event_ids finds it from then on);
  //   3. drop: the merged rows out of event_ids_recent, 4 x budget per step, in row order.
  // A step that finishes its phase goes on with the next, so a large flush may merge at once.
  Status MergeStep(sqlite3* db, const std::string& store_path, std::size_t budget);
  // One slice of the filter's reading of event_ids, in the open transaction (Flush calls it);
  // starts a larger filter first if this one holds more ids than it has room for.
  Status FilterStep(sqlite3* db, const std::string& store_path);
  // After a failed step: the next merge starts from the beginning.
  void AbandonMerge() {
    phase_ = Phase::kIdle;
    frozen_.clear();
    runs_.clear();
  }

 private:
  enum class Phase { kIdle, kGathering, kInserting, kDropping };
  // A sorted run of frozen_: [next, end).
  struct Run {
    std::size_t next;
    std::size_t end;
  };

  Status Gather(sqlite3* db, const std::string& store_path, std::size_t rows);
  Status Insert(sqlite3* db, const std::string& store_path, std::size_t ids);
  Status Drop(sqlite3* db, const std::string& store_path, std::size_t rows);
  // A new filter with the map's ids, to be read full from event_ids by FilterStep.
  void StartFilter();

  // Recent ids not yet in event_ids. While a merge inserts, those it inserted are left out.
  EventIdMap ids_;
  // The highest event row given out (AUTOINCREMENT's): about the number of events stored.
  int64_t highest_row_ = 0;

  Phase phase_ = Phase::kIdle;
  // highest_row_ when the merge began: every recent row up to it is merged, every later one
  // is higher. done_row_ is how far the gathering read, then how far the drop deleted.
  int64_t frozen_hi_ = 0;
  int64_t done_row_ = 0;
  // The gathered ids with their rows, as sorted runs; runs_ is a min-heap on each run's next id
  // while inserting.
  std::vector<std::pair<std::string, int64_t>> frozen_;
  std::vector<Run> runs_;

  std::unique_ptr<EventIdFilter> filter_;
  bool filter_ready_ = false;
  // The last id of event_ids read into the filter; none before its first slice.
  std::optional<std::string> filter_read_to_;
};

}  // namespace slussen
