// Dispatcher over a real SqliteStore (temporary file) with a fake clock the test advances.
#include "delivery/dispatcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "delivery/maintenance_window.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/temp_dir.h"

namespace slussen {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using Kind = DeliveryOutcome::Kind;

std::unique_ptr<SqliteStore> MustOpen(const std::string& path) {
  auto store = SqliteStore::Open(path);
  if (!store) throw std::runtime_error(store.error());
  return std::move(*store);
}

constexpr uint64_t kConn = 7;
constexpr uint64_t kLink1 = 1;
constexpr uint64_t kLink2 = 2;

class DispatcherTest : public ::testing::Test {
 protected:
  using Sent = std::map<uint64_t, std::vector<int64_t>>;

  // Commits `n` new events for `destination`, each of a case of its own (or all of `case_id`);
  // returns their outbox seqs, oldest first.
  std::vector<int64_t> Enqueue(const std::string& destination, int n,
                               const std::string& case_id = "") {
    std::vector<int64_t> seqs;
    WriteBatch batch;
    for (int i = 0; i < n; ++i) {
      EventRecord e;
      e.event_id = "event-" + std::to_string(next_event_++);
      e.kind = "Utskrivningsklar";
      e.case_id = "SE2321000131-sjh/" + (case_id.empty() ? e.event_id : case_id);
      e.sender_hsa_id = "SE2321000131-sjh";
      e.schema_version = 1;
      e.body = "body of " + e.event_id;
      e.received_at_us = enqueued_at_us_;
      e.destinations = {destination};
      batch.events.push_back(std::move(e));
    }
    auto written = store_->Write(batch);
    EXPECT_TRUE(written) << written.error();
    auto all = store_->PendingAfter(destination, 0, 1'000'000);
    EXPECT_TRUE(all);
    for (std::size_t i = all->size() - static_cast<std::size_t>(n); i < all->size(); ++i) {
      seqs.push_back((*all)[i].seq);
    }
    return seqs;
  }

  void MarkDelivered(int64_t seq) {
    WriteBatch batch;
    batch.delivered.push_back({seq, 1});
    ASSERT_TRUE(store_->Write(batch));
  }

  void Demand(uint64_t link, const std::string& destination, int credit) {
    dispatcher_.AddDemand({kConn, link, destination, credit});
  }

  // Pump, as link id -> seqs sent on it (in order). Checks each batch is well-formed.
  std::map<uint64_t, std::vector<int64_t>> Pump() {
    std::map<uint64_t, std::vector<int64_t>> out;
    auto batches = dispatcher_.Pump();
    EXPECT_TRUE(batches) << batches.error();
    if (!batches) return out;
    for (const auto& b : *batches) {
      EXPECT_EQ(b.conn_id, kConn);
      EXPECT_FALSE(b.items.empty()) << "empty batch for link " << b.link_id;
      EXPECT_EQ(out.count(b.link_id), 0u) << "two batches for link " << b.link_id;
      for (const auto& item : b.items) {
        EXPECT_FALSE(item.event_id.empty());
        EXPECT_EQ(item.body, "body of " + item.event_id);
        out[b.link_id].push_back(item.seq);
        after_[item.seq] = item.after_seq;
      }
    }
    return out;
  }

  // What the transport does with what Pump hands out (amqp_connection_outbound.cc), for one
  // receiver that settles in order: an item with after_seq is sent only once the receiver
  // accepted that one, and given back unsent (kNotSent) if it was not.
  struct Receiver {
    std::vector<int64_t> received;  // in the order the receiver got them
    std::deque<int64_t> unsettled;
    std::map<int64_t, int64_t> held;  // predecessor -> item held behind it
  };
  void Transport(const Sent& sent, Receiver& r) {
    for (const auto& [link, seqs] : sent) {
      for (int64_t seq : seqs) {
        const int64_t after = after_.at(seq);
        const bool predecessor_here =
            std::find(r.unsettled.begin(), r.unsettled.end(), after) != r.unsettled.end() ||
            std::any_of(r.held.begin(), r.held.end(), [&](const auto& h) { return h.second == after; });
        if (after == 0) {
          r.received.push_back(seq);
          r.unsettled.push_back(seq);
        } else if (predecessor_here) {
          r.held[after] = seq;
        } else {
          Outcome(link, seq, Kind::kNotSent);
        }
      }
    }
  }
  // The receiver settles its oldest unsettled delivery with `kind`; the transport then sends or
  // gives back what waited behind it.
  void Settle(Receiver& r, Kind kind) {
    const int64_t seq = r.unsettled.front();
    r.unsettled.pop_front();
    if (Outcome(kLink1, seq, kind)) MarkDelivered(seq);
    for (int64_t at = seq; r.held.count(at);) {
      const int64_t next = r.held[at];
      r.held.erase(at);
      if (kind == Kind::kAccepted) {
        r.received.push_back(next);
        r.unsettled.push_back(next);
        break;
      }
      Outcome(kLink1, next, Kind::kNotSent);
      at = next;
    }
  }

