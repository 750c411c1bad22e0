// The write-ahead log's write buffer (store/sqlite/wal_write_buffer.h): a commit's frames reach
// the file in a few writes, before other connections can see the commit, and what is on disk
// is what SQLite wrote, checksums and all, whatever path the commit took.
#include "store/sqlite/wal_write_buffer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_util.h"
#include "testing/faulty_vfs.h"
#include "testing/temp_dir.h"

namespace slussen::sqlite {
namespace {

class WalWriteBufferTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.path() + "/t.db"; }
  void TearDown() override {
    if (writer_ != nullptr) sqlite3_close(writer_);
  }

  // The store's way in: a connection through the buffer, in WAL mode without syncs.
  void OpenWriter(const char* extra = "") {
    auto db = OpenConnection(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db) << db.error();
    writer_ = *db;
    Exec(writer_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; "
                  "CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, v BLOB); "
                  "CREATE INDEX IF NOT EXISTS t_v ON t(v);");
    Exec(writer_, extra);
  }
  static int Exec(sqlite3* db, const std::string& sql) {
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }
  // Rows and bytes of t as a connection without the buffer, the default VFS's own, sees them.
  static std::string Contents(const std::string& path) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    std::string out = "error";
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*), total(length(v)) FROM t", -1, &s, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      out = std::to_string(sqlite3_column_int64(s, 0)) + " rows, " +
            std::to_string(static_cast<int64_t>(sqlite3_column_double(s, 1))) + " bytes";
    }
    sqlite3_finalize(s);
    sqlite3_stmt* check = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr) == SQLITE_OK &&
        sqlite3_step(check) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
      if (std::string(text ? text : "") != "ok") out += " (integrity: " + std::string(text) + ")";
    }
    sqlite3_finalize(check);
    sqlite3_close(db);
    return out;
  }
  // The database and its log copied without the shared memory, as a crash leaves them: opening
  // the copy recovers the log from the file, frame by frame, checking every frame's checksum.
  std::string RecoveredContents() {
    const std::string copy = dir_.path() + "/copy.db";
    std::filesystem::remove(copy);
    std::filesystem::remove(copy + "-wal");
    std::filesystem::remove(copy + "-shm");
    std::filesystem::copy_file(path_, copy);
    std::filesystem::copy_file(path_ + "-wal", copy + "-wal");
    return Contents(copy);
  }
  static std::string Insert(int from, int rows, int bytes) {
    return "WITH RECURSIVE s(k) AS (SELECT " + std::to_string(from) +
           " UNION ALL SELECT k + 1 FROM s WHERE k < " + std::to_string(from + rows - 1) +
           ") INSERT INTO t SELECT k, randomblob(" + std::to_string(bytes) + ") FROM s";
  }

  slussen::testing::FaultyVfs vfs_;  // the default VFS, which the buffer wraps
  slussen::testing::TempDir dir_;
  std::string path_;
  sqlite3* writer_ = nullptr;
};

std::string Rows(int rows, int bytes_each) {
  return std::to_string(rows) + " rows, " + std::to_string(rows * bytes_each) + " bytes";
}

TEST_F(WalWriteBufferTest, ACommitIsWrittenInAFewWritesAndOthersSeeIt) {
  OpenWriter();
  ASSERT_EQ(Exec(writer_, Insert(1, 10, 100)), SQLITE_OK);
  const uint64_t before = vfs_.log_writes();
  const auto log_bytes = std::filesystem::file_size(path_ + "-wal");
  // 300 rows of 3,000 bytes in one commit: two writes per page without the buffer (a header
  // and the page), with it one per kWalBufferBytes.
  ASSERT_EQ(Exec(writer_, "BEGIN; " + Insert(11, 300, 3000) + "; COMMIT;"), SQLITE_OK);
  const uint64_t writes = vfs_.log_writes() - before;
  const auto frames = (std::filesystem::file_size(path_ + "-wal") - log_bytes) / (24 + 4096);
  EXPECT_GT(frames, 300u);
  EXPECT_GT(writes, 0u);
  EXPECT_LE(writes, frames * (24 + 4096) / kWalBufferBytes + 2)
      << writes << " writes for " << frames << " frames";
  EXPECT_EQ(Contents(path_), "310 rows, 901000 bytes");
  EXPECT_EQ(RecoveredContents(), "310 rows, 901000 bytes");
}

