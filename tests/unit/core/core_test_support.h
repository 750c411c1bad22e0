#pragma once
// Shared by the core's tests: the core actor end to end below the transport, with a real
// SqliteStore (temporary file) behind a fault-injecting wrapper, a recording CoreOutput and a
// clock the test sets. Core::Drain() makes every step deterministic: it returns once everything
// posted before it is committed, settled and pumped (and every timer due by the clock has run).
#include "core/core.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "wire/event_kind.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/test_envelopes.h"
#include "testing/store_reader.h"
#include "testing/temp_dir.h"
#include "testing/faulty_vfs.h"

namespace slussen::testing {
namespace {  // each test file gets its own copy

using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const system_clock::time_point kNow{seconds(1'760'000'000)};  // 2025-10-09, fixed
const std::string kVcDestination = VardcentralDestination(kTestVardcentral);
constexpr char kKommunDestination[] = "kommun-1380";
constexpr char kInvalidEvent[] = "slussen:invalid-event";
constexpr char kTestAdapter[] = "core-test";
constexpr uint64_t kConn = 1;
constexpr uint64_t kOutConn = 9;
constexpr uint64_t kOutLink = 5;

// ---- Test doubles ----------------------------------------------------------------------------

// A real store that can be told to fail its next StoredBodies / CaseEvents / Write with a
// transient error, as a network database or a busy SQLite file would; a fault in the middle of a
// real write comes from a trigger in the file instead (ArmTrigger below).
inline DeliveryOutcome Outcome(uint64_t link, int64_t seq, DeliveryOutcome::Kind kind) {
  DeliveryOutcome o;
  o.link_id = link;
  o.seq = seq;
  o.kind = kind;
  return o;
}

class FaultyStore final : public Store {
 public:
  explicit FaultyStore(Store& real) : real_(real) {}

  std::atomic<bool> fail_next_stored_bodies{false};
  std::atomic<bool> fail_next_case_events{false};
  std::atomic<bool> fail_next_write{false};
  std::atomic<int> bytes_on_disk_calls{0};
  std::atomic<bool> fail_bytes_on_disk{false};  // every BytesOnDisk fails while set

  Result<std::map<std::string, std::string>> StoredBodies(
      const std::vector<std::string>& event_ids) override {
    if (fail_next_stored_bodies.exchange(false)) {
      return Error{"injected: lookup timed out", ErrorCode::kUnavailable};
    }
    return real_.StoredBodies(event_ids);
  }
  Status Write(const WriteBatch& batch) override {
    if (fail_next_write.exchange(false)) {
      return Error{"injected: database is locked", ErrorCode::kUnavailable};
    }
    return real_.Write(batch);
  }
  // The real store's pipeline (Submit, then durable on its journal thread), unless a failure is
  // injected.
  Result<int64_t> Submit(const WriteBatch& batch) override {
    if (fail_next_write.exchange(false)) {
      return Error{"injected: database is locked", ErrorCode::kUnavailable};
    }
    return real_.Submit(batch);
  }
  int64_t DurableThrough() override { return real_.DurableThrough(); }
  void SetDurableListener(std::function<void()> listener) override {
    real_.SetDurableListener(std::move(listener));
  }
  bool SyncHere() override { return real_.SyncHere(); }
  void SyncInBackground() override { real_.SyncInBackground(); }
  Status Flush() override { return real_.Flush(); }
  bool unflushed() const override { return real_.unflushed(); }
  Result<std::vector<OutboxItem>> PendingAfter(const std::string& destination, int64_t after_seq,
                                               int limit) override {
    return real_.PendingAfter(destination, after_seq, limit);
  }
  Result<std::vector<OutboxItem>> NextPendingOfCase(const std::string& destination,
                                                    const std::string& case_id, int64_t after_seq,
                                                    int64_t up_to_seq) override {
    return real_.NextPendingOfCase(destination, case_id, after_seq, up_to_seq);
  }
  Result<std::vector<ReceiptDue>> DueReceipts(int64_t now_us, int limit) override {
    return real_.DueReceipts(now_us, limit);
  }
  Result<int64_t> NextReceiptDueAt() override { return real_.NextReceiptDueAt(); }
  Result<std::optional<OutboxRowState>> OutboxRow(int64_t seq) override {
    return real_.OutboxRow(seq);
  }
  Result<std::optional<std::string>> CaseOfEvent(const std::string& event_id) override {
    return real_.CaseOfEvent(event_id);
  }
  Result<std::vector<std::string>> PausedDestinations() override {
    return real_.PausedDestinations();
  }
  Result<std::vector<OutboxItem>> PendingBySeq(int64_t seq) override {
    return real_.PendingBySeq(seq);
  }
  Result<std::vector<DestinationPending>> PendingSummary() override {
    return real_.PendingSummary();
  }
  Result<CaseEventRows> CaseEvents(const std::vector<std::string>& case_ids) override {
    if (fail_next_case_events.exchange(false)) {
      return Error{"injected: case read failed", ErrorCode::kUnavailable};
    }
    return real_.CaseEvents(case_ids);
  }
  Result<CaseAcceptanceRows> CaseAcceptances(const std::vector<std::string>& case_ids) override {
    return real_.CaseAcceptances(case_ids);
  }
  Result<std::vector<std::string>> DueCases(int64_t now_us, int limit) override {
    return real_.DueCases(now_us, limit);
  }
  Result<int64_t> NextCaseEvaluationAt() override { return real_.NextCaseEvaluationAt(); }
  Result<uint64_t> BytesOnDisk() override {
    ++bytes_on_disk_calls;
    if (fail_bytes_on_disk) return Error{"injected: cannot stat", ErrorCode::kUnavailable};
    return real_.BytesOnDisk();
  }
  Result<AuditHead> LastAuditRow() override { return real_.LastAuditRow(); }
  Result<std::vector<AuditRecord>> UnsealedAuditRows() override {
    return real_.UnsealedAuditRows();
  }
  Result<std::string> AuditKey(const std::string& made) override { return real_.AuditKey(made); }
  Result<std::map<std::string, std::string>> FirstBodies(
      const std::vector<std::string>& case_ids) override {
    return real_.FirstBodies(case_ids);
  }
  Result<std::vector<OutboxDisclosure>> Disclosures(const std::vector<int64_t>& seqs) override {
    return real_.Disclosures(seqs);
  }
  Result<PurgeWork> RetentionDue(int64_t cases_before_us, int64_t audit_before_us,
                                 int limit) override {
    return real_.RetentionDue(cases_before_us, audit_before_us, limit);
  }
  void ReclaimSpace() override { real_.ReclaimSpace(); }
  void ShowFull(const std::string& reason) override { real_.ShowFull(reason); }
  bool latched() const override { return real_.latched(); }
  std::string latched_reason() const override { return real_.latched_reason(); }

 private:
  Store& real_;
};

struct Settled {
  uint64_t conn_id = 0;
  uint64_t token = 0;
  Settlement settlement;
};

struct Delivered {
  uint64_t conn_id = 0;
  uint64_t link_id = 0;
  std::vector<OutboxItem> items;
};

// Records what the core tells the transport; called from the core thread.
class RecordingOutput final : public CoreOutput {
 public:
  void Recorded(uint64_t conn_id, uint64_t link_id, std::vector<int64_t> seqs) override {
    std::lock_guard lock(mu_);
    for (int64_t seq : seqs) recorded_.push_back({conn_id, link_id, seq});
  }
  struct RecordedSeq {
    uint64_t conn_id;
    uint64_t link_id;
    int64_t seq;
  };
  std::vector<RecordedSeq> recorded() const {
    std::lock_guard lock(mu_);
    return recorded_;
  }

 private:
  std::vector<RecordedSeq> recorded_;

 public:
  void Settle(uint64_t conn_id, uint64_t token, Settlement settlement) override {
    {
      std::lock_guard lock(mu_);
      settles_.push_back({conn_id, token, std::move(settlement)});
    }
    cv_.notify_all();
  }
  void Deliver(uint64_t conn_id, uint64_t link_id, std::vector<OutboxItem> items) override {
    {
      std::lock_guard lock(mu_);
      delivers_.push_back({conn_id, link_id, std::move(items)});
    }
    cv_.notify_all();
  }

  // Waits (bounded, as a safety net against a hang) until at least n deliveries were handed out.
  bool WaitForDelivers(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, seconds(60), [&] { return delivers_.size() >= n; });
  }
  // Waits (bounded, as a safety net against a hang) until at least n settlements were recorded.
  bool WaitForSettles(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, seconds(60), [&] { return settles_.size() >= n; });
  }
  std::vector<Settled> settles() const {
    std::lock_guard lock(mu_);
    return settles_;
  }
  std::vector<Delivered> delivers() const {
    std::lock_guard lock(mu_);
    return delivers_;
  }
  // The one settlement of `token`; fails the test if there is not exactly one.
  Settled SettleOf(uint64_t token) const {
    std::lock_guard lock(mu_);
    std::vector<Settled> found;
    for (const auto& s : settles_) {
      if (s.token == token) found.push_back(s);
    }
    EXPECT_EQ(found.size(), 1u) << "settlements of token " << token;
    return found.empty() ? Settled{} : found.front();
  }
  // Every delivered item's event id, in delivery order.
  std::vector<std::string> DeliveredEventIds() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> ids;
    for (const auto& d : delivers_) {
      for (const auto& item : d.items) ids.push_back(item.event_id);
    }
    return ids;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Settled> settles_;
  std::vector<Delivered> delivers_;
};

// Read-only SQL on the store file through its own connection.
std::vector<std::vector<std::string>> Query(const std::string& path, const std::string& sql) {
  return StoreReader(path).QueryRows(sql);
}

// SQL that changes the store file, through its own connection.
[[maybe_unused]] void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
  } else {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << (err ? err : "error") << " in: " << sql;
    }
    sqlite3_free(err);
  }
  sqlite3_close(db);
}

