// The SQLite store's part of the disk bound (store.h): its size on disk, what it can give back
// (the write-ahead log; the database file never shrinks), and the full state as `slussen
// --status` reads it from another process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_store_reader.h"
#include "testing/store_writes.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"

namespace slussen {
namespace {

using ::testing::IsEmpty;

EventRecord Event(int n) {
  EventRecord e;
  e.event_id = "e" + std::to_string(n);
  e.kind = "Inskrivningsmeddelande";
  e.case_id = "SE2321000131-sjh/VT-" + std::to_string(n);
  e.sender_hsa_id = "SE2321000131-sjh";
  e.schema_version = 1;
  e.occurred_at_us = 1'760'000'000'000'000;
  e.received_at_us = 1'760'000'001'000'000;
  e.body = std::string(3000, 'x');
  e.destinations = {"kommun-1380"};
  return e;
}

class StoreDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(path_);
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(*store);
  }
  void Write(int first, int count) {
    for (int n = first; n < first + count; ++n) {
      WriteBatch batch;
      batch.events.push_back(Event(n));
      auto s = slussen::testing::WriteFlushed(*store_, batch);
      ASSERT_TRUE(s) << s.error();
    }
  }
  uint64_t FileSize(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
  }
  uint64_t Db() { return FileSize(path_); }
  uint64_t Journal() { return FileSize(SqliteStore::JournalPath(path_)); }
  uint64_t Wal() { return FileSize(path_ + "-wal"); }
  uint64_t BytesOnDisk() {
    auto bytes = store_->BytesOnDisk();
    EXPECT_TRUE(bytes) << bytes.error();
    return bytes ? *bytes : 0;
  }
  // Asks for space back and waits (bounded: a safety net against a hang, no timing) until the
  // checkpoint thread has run once more.
  void ReclaimAndWait() {
    const uint64_t runs = store_->CheckpointRuns();
    store_->ReclaimSpace();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (store_->CheckpointRuns() == runs && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_GT(store_->CheckpointRuns(), runs) << "no checkpoint ran";
  }
  StoreStats ReaderStats() {
    auto reader = SqliteStoreReader::Open(path_);
    EXPECT_TRUE(reader) << reader.error();
    if (!reader) return {};
    auto stats = (*reader)->Stats();
    EXPECT_TRUE(stats) << stats.error();
    return stats ? *stats : StoreStats{};
  }

  testing::TempDir dir_{"slussen-store-disk"};
  std::string path_ = dir_.File("hub.db");
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(StoreDiskTest, BytesOnDiskAreTheDatabaseItsLogAndItsJournal) {
  const uint64_t before = BytesOnDisk();
  EXPECT_EQ(before, Db() + Wal() + Journal());
  Write(1, 5);
  EXPECT_GT(Wal(), 0u);
  EXPECT_GT(Journal(), 0u);
  EXPECT_EQ(BytesOnDisk(), Db() + Wal() + Journal());
  EXPECT_GT(BytesOnDisk(), before);
  EXPECT_EQ(ReaderStats().bytes_on_disk, Db() + Wal() + Journal());
}

// What shrinks is the log, and only once no reader holds it; the database file keeps its size
// (and grows by the pages the checkpoint copied into it).
TEST_F(StoreDiskTest, ReclaimSpaceTruncatesTheLogOnceNoReaderHoldsIt) {
  Write(1, 5);
  const uint64_t db_before = Db();
  uint64_t wal_held = 0;
  {
    testing::HeldReadTransaction reader(path_);  // what a long report does
    Write(6, 5);
    wal_held = Wal();
    ASSERT_GT(wal_held, 0u);
    ASSERT_NO_FATAL_FAILURE(ReclaimAndWait());
    EXPECT_EQ(Wal(), wal_held) << "the log was truncated under a reader";
  }
  ASSERT_NO_FATAL_FAILURE(ReclaimAndWait());
  EXPECT_EQ(Wal(), 0u);
  EXPECT_GE(Db(), db_before);
  EXPECT_EQ(BytesOnDisk(), Db());
  EXPECT_LT(BytesOnDisk(), db_before + wal_held);
  EXPECT_EQ(ReaderStats().events, 10);
  Write(11, 1);  // the store writes on after the truncation
  EXPECT_EQ(ReaderStats().events, 11);
}

TEST_F(StoreDiskTest, FullStateIsSeenByReadersAndClearedWhenAWriterOpens) {
  EXPECT_THAT(ReaderStats().full_reason, IsEmpty());
  const std::string reason = "store 100 bytes on disk reached max-bytes 90";
  store_->ShowFull(reason);
  EXPECT_EQ(ReaderStats().full_reason, reason);
  store_->ShowFull("");
  EXPECT_THAT(ReaderStats().full_reason, IsEmpty());

  // A hub that stopped while full: the next one measures the store anew.
  store_->ShowFull(reason);
  store_.reset();
  EXPECT_EQ(ReaderStats().full_reason, reason);
  auto reopened = SqliteStore::Open(path_);
  ASSERT_TRUE(reopened) << reopened.error();
  EXPECT_THAT(ReaderStats().full_reason, IsEmpty());
}

}  // namespace
}  // namespace slussen
