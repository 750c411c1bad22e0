#include "store/sqlite/recent_event_ids.h"

#include <sqlite3.h>

#include <algorithm>

#include "store/sqlite/sqlite_util.h"

namespace slussen {

using sqlite::ResetGuard;
using sqlite::Stmt;

Status RecentEventIds::Load(sqlite3* db, const std::string& store_path) {
  ids_.clear();
  highest_row_ = 0;
  AbandonMerge();
  Stmt st;
  int rc = st.Prepare(db, "SELECT event_id, event_row FROM event_ids_recent");
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "read recent event ids", rc, db);
  while ((rc = st.Step()) == SQLITE_ROW) ids_.emplace(st.ColText(0), st.ColInt(1));
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
  return OkStatus();
}

std::optional<int64_t> RecentEventIds::Find(const std::string& event_id) const {
  const auto it = ids_.find(event_id);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

Status RecentEventIds::MergeStep(sqlite3* db, const std::string& store_path,
                                 std::size_t budget) {
  if (!merging()) {
    const auto threshold =
        std::max<std::size_t>(kMergeAt, static_cast<std::size_t>(highest_row_ / kMergeFraction));
    if (ids_.size() < threshold) return OkStatus();
    frozen_.assign(ids_.begin(), ids_.end());
    std::sort(frozen_.begin(), frozen_.end());
    next_ = 0;
    frozen_hi_ = highest_row_;
  }
  Stmt insert;
  // OR IGNORE: a merge that a rollback or a restart cut short is started over, and the ids it
  // had merged are there already. Ids are unique in the store (the duplicate check), so an id
  // found in event_ids is the same event.
  int rc = insert.Prepare(db, "INSERT OR IGNORE INTO event_ids(event_id, event_row) VALUES (?, ?)");
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "merge event ids", rc, db);
  const std::size_t end = std::min(frozen_.size(), next_ + budget);
  for (; next_ < end; ++next_) {
    const auto& [id, row] = frozen_[next_];
    // Purged since the merge began (retention): not merged back in.
    if (auto now = Find(id); !now || *now != row) continue;
    ResetGuard g{insert};
    insert.Text(1, id);
    insert.Int(2, row);
    if (rc = insert.Step(); rc != SQLITE_DONE) {
      return sqlite::StoreError(store_path, "merge event ids", rc, db);
    }
  }
  if (merging()) return OkStatus();
  // All in event_ids: out of the recent ones, in the same transaction as the last slice.
  Stmt drop;
  rc = drop.Prepare(db, "DELETE FROM event_ids_recent WHERE event_row <= ?");
  if (rc != SQLITE_OK) return sqlite::StoreError(store_path, "merge event ids", rc, db);
  drop.Int(1, frozen_hi_);
  if (rc = drop.Step(); rc != SQLITE_DONE) {
    return sqlite::StoreError(store_path, "merge event ids", rc, db);
  }
  for (const auto& [id, row] : frozen_) {
    if (auto now = Find(id); now && *now == row) ids_.erase(id);
  }
  AbandonMerge();
  frozen_.shrink_to_fit();
  return OkStatus();
}

}  // namespace slussen