  // The seq to mark delivered, if the outcome gives one; a failure is stored as the core does.
  std::optional<int64_t> Outcome(uint64_t link, int64_t seq, Kind kind,
                                 const std::string& condition = "", bool undeliverable = false) {
    DeliveryOutcome o;
    o.link_id = link;
    o.seq = seq;
    o.kind = kind;
    o.condition = condition;
    o.undeliverable_here = undeliverable;
    auto effect = dispatcher_.OnOutcome(o);
    if (effect.failed) Store(*effect.failed);
    return effect.accepted ? std::optional<int64_t>(effect.accepted->seq) : std::nullopt;
  }

  void Store(const FailedAttempt& f) {
    failures_.push_back(f);
    WriteBatch batch;
    batch.failed_attempts.push_back(f);
    auto written = store_->Write(batch);
    ASSERT_TRUE(written) << written.error();
  }

  std::vector<FailedAttempt> RemoveLink(uint64_t link) {
    auto failed = dispatcher_.RemoveLink(link);
    for (const auto& f : failed) Store(f);
    return failed;
  }

  const FailedAttempt& LastFailure() const { return failures_.back(); }

  void Advance(milliseconds d) { *now_ += d; }
  system_clock::time_point Now() const { return *now_; }

  slussen::testing::TempDir dir_{"slussen-dispatcher"};
  std::unique_ptr<SqliteStore> store_ = MustOpen(dir_.File("hub.db"));
  std::shared_ptr<system_clock::time_point> now_ =
      std::make_shared<system_clock::time_point>(std::chrono::seconds(1'760'000'000));
  // 100 ms, doubling, at most 30 s, no jitter unless a test sets it; no budget.
  std::shared_ptr<DeliveryPolicy> policy_ = [] {
    auto p = std::make_shared<DeliveryPolicy>();
    p->retry.initial_delay = milliseconds(100);
    p->retry.max_delay = milliseconds(30000);
    p->retry.jitter = 0;
    return p;
  }();
  std::shared_ptr<double> random01_ = std::make_shared<double>(0.5);
  Dispatcher MakeDispatcher() {
    return Dispatcher(
        *store_, [now = now_] { return *now; },
        [p = policy_](const std::string&) -> const DeliveryPolicy& { return *p; },
        [r = random01_] { return *r; });
  }
  Dispatcher dispatcher_ = MakeDispatcher();
  std::vector<FailedAttempt> failures_;
  std::map<int64_t, int64_t> after_;  // seq -> the after_seq it was last handed out with
  int64_t enqueued_at_us_ = 0;  // the stored time of what Enqueue() writes
  int next_event_ = 1;
};

TEST_F(DispatcherTest, NoDemandSendsNothing) {
  Enqueue("A", 5);
  EXPECT_THAT(Pump(), IsEmpty());
  dispatcher_.OnEnqueued("A");
  EXPECT_THAT(Pump(), IsEmpty());
  Demand(kLink1, "A", 0);  // a receiver without credit
  EXPECT_THAT(Pump(), IsEmpty());
  Demand(kLink2, "B", 10);  // credit on another destination
  EXPECT_THAT(Pump(), IsEmpty());
  EXPECT_EQ(dispatcher_.InFlight(), 0u);
}

TEST_F(DispatcherTest, SendsUpToDemandInSeqOrderThenTheRest) {
  const auto a = Enqueue("A", 5);
  Enqueue("B", 2);
  Demand(kLink1, "A", 3);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1], a[2]}}}));
  EXPECT_EQ(dispatcher_.InFlight(), 3u);
  EXPECT_THAT(Pump(), IsEmpty());  // credit used up

  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[3], a[4]}}}));
  EXPECT_EQ(dispatcher_.InFlight(), 5u);
  EXPECT_THAT(Pump(), IsEmpty());  // nothing left for A; B's rows never go to A's link
}

