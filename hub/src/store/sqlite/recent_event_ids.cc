#include "store/sqlite/recent_event_ids.h"

#include <sqlite3.h>

#include <algorithm>

#include "store/sqlite/sqlite_util.h"

namespace slussen {

using sqlite::ResetGuard;
using sqlite::Stmt;

Status RecentEventIds::Load(sqlite3* db, const std::string& store_path) {
  ids_.Clear();
  highest_row_ = 0;
  AbandonMerge();
  Stmt st;
  int rc = st.Prepare(db, "SELECT event_id, event_row FROM event_ids_recent");
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "read recent event ids", rc, db);
  while ((rc = st.Step()) == SQLITE_ROW) ids_.Set(st.ColText(0), st.ColInt(1));
  if (rc != SQLITE_DONE) return sqlite::StoreError(store_path, "read recent event ids", rc, db);
  Stmt highest;
  rc = highest.Prepare(db, "SELECT seq FROM sqlite_sequence WHERE name = 'events'");
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "read recent event ids", rc, db);
  rc = highest.Step();
  if (rc == SQLITE_ROW) {
    highest_row_ = highest.ColInt(0);
  } else if (rc != SQLITE_DONE) {
    return sqlite::StoreError(store_path, "read recent event ids", rc, db);
  }
  // After a rollback the filter stays: what it holds beyond the tables costs a search at most.
  if (!filter_) StartFilter();
  return OkStatus();
}

void RecentEventIds::StartFilter() {
  const auto stored = std::max<std::size_t>(ids_.size(), static_cast<std::size_t>(highest_row_));
  filter_ = std::make_unique<EventIdFilter>(std::max(kFilterMinIds, 2 * stored));
  filter_ready_ = false;
  filter_read_to_.reset();
  ids_.ForEach([this](std::string_view id, int64_t) { filter_->Add(id); });
}

Status RecentEventIds::FilterStep(sqlite3* db, const std::string& store_path) {
  if (!filter_) return OkStatus();
  if (filter_->added() > filter_->capacity()) StartFilter();
  if (filter_ready_) return OkStatus();
  Stmt read;
  int rc = read.Prepare(db, filter_read_to_
                                ? "SELECT event_id FROM event_ids WHERE event_id > ? "
                                  "ORDER BY event_id LIMIT ?"
                                : "SELECT event_id FROM event_ids ORDER BY event_id LIMIT ?");
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "read event ids into the filter", rc, db);
  int limit_at = 1;
  if (filter_read_to_) read.Text(limit_at++, *filter_read_to_);
  read.Int(limit_at, static_cast<int64_t>(kFilterReadsPerStep));
  std::size_t n = 0;
  std::string last;
  while ((rc = read.Step()) == SQLITE_ROW) {
    last = read.ColText(0);
    filter_->Add(last);
    ++n;
  }
  if (rc != SQLITE_DONE) return sqlite::StoreError(store_path, "read event ids into the filter", rc, db);
  if (n < kFilterReadsPerStep) {
    filter_ready_ = true;
    filter_read_to_.reset();
  } else {
    filter_read_to_ = std::move(last);
  }
  return OkStatus();
}

std::optional<int64_t> RecentEventIds::Find(const std::string& event_id) const {
  return ids_.Find(event_id);
}

namespace {

constexpr std::size_t kReadsPerInsert = 4;  // reading or deleting a row in order is that cheaper

// Prepares `sql` over a range of recent rows; its parameters are the row after which the range
// starts, the last row it may reach, and how many rows it takes at most.
int PrepareRange(Stmt& st, sqlite3* db, const char* sql, int64_t after, int64_t last,
                 std::size_t limit) {
  const int rc = st.Prepare(db, sql);
  if (rc != SQLITE_OK) return rc;
  st.Int(1, after);
  st.Int(2, last);
  st.Int(3, static_cast<int64_t>(limit));
  return SQLITE_OK;
}

// Heap order for the runs: std::push_heap keeps the greatest first, so "less" is "later id".
template <class Run>
bool LaterRun(const std::vector<std::pair<std::string, int64_t>>& frozen, const Run& a,
              const Run& b) {
  return frozen[b.next].first < frozen[a.next].first;
}

}  // namespace

Status RecentEventIds::MergeStep(sqlite3* db, const std::string& store_path,
                                 std::size_t budget) {
  budget = std::max<std::size_t>(budget, 1);
  if (phase_ == Phase::kIdle) {
    const auto threshold =
        std::max<std::size_t>(kMergeAt, static_cast<std::size_t>(highest_row_ / kMergeFraction));
    if (ids_.size() < threshold) return OkStatus();
    phase_ = Phase::kGathering;
    frozen_hi_ = highest_row_;
    done_row_ = 0;
  }
  if (phase_ == Phase::kGathering) {
    if (auto s = Gather(db, store_path, kReadsPerInsert * budget); !s) return s;
    if (phase_ == Phase::kGathering) return OkStatus();
  }
  if (phase_ == Phase::kInserting) {
    if (auto s = Insert(db, store_path, budget); !s) return s;
    if (phase_ == Phase::kInserting) return OkStatus();
  }
  return Drop(db, store_path, kReadsPerInsert * budget);
}

