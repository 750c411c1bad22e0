// The durable write path (hub/DESIGN.md "Durable write path"): the journal file on its own
// (torn, damaged and reused files), the write batch's encoding, and SqliteStore's recovery after
// a process that died with its database behind its journal. The dying process is a forked child
// that opens the store itself and is killed with SIGKILL mid-way: nothing of it is flushed or
// closed, exactly as after kill -9.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "store/journal/batch_codec.h"
#include "store/sqlite/sqlite_journal.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_store_reader.h"
#include "testing/faulty_vfs.h"
#include "testing/files.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"
#include "unit/store/store_test_event.h"

namespace slussen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadAll(const std::string& path) { return slussen::testing::ReadFile(path); }

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<int64_t> Batches(const std::vector<JournalFile::Record>& records) {
  std::vector<int64_t> out;
  for (const auto& r : records) out.push_back(r.batch);
  return out;
}

class JournalFileTest : public ::testing::Test {
 protected:
  std::vector<JournalFile::Record> Reopen() {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    EXPECT_TRUE(file) << file.error();
    return records;
  }
  slussen::testing::TempDir dir_{"slussen-journal"};
  std::string path_ = dir_.File("store.journal");
};

TEST_F(JournalFileTest, RecordsComeBackInOrderWithTheirPayloads) {
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file) << file.error();
    EXPECT_THAT(records, IsEmpty());
    ASSERT_TRUE((*file)->Append(7, "seven"));
    ASSERT_TRUE((*file)->Append(8, std::string(5000, 'x')));
    ASSERT_TRUE((*file)->Append(9, ""));
    // Larger than the VFS writes in one call (a recovery's batch of marks and cases).
    ASSERT_TRUE((*file)->Append(10, std::string(3 * 131072 + 5, 'y')));
  }
  const auto records = Reopen();
  EXPECT_THAT(Batches(records), ElementsAre(7, 8, 9, 10));
  EXPECT_EQ(records.at(0).payload, "seven");
  EXPECT_EQ(records.at(1).payload, std::string(5000, 'x'));
  EXPECT_EQ(records.at(2).payload, "");
  EXPECT_EQ(records.at(3).payload, std::string(3 * 131072 + 5, 'y'));
}

// A crash mid-append leaves the last record cut short: the read ends before it.
TEST_F(JournalFileTest, ATornLastRecordEndsTheRun) {
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    ASSERT_TRUE((*file)->Append(1, "one"));
    ASSERT_TRUE((*file)->Append(2, "two two two"));
  }
  // The records without the zeroed header written after the last one (the next one's padding
  // marker): cutting that alone cuts no record.
  const std::string whole = ReadAll(path_).substr(
      0, JournalFile::Encode(1, "one").size() + JournalFile::Encode(2, "two two two").size());
  for (std::size_t cut = 1; cut < JournalFile::Encode(2, "two two two").size(); ++cut) {
    WriteAll(path_, whole.substr(0, whole.size() - cut));
    EXPECT_THAT(Batches(Reopen()), ElementsAre(1)) << "cut " << cut;
  }
}

// A damaged byte anywhere in a record fails its checksum: the run ends before it.
TEST_F(JournalFileTest, ADamagedRecordEndsTheRun) {
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE((*file)->Append(i, "payload " + std::to_string(i)));
  }
  const std::string whole = ReadAll(path_);
  const std::size_t first = JournalFile::Encode(1, "payload 1").size();
  const std::size_t second = JournalFile::Encode(2, "payload 2").size();
  for (std::size_t at = first; at < first + second; ++at) {
    std::string damaged = whole;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x40);
    WriteAll(path_, damaged);
    EXPECT_THAT(Batches(Reopen()), ElementsAre(1)) << "byte " << at;
  }
}

// A rewound file is written from its start again; what it still holds of the older run
// beyond the new records does not follow them and is not read.
TEST_F(JournalFileTest, ARewoundFileReadsOnlyItsNewRun) {
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE((*file)->Append(i, std::string(100, 'a')));
    (*file)->Rewind();
    ASSERT_TRUE((*file)->Append(6, std::string(100, 'b')));
    ASSERT_TRUE((*file)->Append(7, std::string(100, 'b')));
  }
  const auto records = Reopen();
  EXPECT_THAT(Batches(records), ElementsAre(6, 7));
  // The same records exactly overwrote batches 1 and 2; batch 3 follows intact but is older.
  // (The file ends with the zeroed header written after the old run's last record.)
  EXPECT_EQ(std::filesystem::file_size(path_),
            5 * JournalFile::Encode(1, std::string(100, 'a')).size() + JournalFile::kHeaderBytes);
}

