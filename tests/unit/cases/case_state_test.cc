// BuildCase (case_state.h): the case as a fold over its events — the states it passes through as
// the hub receives events one by one, independence of the order of the input, and the notes it
// records for anomalies. Times are Stockholm local; nothing reads a clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/timestamp.h"
#include "unit/cases/case_test_support.h"

namespace slussen {
namespace {

using namespace casetest;  // NOLINT(google-build-using-namespace): test vocabulary
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Admission → planning → utskrivningsklar ⇄ withdrawn → discharged, then makulering.
Timeline FullCase() {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-02", 8, 0), L("2022-05-02", 9, 0),
                InskOptions().Sip().Estimate(L("2022-05-10", 10, 0)));
  t.PlanningRequest("pu", L("2022-05-03", 10, 0));
  t.PlanningAnswer("pu-svar", "pu", L("2022-05-04", 10, 0));
  t.Utskrivningsklar("klar-1", L("2022-05-09", 10, 0));
  t.Withdrawn("ater", "klar-1", L("2022-05-10", 14, 0));
  t.EstimateChanged("nytt-datum", L("2022-05-16", 10, 0), L("2022-05-10", 15, 0));
  t.Utskrivningsklar("klar-2", L("2022-05-12", 9, 0));
  t.Kallelse("kallelse", L("2022-05-13", 9, 0));
  t.Utskrivning("utskr", L("2022-05-16", 10, 0));
  t.Cancellation("mak", "", L("2022-05-20", 10, 0));
  return t;
}

TEST(CaseStateFold, StatusAfterEachEvent) {
  // The hub rebuilds the case after every stored event.
  const Timeline t = FullCase();
  std::vector<std::string> statuses;
  for (const auto& e : t.events()) {
    statuses.emplace_back(CaseStatusName(BuildCase("vt-1", t.StoredBy(e.stored_at).events()).status));
  }
  EXPECT_THAT(statuses, ElementsAre("admitted", "planning", "planning", "utskrivningsklar",
                                    "withdrawn", "withdrawn", "utskrivningsklar",
                                    "utskrivningsklar", "discharged", "cancelled"));
}

TEST(CaseStateFold, RecordsWhatTheRulesNeed) {
  const CaseState c = BuildCase("vt-1", FullCase().Without("mak").events());
  EXPECT_EQ(c.case_id, "vt-1");
  EXPECT_EQ(c.kommunkod, "1380");
  EXPECT_EQ(c.admitted_at, L("2022-05-02", 8, 0));
  EXPECT_EQ(c.inskrivning_sent_at, L("2022-05-02", 9, 0));
  EXPECT_EQ(c.inskrivning_event_id, "insk");
  EXPECT_TRUE(c.sip_required);
  ASSERT_EQ(c.estimates.size(), 2u);
  EXPECT_EQ(c.estimates[0].estimate, L("2022-05-10", 10, 0));
  EXPECT_EQ(c.estimates[1].estimate, L("2022-05-16", 10, 0));
  EXPECT_EQ(c.estimates[1].notified_at, L("2022-05-10", 15, 0));
  ASSERT_EQ(c.planning_requests.size(), 1u);
  EXPECT_EQ(c.planning_requests[0].answered_at, L("2022-05-04", 10, 0));
  EXPECT_EQ(c.planning_requests[0].answer_event_id, "pu-svar");
  ASSERT_EQ(c.notices.size(), 2u);
  EXPECT_EQ(c.notices[0].ended_by, "withdrawn");
  EXPECT_EQ(c.notices[0].ended_at, L("2022-05-10", 14, 0));
  EXPECT_EQ(c.notices[1].sent_at, L("2022-05-12", 9, 0));
  EXPECT_EQ(c.notices[1].ended_by, "discharged");
  EXPECT_THAT(c.kallelse_sip_sent, ElementsAre(L("2022-05-13", 9, 0)));
  EXPECT_EQ(c.discharged_at, L("2022-05-16", 10, 0));
  EXPECT_EQ(c.status, CaseStatus::kDischarged);
  EXPECT_THAT(c.notes, IsEmpty());
  // The evidence chain is in order of occurrence.
  ASSERT_EQ(c.events.size(), 9u);
  EXPECT_TRUE(std::is_sorted(c.events.begin(), c.events.end(),
                             [](const auto& a, const auto& b) { return a.occurred_at < b.occurred_at; }));
}

TEST(CaseStateFold, InputOrderDoesNotMatter) {
  // BuildCase is a fold over all stored events; the order of the vector it gets is irrelevant.
  const Timeline t = FullCase().Without("mak");
  const Agreement law;
  const TimePoint now = L("2022-06-01", 0, 0);
  const std::string want = Decisions(Evaluate(t, law, now));
  Timeline reversed = t;
  std::reverse(reversed.mutable_events().begin(), reversed.mutable_events().end());
  EXPECT_EQ(Decisions(Evaluate(reversed, law, now)), want);
  Timeline rotated = t;
  std::rotate(rotated.mutable_events().begin(), rotated.mutable_events().begin() + 4,
              rotated.mutable_events().end());
  EXPECT_EQ(Decisions(Evaluate(rotated, law, now)), want);
}

TEST(CaseStateFold, AnomaliesAreNotedNotDropped) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-02", 8, 0), L("2022-05-02", 9, 0));
  t.Inskrivning("insk-igen", L("2022-05-02", 8, 0), L("2022-05-02", 11, 0));  // no `replaces`
  t.PlanningAnswer("svar", "okand-begaran", L("2022-05-03", 10, 0));
  t.Withdrawn("ater", "okand", L("2022-05-04", 10, 0));
  t.ClockStopper("slut", v1::ClockStopper::END, L("2022-05-05", 10, 0));
  t.Cancellation("mak", "saknas", L("2022-05-06", 10, 0));
  t.Utskrivningsklar("klar-1", L("2022-05-09", 10, 0));
  t.Utskrivningsklar("klar-2", L("2022-05-09", 11, 0));  // while klar-1 is open
  const CaseState c = BuildCase("vt-1", t.events());
  const auto noted = [&](const std::string& id) { return AnyNoteContains(c.notes, id); };
  EXPECT_TRUE(noted("insk-igen")) << Joined(c.notes);
  EXPECT_TRUE(noted("okand-begaran")) << Joined(c.notes);
  EXPECT_TRUE(noted("ater")) << Joined(c.notes);
  EXPECT_TRUE(noted("slut")) << Joined(c.notes);
  EXPECT_TRUE(noted("saknas")) << Joined(c.notes);
  EXPECT_TRUE(noted("klar-2")) << Joined(c.notes);
  EXPECT_EQ(c.inskrivning_event_id, "insk");
  ASSERT_EQ(c.notices.size(), 1u);
  EXPECT_EQ(c.notices[0].event_id, "klar-1");
  EXPECT_EQ(c.events.size(), 8u);  // every event stays in the evidence chain
}