TEST_F(DispatcherTest, BatchItemsCarryTheOutboxRow) {
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 1);
  auto batches = dispatcher_.Pump();
  ASSERT_TRUE(batches) << batches.error();
  ASSERT_EQ(batches->size(), 1u);
  const auto& b = (*batches)[0];
  EXPECT_EQ(b.conn_id, kConn);
  EXPECT_EQ(b.link_id, kLink1);
  ASSERT_EQ(b.items.size(), 1u);
  EXPECT_EQ(b.items[0].seq, a[0]);
  EXPECT_EQ(b.items[0].destination, "A");
  EXPECT_EQ(b.items[0].event_id, "event-1");
  EXPECT_EQ(b.items[0].kind, "Utskrivningsklar");
  EXPECT_EQ(b.items[0].case_id, "SE2321000131-sjh/event-1");
  EXPECT_EQ(b.items[0].schema_version, 1u);
  EXPECT_EQ(b.items[0].body, "body of event-1");
}

TEST_F(DispatcherTest, LinksOfOneDestinationShareRoundRobin) {
  const auto a = Enqueue("A", 4);
  Demand(kLink1, "A", 2);
  Demand(kLink2, "A", 2);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[2]}}, {kLink2, {a[1], a[3]}}}));
  EXPECT_EQ(dispatcher_.InFlight(), 4u);
}

TEST_F(DispatcherTest, RoundRobinSkipsLinksWithoutCredit) {
  const auto a = Enqueue("A", 4);
  Demand(kLink1, "A", 3);
  Demand(kLink2, "A", 1);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[2], a[3]}}, {kLink2, {a[1]}}}));
}

class DispatcherRetryTest : public DispatcherTest, public ::testing::WithParamInterface<Kind> {};

TEST_P(DispatcherRetryTest, NotResentBeforeBackoffResentAfter) {
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 5);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  const auto sent_at = Now();

  EXPECT_EQ(Outcome(kLink1, a[0], GetParam()), std::nullopt);
  EXPECT_EQ(dispatcher_.InFlight(), 0u);
  EXPECT_THAT(dispatcher_.NextWakeAt(), Optional(sent_at + milliseconds(100)));
  EXPECT_THAT(Pump(), IsEmpty());
  Advance(milliseconds(99));
  EXPECT_THAT(Pump(), IsEmpty());
  Advance(milliseconds(1));
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  EXPECT_EQ(dispatcher_.InFlight(), 1u);
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(DispatcherNotAccepted, DispatcherRetryTest,
                         ::testing::Values(Kind::kReleased, Kind::kModified),
                         [](const auto& p) {
                           return std::string(p.param == Kind::kReleased ? "Released" : "Modified");
                         });

TEST_F(DispatcherTest, BackoffDoublesOnRepeatedRelease) {
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 100);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  for (int delay_ms : {100, 200, 400, 800, 1600}) {
    SCOPED_TRACE("delay " + std::to_string(delay_ms) + " ms");
    const auto released_at = Now();
    EXPECT_EQ(Outcome(kLink1, a[0], Kind::kReleased), std::nullopt);
    EXPECT_THAT(dispatcher_.NextWakeAt(), Optional(released_at + milliseconds(delay_ms)));
    Advance(milliseconds(delay_ms - 1));
    EXPECT_THAT(Pump(), IsEmpty());
    Advance(milliseconds(1));
    EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  }
}

TEST_F(DispatcherTest, BackoffIsCappedAtThirtySeconds) {
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 100);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  for (int i = 0; i < 12; ++i) {
    const auto released_at = Now();
    EXPECT_EQ(Outcome(kLink1, a[0], Kind::kReleased), std::nullopt);
    auto due = dispatcher_.NextWakeAt();
    ASSERT_TRUE(due.has_value());
    EXPECT_LE(*due - released_at, milliseconds(30000));
    *now_ = *due;
    EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
    if (i == 11) {
      EXPECT_EQ(*due - released_at, milliseconds(30000));
    }
  }
}

