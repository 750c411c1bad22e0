#include "store/sqlite/sqlite_journal.h"

#include <sqlite3.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "store/sqlite/sqlite_util.h"

namespace slussen {
namespace {

// A record longer than this is taken for garbage (a length read from a torn header or from
// stale bytes), not allocated: no write batch comes near it.
constexpr uint32_t kMaxPayload = 1u << 30;
// Larger records go in pieces (sqlite::kMaxVfsWriteBytes), and are read so.
constexpr std::size_t kChunk = 64 * 1024;
static_assert(kChunk <= sqlite::kMaxVfsWriteBytes);
constexpr uint64_t kBlock = JournalFile::kBlockBytes;

uint64_t BlocksTouched(uint64_t offset, uint64_t size) {
  return (offset + size - 1) / kBlock - offset / kBlock + 1;
}

// Zeros before a record that starts at the next block instead of where the last one ended: a
// reader that meets a zeroed header inside a block goes on at the next block.
std::size_t PaddingBefore(uint64_t offset, std::size_t record_bytes) {
  const uint64_t next = (offset + kBlock - 1) / kBlock * kBlock;
  if (next - offset < JournalFile::kHeaderBytes) return 0;  // no room for a zeroed header
  if (BlocksTouched(next, record_bytes) >= BlocksTouched(offset, record_bytes)) return 0;
  return static_cast<std::size_t>(next - offset);
}

int ReadChunked(sqlite3_file* file, char* out, std::size_t n, uint64_t offset) {
  int rc = SQLITE_OK;
  for (std::size_t done = 0; rc == SQLITE_OK && done < n; done += kChunk) {
    rc = file->pMethods->xRead(file, out + done, static_cast<int>(std::min(kChunk, n - done)),
                               static_cast<sqlite3_int64>(offset + done));
  }
  return rc;
}

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetLe(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint32_t Crc(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; a record is at most kMaxPayload, far below that.
  crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size()));
  return static_cast<uint32_t>(crc);
}

Error IoError(const std::string& path, const char* what, int rc) {
  return Error{"journal " + path + ": " + what + ": " + sqlite3_errstr(rc) + " (" +
                   std::to_string(rc) + ")",
               ErrorCode::kDataLoss};
}

}  // namespace

std::string JournalFile::Encode(int64_t batch, std::string_view payload) {
  // One copy of the payload: the checksum goes in front once the rest is in place. Room for
  // the zeroed header Append may put after it, which would otherwise copy the record again.
  std::string out;
  out.reserve(2 * kHeaderBytes + payload.size());
  PutU32(out, 0);
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU64(out, static_cast<uint64_t>(batch));
  out.append(payload);
  const uint32_t crc = Crc(std::string_view(out).substr(4));
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return out;
}

Result<std::unique_ptr<JournalFile>> JournalFile::Open(const std::string& path,
                                                       std::vector<Record>* records) {
  sqlite::ConfigureLibrary();
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  if (vfs == nullptr) return Error{"journal " + path + ": no VFS", ErrorCode::kInternal};
  std::unique_ptr<JournalFile> journal(new JournalFile(path));
  // The VFS keeps the name it opened until xClose (the unix VFS syncs the file's directory with
  // it), so it lives in the JournalFile, NUL-padded as SQLite's own file names are.
  std::string& full = journal->full_path_;
  full.assign(static_cast<std::size_t>(vfs->mxPathname) + 4, '\0');
  int rc = vfs->xFullPathname(vfs, path.c_str(), vfs->mxPathname + 1, full.data());
  if (rc != SQLITE_OK) {
    return Error{"journal " + path + ": cannot resolve the path", ErrorCode::kFailedPrecondition};
  }
  journal->storage_ = std::make_unique<char[]>(static_cast<std::size_t>(vfs->szOsFile));
  auto* file = reinterpret_cast<sqlite3_file*>(journal->storage_.get());
  // A main journal to the VFS: the unix VFS syncs the directory with the file's first sync, so
  // that a new journal's name survives a power loss with its records.
  rc = vfs->xOpen(vfs, full.c_str(), file,
                  SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_JOURNAL, nullptr);
  if (rc != SQLITE_OK) {
    return Error{"journal " + path + ": cannot open: " + sqlite3_errstr(rc),
                 ErrorCode::kFailedPrecondition};
  }
  journal->file_ = file;
  sqlite3_int64 size = 0;
  if (rc = file->pMethods->xFileSize(file, &size); rc != SQLITE_OK) {
    return IoError(path, "cannot read its size", rc);
  }
  records->clear();
  uint64_t offset = 0;
  const auto end = static_cast<uint64_t>(size);
  while (offset + kHeaderBytes <= end) {
    unsigned char header[kHeaderBytes];
    if (rc = file->pMethods->xRead(file, header, kHeaderBytes, static_cast<sqlite3_int64>(offset));
        rc != SQLITE_OK) {
      return IoError(path, "cannot read", rc);
    }
    const auto crc = static_cast<uint32_t>(GetLe(header, 4));
    const auto length = static_cast<uint32_t>(GetLe(header + 4, 4));
    const auto batch = static_cast<int64_t>(GetLe(header + 8, 8));
    // Padding (a zeroed header inside a block): the next record starts at the next block. No
    // record has this header, batch numbers start at 1; at a block's start it ends the run.
    if (crc == 0 && length == 0 && batch == 0 && offset % kBlock != 0 && !records->empty()) {
      offset = (offset / kBlock + 1) * kBlock;
      continue;
    }
    if (length > kMaxPayload || offset + kHeaderBytes + length > end) break;  // torn or stale
    if (!records->empty() && batch != records->back().batch + 1) break;  // an older run
    std::string body(kHeaderBytes - 4 + length, '\0');
    std::memcpy(body.data(), header + 4, kHeaderBytes - 4);
    if (length > 0) {
      rc = ReadChunked(file, body.data() + kHeaderBytes - 4, length, offset + kHeaderBytes);
      if (rc != SQLITE_OK) return IoError(path, "cannot read", rc);
    }
    if (Crc(body) != crc) break;
    records->push_back({batch, body.substr(kHeaderBytes - 4)});
    offset += kHeaderBytes + length;
  }
  journal->offset_ = offset;
  return journal;
}