TEST_F(WalWriteBufferTest, AFailedWriteFailsTheCommitAndTheNextOneWorks) {
  OpenWriter();
  ASSERT_EQ(Exec(writer_, Insert(1, 10, 100)), SQLITE_OK);
  vfs_.FailLogWrites(true);
  const int rc = Exec(writer_, "BEGIN; " + Insert(11, 20, 500) + "; COMMIT;");
  vfs_.FailLogWrites(false);
  EXPECT_EQ(rc, SQLITE_IOERR_WRITE) << sqlite3_errstr(rc);
  Exec(writer_, "ROLLBACK");
  EXPECT_EQ(Contents(path_), Rows(10, 100));
  ASSERT_EQ(Exec(writer_, Insert(11, 20, 500)), SQLITE_OK);
  EXPECT_EQ(Contents(path_), "30 rows, 11000 bytes");
  EXPECT_EQ(RecoveredContents(), "30 rows, 11000 bytes");
}

// A cache of a few pages: the transaction writes frames before its commit (a spill), writes
// pages it spilled again in place, and at the commit SQLite reads the frames back to rewrite
// their checksums. A copy recovered from the file holds the whole commit only if those
// rewritten checksums are on disk.
TEST_F(WalWriteBufferTest, ASpilledTransactionCommitsWithItsChecksumsOnDisk) {
  OpenWriter("PRAGMA cache_size=8; PRAGMA cache_spill=1;");
  ASSERT_EQ(Exec(writer_, Insert(1, 10, 100)), SQLITE_OK);
  ASSERT_EQ(Exec(writer_, "BEGIN; " + Insert(11, 400, 700) + "; UPDATE t SET v = zeroblob(100) "
                          "WHERE k % 7 = 0; COMMIT;"),
            SQLITE_OK);
  // 58 rows (k = 7, 14, ... 406) are now 100 bytes long.
  const std::string expected = "410 rows, " + std::to_string(10 * 100 + 400 * 700 - 57 * 600) +
                               " bytes";
  EXPECT_EQ(Contents(path_), expected);
  EXPECT_EQ(RecoveredContents(), expected);
}

TEST_F(WalWriteBufferTest, ASpilledTransactionRolledBackLeavesNothing) {
  OpenWriter("PRAGMA cache_size=8;");
  ASSERT_EQ(Exec(writer_, Insert(1, 10, 100)), SQLITE_OK);
  ASSERT_EQ(Exec(writer_, "BEGIN; " + Insert(11, 400, 700) + ";"), SQLITE_OK);
  ASSERT_EQ(Exec(writer_, "ROLLBACK"), SQLITE_OK);
  EXPECT_EQ(Contents(path_), Rows(10, 100));
  ASSERT_EQ(Exec(writer_, Insert(11, 5, 100)), SQLITE_OK);
  EXPECT_EQ(Contents(path_), Rows(15, 100));
  EXPECT_EQ(RecoveredContents(), Rows(15, 100));
}

// A connection's files as SQLite would open them through the buffer's VFS: the database and its
// log, under names from one allocation (sqlite3_create_filename), which is how the log finds its
// database. Driven directly, to reach what SQLite itself never does.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path)
      : vfs_(sqlite3_vfs_find(WalWriteBufferVfs())),
        name_(sqlite3_create_filename(path.c_str(), "", (path + "-wal").c_str(), 0, nullptr)),
        // Zeroed: a file that was not opened has no methods to close it with.
        database_(std::make_unique<char[]>(static_cast<std::size_t>(vfs_->szOsFile))),
        log_(std::make_unique<char[]>(static_cast<std::size_t>(vfs_->szOsFile))) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    opened_ = vfs_->xOpen(vfs_, name_, db(), flags | SQLITE_OPEN_MAIN_DB, nullptr) == SQLITE_OK &&
              vfs_->xOpen(vfs_, sqlite3_filename_wal(name_), log(), flags | SQLITE_OPEN_WAL,
                          nullptr) == SQLITE_OK;
  }
  ~RawConnection() {
    if (log()->pMethods != nullptr) log()->pMethods->xClose(log());
    if (db()->pMethods != nullptr) db()->pMethods->xClose(db());
    sqlite3_free_filename(name_);
  }
  bool opened() const { return opened_; }
  sqlite3_file* db() { return reinterpret_cast<sqlite3_file*>(database_.get()); }
  sqlite3_file* log() { return reinterpret_cast<sqlite3_file*>(log_.get()); }
  int Write(const char* data, int n, int64_t at) {
    return log()->pMethods->xWrite(log(), data, n, at);
  }
  int Read(char* out, int n, int64_t at) { return log()->pMethods->xRead(log(), out, n, at); }
  void Barrier() { db()->pMethods->xShmBarrier(db()); }

 private:
  sqlite3_vfs* vfs_;
  sqlite3_filename name_;
  std::unique_ptr<char[]> database_;
  std::unique_ptr<char[]> log_;
  bool opened_ = false;
};