// Records are durable once a Sync follows their Write: a Sync that fails spoils every record
// written since the last one that went through, so a restart does not replay what was never
// acknowledged; the ones synced before stay.
TEST_F(JournalFileTest, ASyncThatFailsSpoilsTheRecordsWrittenSinceTheLastOne) {
  {
    slussen::testing::FaultyVfs vfs;
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    ASSERT_TRUE((*file)->Write(1, std::string(100, 'a')));
    ASSERT_TRUE((*file)->Write(2, std::string(5000, 'b')));
    const uint64_t syncs = vfs.syncs();
    ASSERT_TRUE((*file)->Sync());
    EXPECT_EQ(vfs.syncs(), syncs + 1) << "one sync for the records written together";
    ASSERT_TRUE((*file)->Sync()) << "nothing to sync";
    EXPECT_EQ(vfs.syncs(), syncs + 1);
    ASSERT_TRUE((*file)->Write(3, std::string(3000, 'c')));
    ASSERT_TRUE((*file)->Write(4, "four"));
    vfs.FailSyncs(true);
    auto synced = (*file)->Sync();
    ASSERT_FALSE(synced);
    EXPECT_EQ(synced.code(), ErrorCode::kDataLoss);
  }
  EXPECT_THAT(Batches(Reopen()), ElementsAre(1, 2));
}

// A reserved file is zeros up to its size: it reads as empty, appends overwrite it without
// growing it, and a reserve below the size cuts the file (what lies beyond is not needed).
TEST_F(JournalFileTest, AReservedFileReadsAsEmptyAndDoesNotGrowWhenWritten) {
  constexpr uint64_t kReserved = 256 * 1024;
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    ASSERT_TRUE((*file)->Append(1, "stale"));
    ASSERT_TRUE((*file)->Reserve(kReserved));  // rewinds: "stale" is overwritten next
    EXPECT_EQ(std::filesystem::file_size(path_), kReserved);
    EXPECT_EQ((*file)->written(), 0u);
  }
  // What the file held stays readable (a store reserves only once its records are in the
  // database, and a replay skips those); the reserve only adds zeros after it.
  EXPECT_THAT(Batches(Reopen()), ElementsAre(1));
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    ASSERT_TRUE((*file)->Reserve(kReserved));
    for (int i = 7; i <= 9; ++i) ASSERT_TRUE((*file)->Append(i, std::string(10'000, 'r')));
  }
  EXPECT_EQ(std::filesystem::file_size(path_), kReserved);
  EXPECT_THAT(Batches(Reopen()), ElementsAre(7, 8, 9));
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    ASSERT_TRUE((*file)->Reserve(4096));
  }
  EXPECT_EQ(std::filesystem::file_size(path_), 4096u);
  // A record cut short by the end of the file and one cut short by zeros end the run alike.
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    ASSERT_TRUE((*file)->Reserve(kReserved));
    ASSERT_TRUE((*file)->Append(1, "one"));
    ASSERT_TRUE((*file)->Append(2, std::string(500, 't')));
  }
  std::string bytes = ReadAll(path_);
  const std::size_t second = JournalFile::Encode(1, "one").size();
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(second + 100),
            bytes.begin() + static_cast<std::ptrdiff_t>(second + 516), '\0');
  WriteAll(path_, bytes);
  EXPECT_THAT(Batches(Reopen()), ElementsAre(1));
}

// A record that would cross a 4 KB block it could fit in starts at the next block, after zeros
// written over whatever the reused file held there; a reader skips the zeros. A record already
// longer than a block is padded only if that saves a block.
TEST_F(JournalFileTest, ARecordThatWouldCrossABlockStartsAtTheNextOne) {
  constexpr uint64_t kBlock = JournalFile::kBlockBytes;
  const std::string payload(1300, 'p');
  const uint64_t size = JournalFile::Encode(1, payload).size();
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    // An older run of other sizes, so the gaps of the next one hold its bytes, not zeros.
    for (int i = 1; i <= 40; ++i) ASSERT_TRUE((*file)->Append(i, std::string(777, 'o')));
    (*file)->Rewind();
    uint64_t padded = 0;
    for (int i = 41; i <= 80; ++i) {
      const uint64_t before = (*file)->written();
      ASSERT_TRUE((*file)->Append(i, payload));
      const uint64_t end = (*file)->written();
      EXPECT_EQ((end - size) / kBlock, (end - 1) / kBlock) << "batch " << i << " crosses a block";
      if (end - size != before) ++padded;
    }
    EXPECT_GT(padded, 5u);
    // Longer than a block: 5,016 bytes at 1,316 touch two blocks wherever they start after it.
    const uint64_t before = (*file)->written();
    ASSERT_TRUE((*file)->Append(81, std::string(5000, 'l')));
    EXPECT_EQ((*file)->written(), before + JournalFile::Encode(81, std::string(5000, 'l')).size());
  }
  const auto records = Reopen();
  ASSERT_EQ(records.size(), 41u);
  EXPECT_EQ(records.front().batch, 41);
  EXPECT_EQ(records.back().batch, 81);
  for (std::size_t i = 0; i + 1 < records.size(); ++i) EXPECT_EQ(records[i].payload, payload);
}