TEST_F(DispatcherTest, AcceptedReturnsTheSeqToMarkAndIsNotResent) {
  const auto a = Enqueue("A", 2);
  Demand(kLink1, "A", 2);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  EXPECT_THAT(Outcome(kLink1, a[1], Kind::kAccepted), Optional(a[1]));
  EXPECT_EQ(dispatcher_.InFlight(), 1u);
  EXPECT_THAT(Outcome(kLink1, a[0], Kind::kAccepted), Optional(a[0]));
  EXPECT_EQ(dispatcher_.InFlight(), 0u);

  // Not yet marked in the store (that is the core's job), but never handed out again.
  Demand(kLink1, "A", 5);
  Advance(milliseconds(60000));
  EXPECT_THAT(Pump(), IsEmpty());
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
}

TEST_F(DispatcherTest, AcceptedAfterReleaseResetsTheBackoff) {
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  EXPECT_EQ(Outcome(kLink1, a[0], Kind::kReleased), std::nullopt);
  Advance(milliseconds(100));
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  EXPECT_THAT(Outcome(kLink1, a[0], Kind::kAccepted), Optional(a[0]));
  EXPECT_EQ(dispatcher_.InFlight(), 0u);
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
}

TEST_F(DispatcherTest, RemoveLinkMakesItsInFlightFailedAttempts) {
  const auto a = Enqueue("A", 3);
  Demand(kLink1, "A", 2);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  Demand(kLink2, "A", 5);
  EXPECT_EQ(Pump(), (Sent{{kLink2, {a[2]}}}));
  EXPECT_EQ(dispatcher_.InFlight(), 3u);

  const auto failed = RemoveLink(kLink1);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].seq, a[0]);
  EXPECT_EQ(failed[0].outcome, "link-lost");
  EXPECT_EQ(failed[0].attempt, 1);
  EXPECT_FALSE(failed[0].dead);
  EXPECT_EQ(dispatcher_.InFlight(), 1u);
  // A receiver that drops its connection on one message must not get it again at once.
  EXPECT_THAT(dispatcher_.NextWakeAt(), Optional(Now() + milliseconds(100)));
  EXPECT_THAT(Pump(), IsEmpty());
  Advance(milliseconds(100));
  EXPECT_EQ(Pump(), (Sent{{kLink2, {a[0], a[1]}}}));
  EXPECT_EQ(dispatcher_.InFlight(), 3u);
  EXPECT_THAT(Pump(), IsEmpty());

  // The removed link's credit is gone with it.
  const auto more = Enqueue("A", 3);
  dispatcher_.OnEnqueued("A");
  EXPECT_EQ(Pump(), (Sent{{kLink2, {more[0], more[1]}}}));
}

TEST_F(DispatcherTest, LostLinkItemsWaitForANewReceiver) {
  const auto a = Enqueue("A", 2);
  Demand(kLink1, "A", 2);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  RemoveLink(kLink1);
  Advance(milliseconds(100));
  EXPECT_THAT(Pump(), IsEmpty());
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);  // no receiver, no wake-up
  Demand(kLink2, "A", 1);
  EXPECT_EQ(Pump(), (Sent{{kLink2, {a[0]}}}));
  Demand(kLink2, "A", 1);
  EXPECT_EQ(Pump(), (Sent{{kLink2, {a[1]}}}));
}

TEST_F(DispatcherTest, SeqDeliveredMeanwhileIsDroppedFromRetry) {
  const auto a = Enqueue("A", 2);
  Demand(kLink1, "A", 2);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  EXPECT_EQ(Outcome(kLink1, a[0], Kind::kReleased), std::nullopt);
  EXPECT_EQ(Outcome(kLink1, a[1], Kind::kReleased), std::nullopt);
  MarkDelivered(a[0]);  // e.g. accepted on an earlier attempt, recorded by the core

  Demand(kLink1, "A", 2);
  Advance(milliseconds(100));
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[1]}}}));  // a[0] is skipped without using credit
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
  EXPECT_EQ(dispatcher_.InFlight(), 1u);
  Advance(milliseconds(60000));
  EXPECT_THAT(Pump(), IsEmpty());
  const auto b = Enqueue("A", 1);  // the credit a[0] did not use is still there
  dispatcher_.OnEnqueued("A");
  EXPECT_EQ(Pump(), (Sent{{kLink1, {b[0]}}}));
}

