#pragma once
// A SQLite VFS that writes a commit's write-ahead-log frames with a few large writes instead of
// two per page (hub/DESIGN.md "Store performance": the flush's commit, on the core thread).
//
// SQLite writes each frame as two calls, its 24-byte header and then its page; a flush of 250
// pages was 500 pwrite calls, 0.85 ms of the 2 ms the flush held the core at 1,000 events/s,
// against 0.07 ms for the same bytes in 4 to 16 calls. The VFS keeps a log's writes in a buffer (at
// most kWalBufferBytes, then written out) and writes it out:
//   - with the page of a commit frame (a header whose commit field is set), so that a failure
//     fails the commit as it did without the buffer (SQLite rolls the transaction back);
//   - before anything else is done with the file (a read of the buffered range, a sync, a
//     truncate, its size, a file control, a write elsewhere, closing it);
//   - before its database's shared-memory barrier (the moment a commit becomes visible to other
//     connections), in case a commit frame was not recognised.
// A failure anywhere but in a frame's own write is kept: SQLite might go on with the transaction
// after it (a failed read fails a statement, not the transaction; a barrier cannot fail; some
// file controls' results are ignored) and commit frames that are not on disk. Every later read,
// write and sync of that log fails with it, through any connection of this process (the
// checkpointer's too), until a restart: the store latches, and the journal has every batch.
// A header written again where it was just read is SQLite rewriting checksums after a commit's
// frames were written (walRewriteChecksums): it goes straight through.
// Writes reach the file in the order SQLite made them (a buffered range overwritten is
// overwritten in the buffer), so what is on disk when the file is next used is what it would be
// without the buffer. Other files (the database, temporary files) pass through unchanged.
#include <cstddef>

namespace slussen::sqlite {

// Written out in one call: at most sqlite::kMaxVfsWriteBytes (wal_write_buffer.cc checks).
inline constexpr std::size_t kWalBufferBytes = 120 * 1024;

// The name of the VFS wrapping the current default VFS with the buffer, to open a connection
// with (sqlite3_open_v2's zVfs). Registered, not as the default, the first time it is asked for
// each default VFS (the fault tests install their own default).
const char* WalWriteBufferVfs();

}  // namespace slussen::sqlite