// Padding is not a place to hide a damaged or torn record: a non-zero byte in it, or a record
// after it cut short, ends the run there.
TEST_F(JournalFileTest, DamageInThePaddingOrAfterItEndsTheRun) {
  const std::string payload(1300, 'p');
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(path_, &records);
    ASSERT_TRUE(file);
    for (int i = 1; i <= 4; ++i) ASSERT_TRUE((*file)->Append(i, payload));
  }
  // Records 1-3 at 0, 1316, 2632 (a zeroed header after each); record 4 at 4096, and the zeroed
  // header after record 3 marks the gap.
  const std::string whole = ReadAll(path_);
  ASSERT_EQ(whole.size(), 4096u + 1316u + JournalFile::kHeaderBytes);
  EXPECT_THAT(Batches(Reopen()), ElementsAre(1, 2, 3, 4));
  std::string damaged = whole;
  damaged[3948 + 5] = 'x';  // in the zeroed header the reader looks at
  WriteAll(path_, damaged);
  EXPECT_THAT(Batches(Reopen()), ElementsAre(1, 2, 3));
  WriteAll(path_, whole.substr(0, whole.size() - JournalFile::kHeaderBytes - 10));
  EXPECT_THAT(Batches(Reopen()), ElementsAre(1, 2, 3));
}

// ---- The write batch's encoding -------------------------------------------------------------