TEST_F(DispatcherTest, AcceptedAfterLinkGoneCancelsTheRetry) {
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 1);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  RemoveLink(kLink1);
  // The settlement raced the detach: the receiver has it.
  EXPECT_THAT(Outcome(kLink1, a[0], Kind::kAccepted), Optional(a[0]));
  Demand(kLink2, "A", 1);
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
  EXPECT_THAT(Pump(), IsEmpty());
}

TEST_F(DispatcherTest, DueRetriesGoBeforeNewRows) {
  const auto a = Enqueue("A", 2);
  Demand(kLink1, "A", 1);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  EXPECT_EQ(Outcome(kLink1, a[0], Kind::kReleased), std::nullopt);
  Advance(milliseconds(100));
  Demand(kLink1, "A", 1);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  Demand(kLink1, "A", 1);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[1]}}}));
}

TEST_F(DispatcherTest, NextWakeAtIsEmptyWithoutDemand) {
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);  // nothing at all
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 1);
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);  // demand, but nothing to retry
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  const auto released_at = Now();
  EXPECT_EQ(Outcome(kLink1, a[0], Kind::kReleased), std::nullopt);
  // A retry is waiting, but the only link has no credit left: nothing to wake up for.
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
  Advance(milliseconds(500));
  EXPECT_THAT(Pump(), IsEmpty());
  Demand(kLink1, "A", 1);
  EXPECT_THAT(dispatcher_.NextWakeAt(), Optional(released_at + milliseconds(100)));
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
}

TEST_F(DispatcherTest, PicksUpNewRowsAfterOnEnqueued) {
  const auto a = Enqueue("A", 2);
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  const auto b = Enqueue("A", 2);
  dispatcher_.OnEnqueued("A");
  EXPECT_EQ(Pump(), (Sent{{kLink1, {b[0], b[1]}}}));  // only past the cursor
  EXPECT_EQ(dispatcher_.InFlight(), 4u);
  EXPECT_THAT(Pump(), IsEmpty());
}

TEST_F(DispatcherTest, OnEnqueuedForADestinationWithoutReceiverCostsNothing) {
  Enqueue("A", 3);
  dispatcher_.OnEnqueued("A");
  EXPECT_THAT(Pump(), IsEmpty());
  EXPECT_EQ(dispatcher_.InFlight(), 0u);
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
}

// ---- Poison handling and budgets -------------------------------------------------------

TEST_F(DispatcherTest, RejectedIsDeadAtOnceWithTheReceiversCondition) {
  const auto a = Enqueue("A", 2);
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  EXPECT_EQ(Outcome(kLink1, a[0], Kind::kRejected, "amqp:decode-error"), std::nullopt);
  EXPECT_TRUE(LastFailure().dead);
  EXPECT_EQ(LastFailure().attempt, 1);
  EXPECT_EQ(LastFailure().outcome, "rejected");
  EXPECT_EQ(LastFailure().condition, "amqp:decode-error");
  EXPECT_THAT(LastFailure().reason, ::testing::HasSubstr("amqp:decode-error"));
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);  // no retry loop
  Advance(milliseconds(60000));
  EXPECT_THAT(Pump(), IsEmpty());
  // The store no longer counts it pending; the rest of the queue flows.
  auto pending = store_->PendingAfter("A", 0, 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].seq, a[1]);
  EXPECT_THAT(Outcome(kLink1, a[1], Kind::kAccepted), Optional(a[1]));
  EXPECT_EQ(dispatcher_.ActivityByDestination()["A"].dead, 1u);
}

TEST_F(DispatcherTest, ModifiedUndeliverableHereIsDeadUnlessThePolicySaysRetry) {
  const auto a = Enqueue("A", 2);
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  Outcome(kLink1, a[0], Kind::kModified, "", /*undeliverable=*/true);
  EXPECT_TRUE(LastFailure().dead);
  policy_->retry.modified_undeliverable = RetryPolicy::Modified::kRetry;
  Outcome(kLink1, a[1], Kind::kModified, "", /*undeliverable=*/true);
  EXPECT_FALSE(LastFailure().dead);
  Advance(milliseconds(100));
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[1]}}}));
}

TEST_F(DispatcherTest, AttemptBudgetEndsTheRetries) {
  policy_->retry.max_attempts = 3;
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    Outcome(kLink1, a[0], Kind::kReleased);
    EXPECT_EQ(LastFailure().attempt, attempt);
    if (attempt < 3) {
      EXPECT_FALSE(LastFailure().dead);
      *now_ = *dispatcher_.NextWakeAt();
      EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
    }
  }
  EXPECT_TRUE(LastFailure().dead);
  EXPECT_THAT(LastFailure().reason, ::testing::HasSubstr("after 3 failed attempts"));
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
}