// ---- Inputs ----------------------------------------------------------------------------------

Config TestConfig() {
  Config c;
  c.hub_name = "test";
  c.max_message_bytes = 4096;
  c.clock_skew = seconds(300);
  for (const char* kod : {"1315", "1380", "1381", "1382", "1383", "1384"}) {
    c.kommuner.push_back({kod, "", std::string("kommun-") + kod});
  }
  c.vardcentraler.push_back({kTestVardcentral, "Vårdcentralen Test", kVcDestination});
  c.destinations.push_back({"ehr-halland", "Region Hallands journal"});
  c.senders.push_back({kTestHospital, "Sjukhuset", {EventKind::kInskrivningsmeddelande}});
  c.senders.push_back({kTestKommunSender, "Kommunens omsorg", {EventKind::kReceipt}});
  c.routes = {
      {EventKind::kInskrivningsmeddelande, true, true, {}},
      {EventKind::kReceipt, false, false, {}},
  };
  // The connection's adapter (Inbound() binds every message to it): entitled to every kind under
  // every sender, so that what a sender may send is decided by the sender table alone (tests
  // widen it).
  AdapterConfig adapter;
  adapter.name = kTestAdapter;
  for (const auto& sender : c.senders) {
    adapter.sends[sender.hsa_id].insert(AllEventKinds().begin(), AllEventKinds().end());
  }
  adapter.reads.any = true;
  adapter.receipts_for.any = true;
  c.adapters.push_back(std::move(adapter));
  return c;
}