// Every field of every record set to something other than its default.
WriteBatch FullBatch() {
  WriteBatch b;
  b.events.push_back({"e1", "Inskrivningsmeddelande", "SE1/VT-1", "SE2321000131-sjh", 1, -5,
                      1'760'000'000'000'001, std::string("body\0with nul", 13), {"a", "b"},
                      {0, 1'760'000'000'000'009}, "pk-1"});
  b.dead_letters.push_back({7, "events", "e2", "r1\nr2", "SE2321000131-x", "patient", "\xff\x01", true});
  b.delivered.push_back({42, 1'760'000'000'000'042});
  FailedAttempt f;
  f.seq = 43; f.attempt = 2; f.at_us = 3; f.outcome = "rejected"; f.condition = "c";
  f.description = "d"; f.next_attempt_at_us = 4; f.dead = true; f.reason = "why";
  f.destination = "kommun-1380"; f.event_id = "e3"; f.case_id = "SE1/VT-3";
  f.fallback_to = "letter"; f.fallback_cause = "cause"; f.withdraws_delivery = true;
  b.failed_attempts.push_back(f);
  b.receipts.push_back({"e4", "kommun-1380", 5, "r4"});
  b.receipt_timeouts.push_back({44, "kommun-1381", 6, 7, "e5", "SE1/VT-5", "letter", "late"});
  b.actions.push_back({"reroute", 8, "letter", 45, "e6", "SE1/VT-6", "op", "because"});
  CaseUpdate c;
  c.record = {"SE1/VT-7", "1380", "admitted", 9, true, true, 3, 4200, "n1\nn2", 10, "1381", "gult"};
  c.deadlines.push_back({"d1", "rule", 11, "met", 12});
  c.deadlines.push_back({"d2", "rule2", 0, "pending", 0});
  b.cases.push_back(c);
  b.audit.push_back({13, 14, "receiver", "kommun-1380", "Halmstad", "delivered", "SE1/VT-7", "pk",
                     "Inskrivningsmeddelande", "e1", "prev", "hash"});
  b.audit_sealed.push_back({15, 16, "operator", "op", "", "read", "SE1/VT-8", "pk2", "case", "",
                            "p2", "h2"});
  b.purge.cases = {"SE1/VT-9"};
  b.purge.dead_letters = {17, 18};
  b.purge.audit_through = AuditHead{19, "h19"};
  b.purge.first_audit_seq = 20;
  return b;
}

TEST(BatchCodecTest, EveryFieldComesBack) {
  const WriteBatch b = FullBatch();
  const std::string bytes = EncodeBatch(b);
  auto back = DecodeBatch(bytes);
  ASSERT_TRUE(back) << back.error();
  // Encoding is a function of every field: equal bytes, equal batches.
  EXPECT_EQ(EncodeBatch(*back), bytes);
  EXPECT_EQ(back->events.at(0).body, std::string("body\0with nul", 13));
  EXPECT_EQ(back->events.at(0).occurred_at_us, -5);
  EXPECT_EQ(back->events.at(0).receipt_due_at_us.at(1), 1'760'000'000'000'009);
  EXPECT_EQ(back->events.at(0).patient_key, "pk-1");
  EXPECT_TRUE(back->dead_letters.at(0).body_truncated);
  EXPECT_TRUE(back->failed_attempts.at(0).withdraws_delivery);
  EXPECT_EQ(back->failed_attempts.at(0).fallback_cause, "cause");
  EXPECT_EQ(back->cases.at(0).record.track, "gult");
  EXPECT_EQ(back->cases.at(0).deadlines.at(1).state, "pending");
  EXPECT_EQ(back->audit_sealed.at(0).hash, "h2");
  ASSERT_TRUE(back->purge.audit_through);
  EXPECT_EQ(back->purge.audit_through->hash, "h19");
  EXPECT_EQ(back->purge.first_audit_seq, 20);
  // And each field matters: one changed field changes the bytes.
  WriteBatch changed = b;
  changed.receipt_timeouts.at(0).postpone_to_us = 8;
  EXPECT_NE(EncodeBatch(changed), bytes);
}

TEST(BatchCodecTest, AnythingButAWholeBatchIsCorruption) {
  const std::string bytes = EncodeBatch(FullBatch());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto cut = DecodeBatch(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(cut) << "cut at " << n;
    EXPECT_EQ(cut.code(), ErrorCode::kCorruption);
  }
  auto longer = DecodeBatch(bytes + "x");
  ASSERT_FALSE(longer);
  std::string other_version = bytes;
  other_version[0] = static_cast<char>(kBatchCodecVersion + 1);
  auto unknown = DecodeBatch(other_version);
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error(), HasSubstr("unknown format version"));
  // A count far beyond what is left is refused before anything is allocated for it.
  std::string huge = std::string(1, static_cast<char>(kBatchCodecVersion)) + "\xff\xff\xff\xff\x0f";
  EXPECT_FALSE(DecodeBatch(huge));
}

TEST(BatchCodecTest, HexDigestsTravelAsTheirBytes) {
  const std::string hash(64, 'e');
  const std::string key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  WriteBatch b;
  b.audit.push_back({1, 2, "receiver", "kommun-1380", "Halmstad", "delivered", "SE1/VT-7", key,
                     "Inskrivningsmeddelande", "e1", hash, hash});
  WriteBatch as_text = b;  // the same lengths, but not hex: written as they are
  as_text.audit[0].patient_key = std::string(64, 'X');
  as_text.audit[0].prev_hash = as_text.audit[0].hash = std::string(64, 'E');
  const std::string bytes = EncodeBatch(b);
  // Each 32 bytes shorter, and its length takes one byte instead of two.
  EXPECT_EQ(EncodeBatch(as_text).size() - bytes.size(), 3u * 33);
  auto back = DecodeBatch(bytes);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->audit.at(0).patient_key, key);
  EXPECT_EQ(back->audit.at(0).hash, hash);
  auto text_back = DecodeBatch(EncodeBatch(as_text));
  ASSERT_TRUE(text_back) << text_back.error();
  EXPECT_EQ(text_back->audit.at(0).prev_hash, std::string(64, 'E'));
}

// The encoder writes a digest packed and falls back to text when the decoding finds a digit that
// is not lowercase hex, wherever it is: the bytes written in the attempt are overwritten.
TEST(BatchCodecTest, ADigestThatIsNotHexOnlyAtItsEndTravelsAsText) {
  std::string almost(64, 'a');
  almost.back() = 'g';
  WriteBatch b;
  b.audit.push_back({1, 2, "receiver", "kommun-1380", "Halmstad", "delivered", "SE1/VT-7", almost,
                     "Inskrivningsmeddelande", "e1", "", std::string(63, 'b')});
  b.audit.push_back({2, 3, "receiver", "kommun-1380", "Halmstad", "delivered", "SE1/VT-7",
                     std::string(64, 'c'), "Inskrivningsmeddelande", "e2", almost, "ab"});
  const std::string bytes = EncodeBatch(b);
  auto back = DecodeBatch(bytes);
  ASSERT_TRUE(back) << back.error();
  ASSERT_EQ(back->audit.size(), 2u);
  EXPECT_EQ(back->audit[0].patient_key, almost);
  EXPECT_EQ(back->audit[0].prev_hash, "");
  EXPECT_EQ(back->audit[0].hash, std::string(63, 'b'));
  EXPECT_EQ(back->audit[1].patient_key, std::string(64, 'c'));
  EXPECT_EQ(back->audit[1].prev_hash, almost);
  EXPECT_EQ(back->audit[1].hash, "ab");
  EXPECT_EQ(EncodeBatch(*back), bytes);
}

// A journal left by the build before (version 1, digests as plain strings) is still replayed.
TEST(BatchCodecTest, AVersionOneRecordIsRead) {
  const auto str = [](const std::string& s) { return std::string(1, static_cast<char>(s.size())) + s; };
  std::string v1(1, '\x01');
  v1 += std::string(8, '\0');  // no events, dead letters, marks, attempts, receipts, ..., cases
  v1 += '\x01';                // one audit row
  v1 += '\x06';                // seq 3, zigzag
  v1 += '\x08';                // at_us 4
  v1 += str("receiver") + str("kommun-1380") + str("") + str("delivered") + str("c1") +
        str("abcd") + str("Inskrivningsmeddelande") + str("e1") + str("p") + str("h");
  v1 += '\0';                  // nothing sealed
  v1 += std::string(4, '\0');  // no purge
  auto back = DecodeBatch(v1);
  ASSERT_TRUE(back) << back.error();
  ASSERT_EQ(back->audit.size(), 1u);
  EXPECT_EQ(back->audit[0].seq, 3);
  EXPECT_EQ(back->audit[0].patient_key, "abcd");
  EXPECT_EQ(back->audit[0].prev_hash, "p");
  EXPECT_EQ(back->audit[0].hash, "h");
}

// ---- Recovery --------------------------------------------------------------------------------

WriteBatch Events(const std::vector<std::string>& ids) {
  WriteBatch b;
  for (const auto& id : ids) b.events.push_back(slussen::testing::StoreTestEvent(id, {"A", "B"}));
  return b;
}

// A batch the store refuses (its last event, e1, is stored already), after one or (`large`)
// eight new events: its record is queued only after its rows are applied, so it is never written.
WriteBatch RefusedBatch(bool large) {
  std::vector<std::string> ids;
  const std::size_t n = large ? 8 : 1;
  for (std::size_t i = 0; i < n; ++i) ids.push_back("new" + std::to_string(i));
  ids.push_back("e1");
  return Events(ids);
}

class StoreJournalTest : public ::testing::Test {
 protected:
  // Runs `work` on a store opened in a child process, then kills the child with SIGKILL: no
  // flush, no close, no destructor. The child reports failures through its exit status.
  void InChildThenKill9(const std::function<bool(SqliteStore&)>& work) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto store = SqliteStore::Open(path_, reserve_);
      if (!store || !work(**store)) _exit(3);
      raise(SIGKILL);
      _exit(4);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child failed before it was killed (status " << status << ")";
  }
  std::vector<std::string> Pending(Store& store, const std::string& destination) {
    std::vector<std::string> ids;
    auto items = store.PendingAfter(destination, 0, 1000);
    EXPECT_TRUE(items) << items.error();
    if (items) {
      for (const auto& i : *items) ids.push_back(i.event_id);
    }
    return ids;
  }
  std::vector<int64_t> Seqs(Store& store) {
    std::vector<int64_t> seqs;
    auto items = store.PendingAfter("A", 0, 1000);
    if (items) {
      for (const auto& i : *items) seqs.push_back(i.seq);
    }
    return seqs;
  }
  int64_t ReaderEvents() {
    auto reader = SqliteStoreReader::Open(path_);
    EXPECT_TRUE(reader) << reader.error();
    if (!reader) return -1;
    auto stats = (*reader)->Stats();
    return stats ? stats->events : -1;
  }

  slussen::testing::TempDir dir_{"slussen-store-journal"};
  std::string path_ = dir_.File("hub.db");
  std::string journal_ = SqliteStore::JournalPath(path_);
  uint64_t reserve_ = 0;  // the journal's reserve of the stores InChildThenKill9 opens
};

// Killed with some batches flushed and the last ones only in the journal: the restart replays
// them, every acknowledged batch is there once, with the seqs they first got, and the store
// writes on after them.
TEST_F(StoreJournalTest, AKilledProcessLosesNoWriteThatReturnedOk) {
  InChildThenKill9([](SqliteStore& store) {
    return store.Write(Events({"e1", "e2"})) && store.Flush() && store.Write(Events({"e3"})) &&
           store.Write(Events({"e4"})) && store.unflushed();
  });
  auto reopened = SqliteStore::Open(path_);
  ASSERT_TRUE(reopened) << reopened.error();
  SqliteStore& store = **reopened;
  EXPECT_THAT(Pending(store, "A"), ElementsAre("e1", "e2", "e3", "e4"));
  EXPECT_THAT(Pending(store, "B"), ElementsAre("e1", "e2", "e3", "e4"));
  EXPECT_THAT(Seqs(store), ElementsAre(1, 3, 5, 7));
  EXPECT_EQ(ReaderEvents(), 4) << "replayed batches are committed at open";
  // The depth per destination (outbox_depth) was kept through the replay too.
  auto depth = store.PendingSummary();
  ASSERT_TRUE(depth) << depth.error();
  ASSERT_EQ(depth->size(), 2u);
  EXPECT_EQ(depth->at(0).pending, 4);
  EXPECT_EQ(depth->at(1).pending, 4);
  ASSERT_TRUE(store.Write(Events({"e5"})));
  ASSERT_TRUE(store.Flush());
  EXPECT_THAT(Pending(store, "A"), ElementsAre("e1", "e2", "e3", "e4", "e5"));
}

// A purge of the newest rows, then a new event, killed before the flush: the replay numbers the
// event's rows as the first run did, above the purged seqs (schema v15, outbox_seq_floor).
TEST_F(StoreJournalTest, ARowAfterAPurgeOfTheNewestRowsGetsTheSameSeqAtTheReplay) {
  InChildThenKill9([](SqliteStore& store) {
    WriteBatch purge;
    purge.purge.cases = {"SE2321000131-sjh/VT-e1"};
    return store.Write(Events({"e1"})) && store.Flush() && store.Write(purge) &&
           store.Write(Events({"e2"})) && store.unflushed();
  });
  auto reopened = SqliteStore::Open(path_);
  ASSERT_TRUE(reopened) << reopened.error();
  EXPECT_THAT(Pending(**reopened, "A"), ElementsAre("e2"));
  EXPECT_THAT(Seqs(**reopened), ElementsAre(3)) << "e1 had 1 and 2, and they are not given again";
}

// Killed twice in a row, the second time right after the replay and one more write.
TEST_F(StoreJournalTest, ReplayedAndKilledAgainStillLosesNothing) {
  InChildThenKill9([](SqliteStore& store) { return bool(store.Write(Events({"e1"}))); });
  InChildThenKill9([](SqliteStore& store) { return bool(store.Write(Events({"e2"}))); });
  auto store = SqliteStore::Open(path_);
  ASSERT_TRUE(store) << store.error();
  EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1", "e2"));
}

// A torn last record is a batch whose append never finished: its Write never returned OK, so
// it is not there, and everything before it is.
// The journal is reserved (zeros to its size), so a crash mid-append leaves the record's tail
// as zeros; in a journal that grew past its reserve, the file ends inside the record.
// The build before (schema v15, journal record version 1) killed with a batch only in its
// journal, then started as this build: the store is migrated first, the older record replayed
// into the new schema, and its event delivered with its id.
TEST_F(StoreJournalTest, AnUpgradeAfterACrashReplaysTheOlderBuildsJournal) {
  {
    slussen::testing::StoreReader raw(path_, slussen::testing::StoreReader::Access::kReadWrite);
    for (int i = 0; i < 15; ++i) raw.Exec(SqliteMigrations().at(static_cast<std::size_t>(i)));
    raw.Exec("PRAGMA user_version = 15");
  }
  // Version 1 wrote digests as plain strings; with none in the batch (an event without a
  // patient key, as before v11) its bytes are version 2's but for the version byte.
  std::string v1 = EncodeBatch(Events({"e1"}));
  v1[0] = 1;
  ASSERT_TRUE(DecodeBatch(v1));
  {
    std::vector<JournalFile::Record> records;
    auto file = JournalFile::Open(journal_, &records);
    ASSERT_TRUE(file) << file.error();
    ASSERT_TRUE((*file)->Append(1, v1));
  }
  auto store = SqliteStore::Open(path_);
  ASSERT_TRUE(store) << store.error();
  EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1"));
  EXPECT_THAT(Pending(**store, "B"), ElementsAre("e1"));
  ASSERT_TRUE((*store)->Write(Events({"e2"})));
  EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1", "e2"));
  slussen::testing::StoreReader raw(path_);
  EXPECT_EQ(raw.QueryInt("PRAGMA user_version"), SqliteStore::SchemaVersion());
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM pragma_table_info('outbox') "
                         "WHERE name = 'event_id'"),
            0);
}

TEST_F(StoreJournalTest, ATornLastRecordIsNotReplayed) {
  for (const bool reserved : {true, false}) {
    SCOPED_TRACE(reserved ? "torn inside the reserved file" : "the file ends inside it");
    std::filesystem::remove_all(dir_.path());
    std::filesystem::create_directories(dir_.path());
    reserve_ = reserved ? 1u << 20 : 0;
    InChildThenKill9([](SqliteStore& store) {
      return store.Write(Events({"e1"})) && store.Write(Events({"e2"})) &&
             store.Write(Events({"e3"}));
    });
    std::vector<JournalFile::Record> records;
    {
      auto file = JournalFile::Open(journal_, &records);
      ASSERT_TRUE(file);
    }
    ASSERT_THAT(Batches(records), ElementsAre(1, 2, 3));
    const std::size_t last = JournalFile::Encode(1, records[0].payload).size() +
                             JournalFile::Encode(2, records[1].payload).size();
    const std::size_t end = last + JournalFile::Encode(3, records[2].payload).size();
    std::string bytes = ReadAll(journal_);
    if (reserved) {
      ASSERT_GT(bytes.size(), end) << "the journal was reserved";
    }
    // From the middle of the last record's payload: its own tail may be zeros already (counts of
    // empty sections), and a record whose every byte reached the disk is whole.
    const std::size_t cut = last + JournalFile::kHeaderBytes + records[2].payload.size() / 2;
    if (reserved) {
      std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(cut),
                bytes.begin() + static_cast<std::ptrdiff_t>(end), '\0');
    } else {
      bytes.resize(cut);
    }
    WriteAll(journal_, bytes);
    auto store = SqliteStore::Open(path_);
    ASSERT_TRUE(store) << store.error();
    EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1", "e2"));
  }
}

