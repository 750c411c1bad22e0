#pragma once
// The store's journal: one append-only file of records, durable once a Sync after their Write
// returns (Append: one record, written and synced), the durable record of every write batch until the database holding their projection is itself
// durable (hub/DESIGN.md "Durable write path"). Knows nothing of what a record holds.
//
// Record: crc32 (of the rest) u32 | payload length u32 | batch number u64 | payload, integers
// little-endian. Batch numbers are consecutive, from 1. A record that would touch one 4 KB block
// more than it needs (one of ~1.3 KB that crosses a block boundary) starts at the next block
// instead, after zeros: each fdatasync writes the blocks an append touched, so at one event per
// group commit this is a third fewer journal blocks written. A zeroed header inside a block is
// that padding (no record's header is all zeros); a reader goes on at the next block. Each
// record is written with a zeroed header after it when that fits in its last block, so that the
// next one can skip the rest of the block without writing to it again. The file is reused from
// its start once everything in it is durable elsewhere (Rewind), without truncating it: the
// file keeps its size, so an append overwrites blocks already allocated and fdatasync has no
// file-system metadata to write. What a rewound file still holds beyond its new records is older
// batches, which a read tells from new ones by their numbers.
//
// The file is reserved ahead (Reserve): written full of zeros to its working size once, so that
// appends overwrite allocated blocks from the first one on. An append that grows a file also
// changes its size, and then each fdatasync writes the inode as well as the record: one more
// write to the disk per sync (measured here: 9.5 against 5.5 KB and 3.1 against 2.1 writes per
// 1,300-byte append and fdatasync; p50 321 against 242 µs, p99 1,155 against 543 µs). A zeroed
// header ends a read like a stale record does (its checksum does not match).
//
// Reading (Open) walks the records from the start and stops at the first one that is torn (cut
// short by a crash mid-append), fails its checksum, or whose number does not follow the one
// before: the run it returns is every record appended since the last rewind that reached the disk.
//
// I/O goes through SQLite's default VFS, like the database's and its log's: the same error
// handling, the directory synced when the file is created, and the fault tests' VFS
// (testing/faulty_vfs.h) fails its syncs too.
//
// Threading: one user at a time (SqliteStore's appender thread writes and syncs it; the core
// thread rewinds, reserves or truncates it only while nothing is queued, journal_appender.h).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct sqlite3_file;

namespace slussen {

class JournalFile {
 public:
  struct Record {
    int64_t batch = 0;
    std::string payload;
  };

  // Opens (creating if needed) the file at `path` through the default VFS and reads the run of records at its start into
  // `*records`. The next Append writes after that run.
  static Result<std::unique_ptr<JournalFile>> Open(const std::string& path,
                                                   std::vector<Record>* records);
  ~JournalFile();
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;

  // Writes one record after the last one, not durable until Sync returns. An error (kDataLoss)
  // leaves the file's state unknown: the caller must not write again (the store latches). Every
  // record written since the last Sync is spoiled on a best-effort basis, so that a restart does
  // not replay what was never acknowledged.
  Status Write(int64_t batch, std::string_view payload);
  // Makes every record written so far durable (fdatasync). An error (kDataLoss) spoils the
  // records written since the last Sync, as a failed Write does.
  Status Sync();
  // Write, then Sync.
  Status Append(int64_t batch, std::string_view payload);
  // The next Append writes at the start. Only when every record is durable elsewhere.
  void Rewind();
  // Rewinds and gives the file's space back (the disk bound); the next appends grow it again.
  Status Truncate();
  // Sets the file's size to `bytes`: zeros written and synced up to it, or the file cut to it.
  // Only when every record is durable elsewhere (it rewinds). An error leaves the file as it
  // was or longer; appends work either way.
  Status Reserve(uint64_t bytes);
  // Bytes appended since the last rewind.
  uint64_t written() const { return offset_; }
  const std::string& path() const { return path_; }

  // A record's bytes as Append writes them (for tests that tear or damage one).
  static std::string Encode(int64_t batch, std::string_view payload);
  static constexpr std::size_t kHeaderBytes = 16;
  // The file system's block: what an fdatasync writes at least, per block an append touches.
  static constexpr uint64_t kBlockBytes = 4096;

 private:
  explicit JournalFile(std::string path) : path_(std::move(path)) {}
  // Zeroes the checksums of the records written since the last Sync, so that a read ends before
  // them (best effort, not synced). For a failed Write or Sync.
  void SpoilUnsynced();

  std::string full_path_;            // the name the VFS opened; valid until xClose
  std::unique_ptr<char[]> storage_;  // the VFS's file object
  sqlite3_file* file_ = nullptr;     // in storage_, open while not null
  std::string path_;
  uint64_t offset_ = 0;
  // The last Append left a zeroed header at offset_ (in the same block): the next record may
  // start at the next block instead.
  bool zeroed_header_next_ = false;
  // Where each record written since the last Sync begins.
  std::vector<uint64_t> unsynced_;
};

}  // namespace slussen