TEST(CaseStateFold, ReceiptOnlyCaseIsOpen) {
  Timeline t;
  t.Receipt("kv", "klar", L("2022-05-09", 10, 0), L("2022-05-09", 10, 1));
  const CaseState c = BuildCase("vt-1", t.events());
  EXPECT_EQ(c.status, CaseStatus::kOpen);
  ASSERT_EQ(c.receipts.size(), 1u);
  EXPECT_FALSE(c.receipts[0].matched);
}

// The probe's spoofed receipt: "received" an hour before the hub even stored the event. The
// evidence never shows a receipt before the event was there to be sent; the claim stays visible.
TEST(CaseStateFold, ReceiptClaimingATimeBeforeTheEventWasStoredIsClampedAndFlagged) {
  Timeline t;
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  t.Receipt("kv-tidig", "klar", L("2022-05-09", 9, 0), L("2022-05-09", 10, 30));
  t.Receipt("kv-ratt", "klar", L("2022-05-09", 10, 5), L("2022-05-09", 10, 31));
  const CaseState c = BuildCase("vt-1", t.events());
  ASSERT_EQ(c.receipts.size(), 2u);
  const ReceiptRecord& early = c.receipts[0].receipt_event_id == "kv-tidig" ? c.receipts[0] : c.receipts[1];
  const ReceiptRecord& right = c.receipts[0].receipt_event_id == "kv-ratt" ? c.receipts[0] : c.receipts[1];
  EXPECT_EQ(early.received_at, L("2022-05-09", 10, 0)) << "the time the event was stored";
  EXPECT_EQ(early.claimed_received_at, L("2022-05-09", 9, 0));
  EXPECT_TRUE(AnyNoteContains(c.notes, "kv-tidig")) << Joined(c.notes);
  EXPECT_EQ(right.received_at, L("2022-05-09", 10, 5));
  EXPECT_FALSE(right.claimed_received_at.has_value());
  EXPECT_FALSE(AnyNoteContains(c.notes, "kv-ratt")) << Joined(c.notes);

  // The same whichever arrived first: the fold sees all events.
  Timeline reversed;
  reversed.Receipt("kv-tidig", "klar", L("2022-05-09", 9, 0), L("2022-05-09", 9, 30));
  reversed.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  const CaseState r = BuildCase("vt-1", reversed.events());
  ASSERT_EQ(r.receipts.size(), 1u);
  EXPECT_EQ(r.receipts[0].received_at, L("2022-05-09", 10, 0));
  EXPECT_EQ(r.receipts[0].claimed_received_at, L("2022-05-09", 9, 0));
}

TEST(CaseStateTimes, TheCaseLogicConvertsTimestampsLikeIngest) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(kTimestampMaxSeconds);
  EXPECT_EQ(ToTimePoint(ts), TimestampToTimePoint(ts));
}

}  // namespace
}  // namespace slussen