// The hub's store reserves its journal at open: 64 MB (the size at which it is reused), or a
// 16th of the store's disk bound if that is less; a journal larger than its reserve is cut back
// to it, and a store opened without a reserve leaves the file as it is.
TEST_F(StoreJournalTest, TheJournalIsReservedAtOpen) {
  EXPECT_EQ(SqliteStore::JournalReserveBytes(0), 64u << 20);
  EXPECT_EQ(SqliteStore::JournalReserveBytes(16u << 20), 1u << 20);
  EXPECT_EQ(SqliteStore::JournalReserveBytes(20ull << 30), 64u << 20);
  {
    auto store = SqliteStore::Open(path_, SqliteStore::JournalReserveBytes(0));
    ASSERT_TRUE(store) << store.error();
    EXPECT_EQ(std::filesystem::file_size(journal_), 64u << 20);
    ASSERT_TRUE((*store)->Write(Events({"e1"})));
    EXPECT_EQ(std::filesystem::file_size(journal_), 64u << 20);
  }
  {
    auto store = SqliteStore::Open(path_, SqliteStore::JournalReserveBytes(16u << 20));
    ASSERT_TRUE(store) << store.error();
    EXPECT_EQ(std::filesystem::file_size(journal_), 1u << 20);
    EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1"));
    ASSERT_TRUE((*store)->Write(Events({"e2"})));
  }
  auto store = SqliteStore::Open(path_);
  ASSERT_TRUE(store) << store.error();
  EXPECT_EQ(std::filesystem::file_size(journal_), 1u << 20);
  EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1", "e2"));
}