TEST_F(DispatcherTest, AgeBudgetEndsTheRetriesBeforeAnAttemptPastIt) {
  policy_->retry.max_age = std::chrono::seconds(1);
  const auto a = Enqueue("A", 1);  // enqueued at time 0 of the store's rows
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  // Enqueue() stores rows with enqueued_at_us 0 (the epoch), so any next attempt is past it.
  Outcome(kLink1, a[0], Kind::kReleased);
  EXPECT_TRUE(LastFailure().dead);
  EXPECT_THAT(LastFailure().reason, ::testing::HasSubstr("budget"));
}

TEST_F(DispatcherTest, JitterKeepsEachDelayWithinItsBounds) {
  policy_->retry.jitter = 0.2;
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  *random01_ = 0.0;
  Outcome(kLink1, a[0], Kind::kReleased);
  EXPECT_THAT(dispatcher_.NextWakeAt(), Optional(Now() + milliseconds(80)));
  *now_ = *dispatcher_.NextWakeAt();
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  *random01_ = 0.999;
  Outcome(kLink1, a[0], Kind::kReleased);  // the second: 200 ms, jittered up to 240
  const auto due = *dispatcher_.NextWakeAt() - Now();
  EXPECT_GE(due, milliseconds(239));
  EXPECT_LE(due, milliseconds(240));
}

// ---- Ordering per case, without head-of-line blocking -------------------------------------

TEST_F(DispatcherTest, ACasesLaterEventsGoChainedBehindItsFirstOthersFlow) {
  const auto x = Enqueue("A", 2, "case-x");
  const auto others = Enqueue("A", 2);
  const auto x3 = Enqueue("A", 1, "case-x");
  Demand(kLink1, "A", 10);
  // Case x's later rows go behind its first, each after the one before; the other cases at once.
  EXPECT_EQ(Pump(), (Sent{{kLink1, {x[0], x[1], others[0], others[1], x3[0]}}}));
  EXPECT_EQ(after_[x[0]], 0);
  EXPECT_EQ(after_[x[1]], x[0]);
  EXPECT_EQ(after_[others[0]], 0);
  EXPECT_EQ(after_[others[1]], 0);
  EXPECT_EQ(after_[x3[0]], x[1]);
  // x[0] is released: the transport gives back what waited behind it, unsent. No attempt for
  // them, and nothing of case x goes before x[0]'s retry.
  Outcome(kLink1, x[0], Kind::kReleased);
  Outcome(kLink1, x[1], Kind::kNotSent);
  Outcome(kLink1, x3[0], Kind::kNotSent);
  EXPECT_THAT(Pump(), IsEmpty());
  Advance(milliseconds(100));
  EXPECT_EQ(Pump(), (Sent{{kLink1, {x[0], x[1], x3[0]}}}));
  EXPECT_EQ(after_[x[0]], 0);
  EXPECT_EQ(after_[x[1]], x[0]);
  EXPECT_EQ(after_[x3[0]], x[1]);
  for (int64_t seq : {x[0], x[1], x3[0]}) {
    EXPECT_THAT(Outcome(kLink1, seq, Kind::kAccepted), Optional(seq));
    MarkDelivered(seq);
    EXPECT_THAT(Pump(), IsEmpty());
  }
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].seq, x[0]);
}

// A long case goes as one train, in order, however its rows are read.
TEST_F(DispatcherTest, ALongCaseReachesTheReceiverInOrder) {
  const auto x = Enqueue("A", 40, "case-x");
  const auto other = Enqueue("A", 1);
  Demand(kLink1, "A", 100);
  Receiver r;
  Transport(Pump(), r);
  EXPECT_THAT(r.received, ElementsAre(x[0], other[0]));
  while (!r.unsettled.empty()) Settle(r, Kind::kAccepted);
  std::vector<int64_t> want = {x[0], other[0]};
  want.insert(want.end(), x.begin() + 1, x.end());
  EXPECT_EQ(r.received, want);
  EXPECT_THAT(Pump(), IsEmpty());
}