// A frame SQLite has not committed: a header whose commit field is zero, and its page.
struct UncommittedFrame {
  char bytes[24 + 512];
  UncommittedFrame() {
    for (std::size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<char>(i);
    bytes[4] = bytes[5] = bytes[6] = bytes[7] = 0;
  }
};

// The barrier: a frame still buffered when its database publishes a commit (SQLite's frames
// are always written out before) is written out there.
TEST_F(WalWriteBufferTest, TheBarrierWritesOutWhatIsBuffered) {
  RawConnection c(path_);
  ASSERT_TRUE(c.opened());
  const UncommittedFrame frame;
  ASSERT_EQ(c.Write(frame.bytes, 24, 32), SQLITE_OK);
  ASSERT_EQ(c.Write(frame.bytes + 24, 512, 56), SQLITE_OK);
  EXPECT_EQ(std::filesystem::file_size(path_ + "-wal"), 0u) << "buffered";
  c.Barrier();
  EXPECT_EQ(std::filesystem::file_size(path_ + "-wal"), 32u + sizeof frame.bytes);
  char out[sizeof frame.bytes];
  ASSERT_EQ(c.Read(out, sizeof out, 32), SQLITE_OK);
  EXPECT_EQ(std::string(out, sizeof out), std::string(frame.bytes, sizeof frame.bytes));
}

// If that write fails, every handle on the log fails from then on, another connection's too.
TEST_F(WalWriteBufferTest, AFailureAtTheBarrierFailsTheLogForEveryHandle) {
  RawConnection c(path_);
  RawConnection other(path_);
  ASSERT_TRUE(c.opened() && other.opened());
  const UncommittedFrame frame;
  const uint64_t before = vfs_.log_writes();
  ASSERT_EQ(c.Write(frame.bytes, 24, 32), SQLITE_OK);
  ASSERT_EQ(c.Write(frame.bytes + 24, 512, 56), SQLITE_OK);
  EXPECT_EQ(vfs_.log_writes(), before) << "buffered";
  vfs_.FailLogWrites(true);
  c.Barrier();
  vfs_.FailLogWrites(false);
  char out[24];
  EXPECT_EQ(c.Read(out, 24, 32), SQLITE_IOERR_WRITE);
  EXPECT_EQ(other.Read(out, 24, 32), SQLITE_IOERR_WRITE);
  EXPECT_EQ(c.Write(frame.bytes, 24, 32), SQLITE_IOERR_WRITE);
  EXPECT_EQ(c.log()->pMethods->xSync(c.log(), SQLITE_SYNC_NORMAL), SQLITE_IOERR_WRITE);
}

// A read of the buffered range writes it out first. If that fails, SQLite fails the statement
// but may go on with the transaction and commit the frames: so that failure is kept too.
TEST_F(WalWriteBufferTest, AFailureBeforeAReadFailsTheLogForEveryHandle) {
  RawConnection c(path_);
  RawConnection other(path_);
  ASSERT_TRUE(c.opened() && other.opened());
  const UncommittedFrame frame;
  ASSERT_EQ(c.Write(frame.bytes, 24, 32), SQLITE_OK);
  ASSERT_EQ(c.Write(frame.bytes + 24, 512, 56), SQLITE_OK);
  char out[24];
  vfs_.FailLogWrites(true);
  EXPECT_EQ(c.Read(out, 24, 1000), SQLITE_IOERR_SHORT_READ) << "beyond the buffer and the file";
  EXPECT_EQ(c.Read(out, 24, 40), SQLITE_IOERR_WRITE);
  vfs_.FailLogWrites(false);
  EXPECT_EQ(c.Write(frame.bytes, 24, 32), SQLITE_IOERR_WRITE);
  EXPECT_EQ(other.Read(out, 24, 32), SQLITE_IOERR_WRITE);
}

}  // namespace
}  // namespace slussen::sqlite
