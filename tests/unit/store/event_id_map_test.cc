// The writer's map of recent event ids (store/sqlite/event_id_map.h), against
// std::unordered_map as the model: the same answers through growth, tombstones and the rebuilds
// that give an erased id's bytes back.
#include "store/sqlite/event_id_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <unordered_map>

namespace slussen {
namespace {

std::string Id(uint32_t n) {
  // UUID-shaped, and now and then another length, as senders' ids may be.
  std::string id = "5b1c" + std::to_string(n) + "-4a2f-9c1e-" + std::to_string(n * 2654435761u);
  if (n % 7 == 0) id += "-x";
  return id;
}

void ExpectSame(const EventIdMap& map, const std::unordered_map<std::string, int64_t>& model) {
  ASSERT_EQ(map.size(), model.size());
  std::map<std::string, int64_t> seen;
  map.ForEach([&](std::string_view id, int64_t row) { seen.emplace(std::string(id), row); });
  ASSERT_EQ(seen.size(), model.size());
  for (const auto& [id, row] : model) {
    ASSERT_EQ(map.Find(id), std::optional<int64_t>(row)) << id;
    ASSERT_EQ(seen.at(id), row) << id;
  }
}

TEST(EventIdMap, AnswersAsAHashMapThroughInsertsOverwritesAndErases) {
  EventIdMap map;
  std::unordered_map<std::string, int64_t> model;
  std::mt19937 rng(20261201);
  // Ids drawn from a range that wraps, so that erased ids come back and slots are reused.
  std::uniform_int_distribution<uint32_t> pick(0, 60'000);
  for (int step = 0; step < 400'000; ++step) {
    const std::string id = Id(pick(rng));
    const auto action = rng() % 10;
    if (action < 5) {
      map.Set(id, step);
      model[id] = step;
    } else if (action < 8) {
      EXPECT_EQ(map.Erase(id), model.erase(id) == 1) << id;
    } else {
      const auto it = model.find(id);
      EXPECT_EQ(map.Find(id), it == model.end() ? std::nullopt : std::optional(it->second)) << id;
    }
    if (step % 50'000 == 0) ExpectSame(map, model);
  }
  ExpectSame(map, model);
}

TEST(EventIdMap, EmptiedByAMergeItKeepsAnsweringAndTakesNewIds) {
  EventIdMap map;
  for (uint32_t i = 0; i < 200'000; ++i) map.Set(Id(i), i);
  EXPECT_EQ(map.size(), 200'000u);
  // A merge erases every id it inserted; the writer adds new ones meanwhile.
  for (uint32_t i = 0; i < 200'000; ++i) {
    ASSERT_TRUE(map.Erase(Id(i)));
    map.Set(Id(1'000'000 + i), i);
  }
  EXPECT_EQ(map.size(), 200'000u);
  EXPECT_FALSE(map.Find(Id(5)));
  EXPECT_FALSE(map.Erase(Id(5)));
  EXPECT_EQ(map.Find(Id(1'000'005)), std::optional<int64_t>(5));
  map.Clear();
  EXPECT_TRUE(map.empty());
  EXPECT_FALSE(map.Find(Id(1'000'005)));
  map.Set("", 7);  // not an id ingest lets through, but nothing here depends on that
  EXPECT_EQ(map.Find(""), std::optional<int64_t>(7));
}

}  // namespace
}  // namespace slussen