// Rows of a case arriving in batches while its train is on its way, a receiver with little
// credit (more rows than it will take, and than the dispatcher remembers by seq), releases in
// between: the receiver still gets the case's events in order, each exactly once accepted.
TEST_F(DispatcherTest, ALongCaseArrivingInBatchesToASmallCreditStaysInOrder) {
  std::vector<int64_t> x = Enqueue("A", 1, "case-x");
  Demand(kLink1, "A", 3);
  Receiver r;
  Transport(Pump(), r);
  for (int batch = 0; batch < 5; ++batch) {
    for (int64_t seq : Enqueue("A", 7, "case-x")) x.push_back(seq);
    dispatcher_.OnEnqueued("A");
    Transport(Pump(), r);
  }
  std::vector<int64_t> accepted;
  for (int round = 0; round < 400 && accepted.size() < x.size(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    if (!r.unsettled.empty()) {
      const int64_t seq = r.unsettled.front();
      // Every fifth delivery is released once, then accepted.
      const bool release = round % 5 == 2;
      Settle(r, release ? Kind::kReleased : Kind::kAccepted);
      if (!release) accepted.push_back(seq);
      Demand(kLink1, "A", 1);  // the receiver's credit comes back
    }
    if (round == 20) {
      for (int64_t seq : Enqueue("A", 3, "case-x")) x.push_back(seq);
      dispatcher_.OnEnqueued("A");
    }
    Advance(milliseconds(100));
    Transport(Pump(), r);
  }
  EXPECT_EQ(accepted, x);
}

TEST_F(DispatcherTest, ADeadEventLetsItsCasesNextEventGo) {
  const auto x = Enqueue("A", 2, "case-x");
  Demand(kLink1, "A", 10);
  Receiver r;
  Transport(Pump(), r);
  EXPECT_THAT(r.received, ElementsAre(x[0]));
  Settle(r, Kind::kRejected);  // x[1] comes back unsent
  EXPECT_TRUE(LastFailure().dead);
  Transport(Pump(), r);
  EXPECT_THAT(r.received, ElementsAre(x[0], x[1]));
  EXPECT_EQ(after_[x[1]], 0);
}

// A link lost with a train on it: only its first was sent, so only it made an attempt.
TEST_F(DispatcherTest, ALostLinkCountsAnAttemptOnlyForTheFirstOfATrain) {
  const auto x = Enqueue("A", 3, "case-x");
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {x[0], x[1], x[2]}}}));
  const auto failed = RemoveLink(kLink1);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].seq, x[0]);
  EXPECT_EQ(failed[0].outcome, "link-lost");
  Demand(kLink2, "A", 10);
  Advance(milliseconds(100));
  EXPECT_EQ(Pump(), (Sent{{kLink2, {x[0], x[1], x[2]}}}));
  EXPECT_EQ(after_[x[2]], x[1]);
}

TEST_F(DispatcherTest, TheWindowCountsRowsWaitingForARetry) {
  policy_->in_flight = 2;
  const auto a = Enqueue("A", 4);
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  Outcome(kLink1, a[0], Kind::kReleased);
  EXPECT_THAT(Pump(), IsEmpty());  // a[0] waits for its retry and holds its slot
  EXPECT_THAT(Outcome(kLink1, a[1], Kind::kAccepted), Optional(a[1]));
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[2]}}}));
  Advance(milliseconds(100));
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
}

TEST_F(DispatcherTest, ARestartContinuesTheStoredSchedule) {
  const auto a = Enqueue("A", 2, "case-x");
  Demand(kLink1, "A", 10);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  Outcome(kLink1, a[0], Kind::kReleased);
  Outcome(kLink1, a[1], Kind::kNotSent);   // it waited behind a[0]
  Outcome(kLink1, a[0], Kind::kReleased);  // ignored: no longer in flight
  *now_ = *dispatcher_.NextWakeAt();
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
  Outcome(kLink1, a[0], Kind::kReleased);  // the second failure: 200 ms
  Outcome(kLink1, a[1], Kind::kNotSent);
  const auto due = *dispatcher_.NextWakeAt();

  Dispatcher restarted = MakeDispatcher();  // what the hub has after a restart: the store
  restarted.AddDemand({kConn, kLink2, "A", 10});
  auto before = restarted.Pump();
  ASSERT_TRUE(before);
  EXPECT_THAT(*before, IsEmpty()) << "not before its stored next attempt, nor a[1] before it";
  EXPECT_THAT(restarted.NextWakeAt(), Optional(due));
  *now_ = due;
  auto after = restarted.Pump();
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  ASSERT_EQ((*after)[0].items.size(), 1u);
  EXPECT_EQ((*after)[0].items[0].seq, a[0]);
  EXPECT_EQ((*after)[0].items[0].attempts, 2);
  DeliveryOutcome released;
  released.link_id = kLink2;
  released.seq = a[0];
  released.kind = Kind::kReleased;
  auto effect = restarted.OnOutcome(released);
  ASSERT_TRUE(effect.failed);
  EXPECT_EQ(effect.failed->attempt, 3);  // counting on, not from one
}