JournalFile::~JournalFile() {
  if (file_ != nullptr) file_->pMethods->xClose(file_);
}

Status JournalFile::Write(int64_t batch, std::string_view payload) {
  if (batch < 1) {
    return Error{"journal " + path_ + ": batch numbers start at 1", ErrorCode::kInvalidArgument};
  }
  // A record that would touch one block more than it needs starts at the next block (a record
  // of ~1.3 KB crosses a block boundary about a third of the time, and then its fdatasync writes
  // two blocks). The zeroed header that marks the gap was written with the record before: zeros
  // written now would dirty the block before, the one the padding saves writing.
  const std::size_t size = kHeaderBytes + payload.size();
  const std::size_t padding = zeroed_header_next_ ? PaddingBefore(offset_, size) : 0;
  const uint64_t start = offset_ + padding;
  const uint64_t end = start + size;
  // The next record's padding marker, if it fits in this record's last block.
  const bool marker = end % kBlock != 0 && end % kBlock + kHeaderBytes <= kBlock;
  std::string record = Encode(batch, payload);
  if (marker) record.append(kHeaderBytes, '\0');
  int rc = SQLITE_OK;
  for (std::size_t done = 0; rc == SQLITE_OK && done < record.size(); done += kChunk) {
    const std::size_t n = std::min(kChunk, record.size() - done);
    rc = file_->pMethods->xWrite(file_, record.data() + done, static_cast<int>(n),
                                 static_cast<sqlite3_int64>(start + done));
  }
  if (rc != SQLITE_OK) {
    unsynced_.push_back(start);  // perhaps partly written: spoiled with the others
    SpoilUnsynced();
    return IoError(path_, "cannot write", rc);
  }
  unsynced_.push_back(start);
  offset_ = end;
  zeroed_header_next_ = marker;
  return OkStatus();
}

Status JournalFile::Sync() {
  if (unsynced_.empty()) return OkStatus();
  if (int rc = file_->pMethods->xSync(file_, SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY);
      rc != SQLITE_OK) {
    // The store refuses these batches, so a restart must not replay them: their checksums are
    // spoiled (best effort, not synced: after a power loss a record is in doubt either way, like
    // any commit whose sync failed, and an inbound event in it was released, not acknowledged).
    SpoilUnsynced();
    return IoError(path_, rc == SQLITE_IOERR_FSYNC ? "fsync failed" : "cannot sync", rc);
  }
  unsynced_.clear();
  return OkStatus();
}

Status JournalFile::Append(int64_t batch, std::string_view payload) {
  if (auto s = Write(batch, payload); !s) return s;
  return Sync();
}

void JournalFile::SpoilUnsynced() {
  const char zeros[4] = {0, 0, 0, 0};
  for (uint64_t start : unsynced_) {
    (void)file_->pMethods->xWrite(file_, zeros, sizeof zeros, static_cast<sqlite3_int64>(start));
  }
  unsynced_.clear();
}

void JournalFile::Rewind() {
  unsynced_.clear();
  offset_ = 0;
  zeroed_header_next_ = false;
}

Status JournalFile::Reserve(uint64_t bytes) {
  Rewind();
  sqlite3_int64 size = 0;
  if (int rc = file_->pMethods->xFileSize(file_, &size); rc != SQLITE_OK) {
    return IoError(path_, "cannot read its size", rc);
  }
  const auto current = static_cast<uint64_t>(size);
  if (current > bytes) {
    // What lies beyond is older records, not needed; the next append's sync records the size.
    if (int rc = file_->pMethods->xTruncate(file_, static_cast<sqlite3_int64>(bytes)); rc != SQLITE_OK) {
      return IoError(path_, "cannot truncate", rc);
    }
    return OkStatus();
  }
  if (current == bytes) return OkStatus();
  // One page per write: Linux caches a larger write in a larger folio, and then a later append
  // of a few hundred bytes dirties (and counts in the process's write_bytes) the whole folio,
  // although writeback sends only the changed blocks to the disk.
  constexpr uint64_t kPage = 4096;
  const std::string zeros(kPage, '\0');
  for (uint64_t at = current; at < bytes; at += kPage) {
    const auto n = static_cast<int>(std::min<uint64_t>(kPage - at % kPage, bytes - at));
    if (int rc = file_->pMethods->xWrite(file_, zeros.data(), n, static_cast<sqlite3_int64>(at));
        rc != SQLITE_OK) {
      return IoError(path_, "cannot reserve its space", rc);
    }
  }
  if (int rc = file_->pMethods->xSync(file_, SQLITE_SYNC_NORMAL); rc != SQLITE_OK) {
    return IoError(path_, "cannot sync its reserved space", rc);
  }
  return OkStatus();
}

Status JournalFile::Truncate() {
  Rewind();
  if (int rc = file_->pMethods->xTruncate(file_, 0); rc != SQLITE_OK) {
    return IoError(path_, "cannot truncate", rc);
  }
  return OkStatus();
}

}  // namespace slussen