std::string EventId(int n) {
  char buf[13];
  std::snprintf(buf, sizeof buf, "%012x", static_cast<unsigned>(n));
  return std::string("0b6f5c1e-3d2a-4f7e-9a1b-") + buf;
}

// A valid envelope at the fixed clock.
v1::Envelope Valid(EventKind kind, const std::string& event_id) {
  EnvelopeSpec spec;
  spec.event_id = event_id;
  spec.referenced_event_id = EventId(9999);
  spec.now = kNow;
  return ValidEnvelope(kind, spec);
}

// Routed to kommun-1380 and the listed vårdcentral.
[[maybe_unused]] v1::Envelope Inskrivning(const std::string& event_id) {
  return Valid(EventKind::kInskrivningsmeddelande, event_id);
}

[[maybe_unused]] v1::Envelope Receipt(const std::string& event_id) { return Valid(EventKind::kReceipt, event_id); }

std::string Bytes(const v1::Envelope& env) {
  std::string out;
  env.SerializeToString(&out);
  return out;
}

InboundMessage Inbound(uint64_t token, std::string body, Channel channel = Channel::kEvents) {
  InboundMessage msg;
  msg.conn_id = kConn;
  msg.token = token;
  msg.channel = channel;
  msg.principal = kTestAdapter;
  msg.body_size = body.size();
  msg.body = std::move(body);
  msg.received_at_us = ToMicros(kNow);
  return msg;
}

LinkDemand Demand(const std::string& destination, int credit) {
  return {kOutConn, kOutLink, destination, credit};
}

// ---- Fixture ---------------------------------------------------------------------------------

std::unique_ptr<SqliteStore> MustOpen(const std::string& path) {
  auto store = SqliteStore::Open(path);
  if (!store) throw std::runtime_error(store.error());
  return std::move(*store);
}

class CoreTest : public ::testing::Test {
 protected:
  CoreTest() : CoreTest(CoreTuning{}) {}
  // The store flushed at once (flush_interval 0): the tests read it through a connection of
  // their own right after each step. CoreFlushTest covers the interval.
  explicit CoreTest(CoreTuning tuning) : tuning_(FlushAtOnce(tuning)) {}
  // The flush interval as given: the core does not wait for the journal after each batch.
  struct KeepFlushInterval {};
  CoreTest(CoreTuning tuning, KeepFlushInterval) : tuning_(tuning) {}
  static CoreTuning FlushAtOnce(CoreTuning tuning) {
    tuning.flush_interval = std::chrono::milliseconds(0);
    return tuning;
  }
  void TearDown() override { core_.Stop(); }

  std::string Scalar(const std::string& sql) {
    auto rows = Query(path_, sql);
    return rows.empty() || rows[0].empty() ? std::string("<no row>") : rows[0][0];
  }
  int64_t Count(const std::string& table) {
    return std::stoll(Scalar("SELECT COUNT(*) FROM " + table));
  }
  // Posts and waits until everything posted so far is committed, settled and pumped.
  void PostAndDrain(CoreInput input) {
    core_.Post(std::move(input));
    core_.Drain();
  }

  slussen::testing::TempDir dir_{"slussen-core"};
  std::string path_ = dir_.File("hub.db");
  std::unique_ptr<SqliteStore> real_store_ = MustOpen(path_);
  FaultyStore store_{*real_store_};
  RecordingOutput output_;
  Config config_ = TestConfig();  // tests may adjust it before Start()
  CoreTuning tuning_;
    // The core's clock: kNow unless a test moves it (SetNow, then Drain to let due timers run).
  std::atomic<int64_t> now_us_{ToMicros(kNow)};
  void SetNow(system_clock::time_point t) { now_us_ = ToMicros(t); }
  Core core_{config_, store_, output_, [this] { return FromMicros(now_us_.load()); }, tuning_};
};

}  // namespace
}  // namespace slussen::testing