// ---- Pause and maintenance windows ---------------------------------------------------------

TEST_F(DispatcherTest, APausedDestinationSendsNothingUntilResumed) {
  const auto a = Enqueue("A", 2);
  Demand(kLink1, "A", 10);
  dispatcher_.SetPaused("A", true);
  EXPECT_THAT(Pump(), IsEmpty());
  EXPECT_TRUE(dispatcher_.ActivityByDestination()["A"].paused);
  EXPECT_EQ(dispatcher_.NextWakeAt(), std::nullopt);
  dispatcher_.SetPaused("A", false);
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0], a[1]}}}));
}

TEST_F(DispatcherTest, AMaintenanceWindowHoldsDeliveryAndIsNotCountedAsAge) {
  // Every day 00:00-23:59 Stockholm time: the clock (2025-10-09 08:53 UTC) is inside one.
  MaintenanceWindow daily;
  daily.name = "Lifecare driftfönster";
  daily.repeat = MaintenanceWindow::Repeat::kDaily;
  daily.from = std::chrono::minutes(0);
  daily.to = std::chrono::minutes(23 * 60 + 59);
  policy_->windows = {daily};
  const auto window = ActiveWindow(policy_->windows, Now());
  ASSERT_TRUE(window);

  enqueued_at_us_ = ToMicros(Now() - std::chrono::hours(72));
  const auto a = Enqueue("A", 1);
  Demand(kLink1, "A", 10);
  EXPECT_THAT(Pump(), IsEmpty());
  EXPECT_EQ(dispatcher_.ActivityByDestination()["A"].window, "Lifecare driftfönster");
  EXPECT_THAT(dispatcher_.NextWakeAt(), Optional(window->end));
  const auto notices = dispatcher_.TakeNotices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_THAT(notices[0], ::testing::HasSubstr("'Lifecare driftfönster' began"));

  *now_ = window->end;
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  EXPECT_THAT(dispatcher_.TakeNotices().at(0), ::testing::HasSubstr("ended"));

  // Stored three days ago, with a 23 h 59 min window every day since: of a one-hour age budget
  // only the minutes between windows count, so it is not spent...
  policy_->retry.max_age = std::chrono::hours(1);
  Outcome(kLink1, a[0], Kind::kReleased);
  EXPECT_FALSE(LastFailure().dead) << LastFailure().reason;
  // ...which it would be without the windows.
  policy_->windows.clear();
  *now_ = *dispatcher_.NextWakeAt();
  EXPECT_EQ(Pump(), (Sent{{kLink1, {a[0]}}}));
  Outcome(kLink1, a[0], Kind::kReleased);
  EXPECT_TRUE(LastFailure().dead);
}

// The minimum dataset is applied where every row leaves the dispatcher: a row under a rule whose
// stored body cannot be decoded goes out without a body (never whole), with a notice.
TEST_F(DispatcherTest, RowUnderAMinimumDatasetRuleIsCutBeforeItLeaves) {
  policy_->strip["Utskrivningsklar"] = {"utskrivningsklar.physician_hsa_id"};
  const auto a = Enqueue("A", 1);  // its stored body is not an Envelope
  Demand(kLink1, "A", 1);
  auto batches = dispatcher_.Pump();
  ASSERT_TRUE(batches) << batches.error();
  ASSERT_EQ(batches->size(), 1u);
  ASSERT_EQ((*batches)[0].items.size(), 1u);
  EXPECT_EQ((*batches)[0].items[0].seq, a[0]);
  EXPECT_EQ((*batches)[0].items[0].body, "");
  EXPECT_THAT(dispatcher_.TakeNotices(),
              ElementsAre(::testing::HasSubstr("its minimum dataset cannot be applied")));
}

}  // namespace
}  // namespace slussen