// A journal that does not continue where the database ends (acknowledged batches missing) is
// refused, naming both batches, rather than opened without them.
TEST_F(StoreJournalTest, AGapBetweenTheDatabaseAndTheJournalIsRefused) {
  InChildThenKill9([](SqliteStore& store) {
    return store.Write(Events({"e1"})) && store.Write(Events({"e2"})) && store.Write(Events({"e3"}));
  });
  std::vector<JournalFile::Record> records;
  {
    auto file = JournalFile::Open(journal_, &records);
    ASSERT_TRUE(file);
  }
  ASSERT_THAT(Batches(records), ElementsAre(1, 2, 3));
  WriteAll(journal_, JournalFile::Encode(2, records[1].payload) +
                         JournalFile::Encode(3, records[2].payload));
  auto store = SqliteStore::Open(path_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.code(), ErrorCode::kCorruption);
  EXPECT_THAT(store.error(), AllOf(HasSubstr("batch 2"), HasSubstr("ends at batch 0")));
}

// A clean close leaves nothing to replay: the database holds every batch and is synced.
TEST_F(StoreJournalTest, ACleanCloseLeavesTheDatabaseComplete) {
  {
    auto store = SqliteStore::Open(path_);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->Write(Events({"e1"})));
    EXPECT_TRUE((*store)->unflushed());
  }
  EXPECT_EQ(ReaderEvents(), 1);
  // Even without its journal.
  std::filesystem::remove(journal_);
  auto store = SqliteStore::Open(path_);
  ASSERT_TRUE(store);
  EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1"));
}