Status RecentEventIds::Gather(sqlite3* db, const std::string& store_path, std::size_t rows) {
  Stmt read;
  int rc = PrepareRange(read, db,
                        "SELECT event_row, event_id FROM event_ids_recent "
                        "WHERE event_row > ? AND event_row <= ? ORDER BY event_row LIMIT ?",
                        done_row_, frozen_hi_, rows);
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "gather event ids to merge", rc, db);
  const std::size_t begin = frozen_.size();
  while ((rc = read.Step()) == SQLITE_ROW) {
    done_row_ = read.ColInt(0);
    frozen_.emplace_back(read.ColText(1), done_row_);
  }
  if (rc != SQLITE_DONE) return sqlite::StoreError(store_path, "gather event ids to merge", rc, db);
  if (frozen_.size() > begin) {
    std::sort(frozen_.begin() + static_cast<std::ptrdiff_t>(begin), frozen_.end());
    runs_.push_back(Run{begin, frozen_.size()});
  }
  if (frozen_.size() - begin == rows) return OkStatus();  // more to read at the next step
  // All read: the runs become a heap for the k-way merge; the drop starts from the first row.
  const auto later = [this](const Run& a, const Run& b) { return LaterRun(frozen_, a, b); };
  std::make_heap(runs_.begin(), runs_.end(), later);
  done_row_ = 0;
  phase_ = Phase::kInserting;
  return OkStatus();
}

Status RecentEventIds::Insert(sqlite3* db, const std::string& store_path, std::size_t ids) {
  Stmt insert;
  // OR IGNORE: a merge that a rollback or a restart cut short is started over, and the ids it
  // had merged are there already. Ids are unique in the store (the duplicate check), so an id
  // found in event_ids is the same event.
  int rc = insert.Prepare(db, "INSERT OR IGNORE INTO event_ids(event_id, event_row) VALUES (?, ?)");
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "merge event ids", rc, db);
  const auto later = [this](const Run& a, const Run& b) { return LaterRun(frozen_, a, b); };
  for (std::size_t n = 0; n < ids && !runs_.empty(); ++n) {
    std::pop_heap(runs_.begin(), runs_.end(), later);
    Run& run = runs_.back();
    auto& [id, row] = frozen_[run.next];
    // Purged since it was gathered (retention): not merged back in.
    if (auto now = Find(id); now && *now == row) {
      ResetGuard g{insert};
      insert.Text(1, id);
      insert.Int(2, row);
      if (rc = insert.Step(); rc != SQLITE_DONE) {
        return sqlite::StoreError(store_path, "merge event ids", rc, db);
      }
      ids_.Erase(id);  // found in event_ids from here on; a rollback reloads it with Load
    }
    std::string().swap(id);  // its memory back now, not at the merge's end
    if (++run.next == run.end) {
      runs_.pop_back();
    } else {
      std::push_heap(runs_.begin(), runs_.end(), later);
    }
  }
  if (!runs_.empty()) return OkStatus();
  frozen_.clear();
  frozen_.shrink_to_fit();
  phase_ = Phase::kDropping;
  return OkStatus();
}

Status RecentEventIds::Drop(sqlite3* db, const std::string& store_path, std::size_t rows) {
  // In row order, `rows` rows a step, so each step deletes from a few adjacent pages. Until then
  // the rows are in both tables, which Load and the next merge take as they find them.
  Stmt range;
  int rc = PrepareRange(range, db,
                        "SELECT max(event_row), count(*) FROM (SELECT event_row FROM "
                        "event_ids_recent WHERE event_row > ? AND event_row <= ? "
                        "ORDER BY event_row LIMIT ?)",
                        done_row_, frozen_hi_, rows);
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "drop merged event ids", rc, db);
  if (rc = range.Step(); rc != SQLITE_ROW) {
    return sqlite::StoreError(store_path, "drop merged event ids", rc, db);
  }
  const int64_t to = range.ColInt(0);
  const auto found = static_cast<std::size_t>(range.ColInt(1));
  if (found > 0) {
    Stmt drop;
    rc = drop.Prepare(db, "DELETE FROM event_ids_recent WHERE event_row > ? AND event_row <= ?");
    if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "drop merged event ids", rc, db);
    drop.Int(1, done_row_);
    drop.Int(2, to);
    if (rc = drop.Step(); rc != SQLITE_DONE) {
      return sqlite::StoreError(store_path, "drop merged event ids", rc, db);
    }
    done_row_ = to;
  }
  if (found < rows) AbandonMerge();  // done: the next one starts from the beginning
  return OkStatus();
}

}  // namespace slussen