// What Write made durable is seen by other connections once flushed, and not before.
TEST_F(StoreJournalTest, ReadersSeeWritesOnceFlushed) {
  auto store = SqliteStore::Open(path_);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->Write(Events({"e1"})));
  EXPECT_EQ(ReaderEvents(), 0);
  EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1")) << "the writer's own reads see it";
  ASSERT_TRUE((*store)->Flush());
  EXPECT_FALSE((*store)->unflushed());
  EXPECT_EQ(ReaderEvents(), 1);
}

// A batch the database refuses is neither journaled nor applied; the batches before it in the
// same open transaction stay.
TEST_F(StoreJournalTest, ARefusedBatchLeavesTheOthersOfTheTransaction) {
  for (const bool large : {false, true}) {
    SCOPED_TRACE(large ? "eight new events and a stored one" : "one new event and a stored one");
    std::filesystem::remove(path_);
    std::filesystem::remove(journal_);
    auto store = SqliteStore::Open(path_);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->Write(Events({"e1"})));
    std::vector<JournalFile::Record> records;
    ASSERT_TRUE(JournalFile::Open(journal_, &records));
    ASSERT_EQ(records.size(), 1u);
    const std::string first_payload = records[0].payload;
    auto refused = (*store)->Write(RefusedBatch(large));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
    // What a restart would read is what it read before.
    records.clear();
    ASSERT_TRUE(JournalFile::Open(journal_, &records));
    EXPECT_THAT(Batches(records), ElementsAre(1));
    ASSERT_TRUE((*store)->Write(Events({"e3"})));
    records.clear();
    ASSERT_TRUE(JournalFile::Open(journal_, &records));
    EXPECT_THAT(Batches(records), ElementsAre(1, 2)) << "e3's batch took the refused one's place";
    EXPECT_EQ(records.at(0).payload, first_payload);
    ASSERT_TRUE((*store)->Flush());
    EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1", "e3"));
    store->reset();
    auto reopened = SqliteStore::Open(path_);
    ASSERT_TRUE(reopened);
    EXPECT_THAT(Pending(**reopened, "A"), ElementsAre("e1", "e3"));
  }
}

// The journal ends with the record of a batch the store refused, one whose retraction did not
// reach the disk before the store latched (a journal of a build before 2026-12, which wrote a
// large batch's record while it applied the rows and retracted it if they were refused): the
// replay is refused it again and leaves it out. Anywhere but last, a record that
// cannot be applied stops the open: everything after it was acknowledged.
TEST_F(StoreJournalTest, ARefusedLastRecordIsLeftOutAtTheReplay) {
  for (const bool last : {true, false}) {
    SCOPED_TRACE(last ? "last" : "followed by another");
    std::filesystem::remove(path_);
    std::filesystem::remove(journal_);
    InChildThenKill9([](SqliteStore& store) { return bool(store.Write(Events({"e1"}))); });
    {
      std::vector<JournalFile::Record> records;
      auto file = JournalFile::Open(journal_, &records);
      ASSERT_TRUE(file);
      ASSERT_THAT(Batches(records), ElementsAre(1));
      ASSERT_TRUE((*file)->Append(2, EncodeBatch(RefusedBatch(true))));  // e1 again
      if (!last) {
        ASSERT_TRUE((*file)->Append(3, EncodeBatch(Events({"e3"}))));
      }
    }
    auto reopened = SqliteStore::Open(path_);
    if (!last) {
      ASSERT_FALSE(reopened);
      EXPECT_EQ(reopened.code(), ErrorCode::kCorruption);
      EXPECT_THAT(reopened.error(), HasSubstr("replaying journal batch 2"));
      continue;
    }
    ASSERT_TRUE(reopened) << reopened.error();
    EXPECT_THAT(Pending(**reopened, "A"), ElementsAre("e1"));
    ASSERT_TRUE((*reopened)->Write(Events({"e2"})));
    ASSERT_TRUE((*reopened)->Flush());
    EXPECT_THAT(Pending(**reopened, "A"), ElementsAre("e1", "e2"));
  }
}

// Killed right after a refused batch: the restart does not replay it.
TEST_F(StoreJournalTest, ARefusedBatchIsNotReplayedAfterAKill) {
  for (const bool large : {false, true}) {
    SCOPED_TRACE(large ? "eight new events and a stored one" : "one new event and a stored one");
    std::filesystem::remove(path_);
    std::filesystem::remove(journal_);
    InChildThenKill9([large](SqliteStore& store) {
      return store.Write(Events({"e1"})) && !store.Write(RefusedBatch(large)) && store.unflushed();
    });
    auto reopened = SqliteStore::Open(path_);
    ASSERT_TRUE(reopened) << reopened.error();
    EXPECT_THAT(Pending(**reopened, "A"), ElementsAre("e1"));
    ASSERT_TRUE((*reopened)->Write(Events({"e2"})));
    ASSERT_TRUE((*reopened)->Flush());
    EXPECT_THAT(Pending(**reopened, "A"), ElementsAre("e1", "e2"));
  }
}

// Submit applies a batch at once and returns before its record is synced: the store's own reads
// see it (the duplicate check must), but the dispatcher's read of new outbox rows stops before
// it until it is durable, so nothing of it leaves the hub before it would survive a crash.
// Batches queued meanwhile are synced after it, in order; the listener hears of the syncs on
// the store's thread.
TEST_F(StoreJournalTest, ASubmittedBatchIsNotDeliveredBeforeItIsDurable) {
  slussen::testing::FaultyVfs vfs;
  auto store = SqliteStore::Open(path_);
  ASSERT_TRUE(store);
  std::atomic<int> heard{0};
  (*store)->SetDurableListener([&] { ++heard; });
  ASSERT_TRUE((*store)->Write(Events({"e1"})));
  vfs.HoldJournalSyncs(true);
  auto second = (*store)->Submit(Events({"e2"}));
  ASSERT_TRUE(second) << second.error();
  (*store)->SyncInBackground();
  while (vfs.held_syncs() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto third = (*store)->Submit(Events({"e3"}));
  ASSERT_TRUE(third) << third.error();
  EXPECT_EQ(*third, *second + 1);
  EXPECT_LT((*store)->DurableThrough(), *second);
  EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1"));
  auto stored = (*store)->StoredBodies({"e2", "e3"});
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size(), 2u) << "applied: a duplicate of them is found";
  vfs.HoldJournalSyncs(false);
  ASSERT_TRUE((*store)->Flush()) << "waits for both records";
  EXPECT_GE((*store)->DurableThrough(), *third);
  EXPECT_THAT(Pending(**store, "A"), ElementsAre("e1", "e2", "e3"));
  EXPECT_GE(heard.load(), 1);
  std::vector<JournalFile::Record> records;
  ASSERT_TRUE(JournalFile::Open(journal_, &records));
  EXPECT_THAT(Batches(records), ElementsAre(1, 2, 3));
  (*store)->SetDurableListener({});
}

// Killed while a submitted batch waits for its sync (written, not synced): the restart has every
// batch that was durable; the one that was not may be there or not, as for any crash during a
// sync, and it was not acknowledged: its sender sends it again, and then it is there once.
TEST_F(StoreJournalTest, AKillWhileABatchWaitsForItsSyncLosesNothingDurable) {
  slussen::testing::FaultyVfs vfs;  // the child's copy holds its syncs
  InChildThenKill9([&vfs](SqliteStore& store) {
    if (!store.Write(Events({"e1"}))) return false;
    vfs.HoldJournalSyncs(true);
    if (!store.Submit(Events({"e2"}))) return false;
    store.SyncInBackground();
    while (vfs.held_syncs() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
  });
  auto reopened = SqliteStore::Open(path_);
  ASSERT_TRUE(reopened) << reopened.error();
  auto before = Pending(**reopened, "A");
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(before.front(), "e1");
  if (before.size() == 1) {
    ASSERT_TRUE((*reopened)->Write(Events({"e2"})));  // sent again
  }
  ASSERT_TRUE((*reopened)->Flush());
  EXPECT_THAT(Pending(**reopened, "A"), ElementsAre("e1", "e2"));
}

}  // namespace
}  // namespace slussen
