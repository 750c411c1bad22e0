// Issue 15 items 4 and 5: which time a notice of 5 kap. 3 § counts from. Item 4: the law counts
// from when a notice "skickats" (5 kap. 4 §), and the hub's stored time and the source system's
// own send time can fall on either side of the 12.00 cut-off. Item 5: whether the kommun has been
// "underrättat" (5 kap. 3 §) when the notice was stored, when the kommun's system accepted it, or
// when it receipted it. Each scenario names its paragraph; every `now` is injected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "cases/notice_times.h"
#include "unit/cases/case_test_support.h"

namespace slussen {
namespace {

using namespace casetest;  // NOLINT(google-build-using-namespace): test vocabulary
using ::testing::Contains;
using ::testing::HasSubstr;
using State = LiabilityPrecondition::State;

Agreement With(Agreement::SentTime sent, Agreement::NotifiedWhen notified) {
  Agreement a = Law();
  a.sent_time = sent;
  a.notified_when = notified;
  return a;
}

CaseEvent& EventOf(Timeline& t, const std::string& id) {
  for (auto& e : t.mutable_events()) {
    if (e.envelope.event_id() == id) return e;
  }
  throw std::invalid_argument("no event " + id);
}
// The source system's own send time (Envelope.source_sent_at: MSH-7, <skickad-tidpunkt>).
void SourceSent(Timeline& t, const std::string& id, TimePoint at) {
  *EventOf(t, id).envelope.mutable_source_sent_at() = Ts(at);
}
// The kommun's system (kommun-1380) accepted the delivery: the fact the core gathers.
void Delivered(Timeline& t, const std::string& id, TimePoint at) {
  EventOf(t, id).kommun_delivered_at = at;
}

// Admitted Fri 2022-05-06 08:00, inskrivningsmeddelande stored 09:00 and delivered 09:00:30.
Timeline Admitted() {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-06", 8, 0), L("2022-05-06", 9, 0));
  Delivered(t, "insk", L("2022-05-06", 9, 0, 30));
  return t;
}

const TimePoint kLater = L("2022-06-01", 0, 0);

// ---- Item 4: 5 kap. 4 § "skickats": the hub's stored time or the source system's -----------

// The example: the EHR sent the utskrivningsklar notice Mon 2022-05-09 11:59; after an
// outage the hub stored it at 12:01. Discharged Mon 05-16. Counted from the stored time (the
// default) the notice was sent after 12.00: first billable day Fri 05-13. Counted from the
// source time, before 12.00: Thu 05-12, a day earlier. The report flags the divergence under
// both rules, since the two times lie on either side of the cut-off.
TEST(CaseNoticeTimes, FiveKap4TheEhrsElevenFiftyNineAgainstTheHubsTwelveOhOneMovesADay) {
  Timeline t = Admitted();
  t.Utskrivningsklar("klar", L("2022-05-09", 12, 1));
  SourceSent(t, "klar", L("2022-05-09", 11, 59));
  t.Utskrivning("utskr", L("2022-05-16", 10, 0));

  const Outcome stored = Evaluate(t, Law(), kLater);
  ASSERT_EQ(stored.liability.periods.size(), 1u);
  EXPECT_TRUE(stored.liability.periods[0].after_cutoff);
  EXPECT_EQ(stored.liability.periods[0].first_billable_day, D("2022-05-13"));
  EXPECT_EQ(BilledDates(stored.liability),
            (std::vector<std::string>{"2022-05-13", "2022-05-14", "2022-05-15"}));

  const Agreement source = With(Agreement::SentTime::kSource, Agreement::NotifiedWhen::kStored);
  const Outcome by_source = Evaluate(t, source, kLater);
  ASSERT_EQ(by_source.liability.periods.size(), 1u);
  EXPECT_FALSE(by_source.liability.periods[0].after_cutoff);
  EXPECT_EQ(by_source.liability.periods[0].notice_sent_at, L("2022-05-09", 11, 59));
  EXPECT_EQ(by_source.liability.periods[0].first_billable_day, D("2022-05-12"));
  EXPECT_EQ(BilledDates(by_source.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-13", "2022-05-14", "2022-05-15"}));

  // Both times are kept, whichever applies, and the divergence is flagged under either rule
  // (2 minutes is within the default 5-minute skew: the cut-off makes it matter).
  const NoticeTimes* times = FindNoticeTimes(stored.c, "klar");
  ASSERT_NE(times, nullptr);
  EXPECT_EQ(times->stored_at, L("2022-05-09", 12, 1));
  EXPECT_EQ(times->source_sent_at, L("2022-05-09", 11, 59));
  EXPECT_EQ(Law().source_time_skew, minutes{5});
  EXPECT_THAT(SourceTimeDivergence(*times, Law()), HasSubstr("other side of the cut-off"));
  EXPECT_THAT(SourceTimeDivergence(*times, source), HasSubstr("other side of the cut-off"));
  EXPECT_EQ(AppliedTimeName(*times, Law()), "stored");
  EXPECT_EQ(AppliedTimeName(*times, source), "source");
  EXPECT_THAT(stored.liability.notice_rule, HasSubstr("the time the hub stored it"));
  EXPECT_THAT(by_source.liability.notice_rule, HasSubstr("source system's own send time"));
}

// 5 kap. 4 §, 2 kap. 3 §: a notice without a source time counts by the stored time under
// `source` too, and says so; the source time also counts for the 24 h of the
// inskrivningsmeddelande.
TEST(CaseNoticeTimes, FiveKap4WithoutASourceTimeTheStoredTimeCountsUnderSourceToo) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-06", 8, 0), L("2022-05-07", 8, 30));  // stored 24.5 h after
  SourceSent(t, "insk", L("2022-05-07", 7, 50));                          // sent within 24 h
  t.Utskrivningsklar("klar", L("2022-05-09", 12, 1));
  t.Utskrivning("utskr", L("2022-05-16", 10, 0));
  const Agreement source = With(Agreement::SentTime::kSource, Agreement::NotifiedWhen::kStored);

  EXPECT_EQ(StateOf(Evaluate(t, Law(), kLater), "inskrivningsmeddelande"), "missed");
  const Outcome o = Evaluate(t, source, kLater);
  EXPECT_EQ(StateOf(o, "inskrivningsmeddelande"), "met") << "sent 07:50, within 24 h (2 kap. 3 §)";
  EXPECT_EQ(AppliedTimeName(*FindNoticeTimes(o.c, "klar"), source), "stored (no source time)");
  EXPECT_EQ(o.liability.periods[0].first_billable_day, D("2022-05-13"));
  EXPECT_TRUE(o.liability.liable);
  // 40 minutes apart, same day, same side of nothing that matters: beyond the 5-minute skew.
  EXPECT_THAT(SourceTimeDivergence(*FindNoticeTimes(o.c, "insk"), source),
              HasSubstr("40 min before the stored time (more than the agreement's 5 min)"));
}

// The skew is the agreement's: 3 minutes apart on the same side of the cut-off is not flagged
// under the default 5 minutes, and is under 2.
TEST(CaseNoticeTimes, FiveKap4TheSkewFlagIsTheAgreements) {
  Timeline t = Admitted();
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 3));
  SourceSent(t, "klar", L("2022-05-09", 10, 0));
  const Outcome o = Evaluate(t, Law(), kLater);
  const NoticeTimes* times = FindNoticeTimes(o.c, "klar");
  ASSERT_NE(times, nullptr);
  EXPECT_EQ(SourceTimeDivergence(*times, Law()), "");
  Agreement tight = Law();
  tight.source_time_skew = minutes{2};
  EXPECT_THAT(SourceTimeDivergence(*times, tight), HasSubstr("3 min before"));
}

// ---- Item 5: 5 kap. 3 § "underrättat": stored, delivered or receipted -----------------------

// Notice stored Mon 05-09 10:00, discharged Mon 05-16.
Timeline NoticeMonday() {
  Timeline t = Admitted();
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  t.Utskrivning("utskr", L("2022-05-16", 10, 0));
  return t;
}

const Agreement& Delivery() {
  static const Agreement a = With(Agreement::SentTime::kStored, Agreement::NotifiedWhen::kDelivered);
  return a;
}
const Agreement& Receipts() {
  static const Agreement a = With(Agreement::SentTime::kStored, Agreement::NotifiedWhen::kReceipted);
  return a;
}

// 5 kap. 3 § första stycket 2: under `delivered`, a notice the hub stored but never delivered to
// the kommun's system has not been given, and starts no liability. The default counts it as
// stored, as before.
TEST(CaseNoticeTimes, FiveKap3AStoredButNeverDeliveredNoticeStartsNoLiabilityUnderDelivered) {
  const Timeline t = NoticeMonday();
  const Outcome o = Evaluate(t, Delivery(), kLater);
  ASSERT_EQ(o.liability.periods.size(), 1u);
  ASSERT_TRUE(o.liability.periods[0].notice_given.has_value());
  EXPECT_EQ(o.liability.periods[0].notice_given->state, State::kFailed);
  EXPECT_TRUE(BilledDates(o.liability).empty()) << Decisions(o);
  EXPECT_FALSE(o.liability.liable);
  EXPECT_THAT(o.liability.notes, Contains(HasSubstr("before the notice was given")));

  const Outcome law = Evaluate(t, Law(), kLater);
  EXPECT_EQ(BilledDates(law.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-13", "2022-05-14", "2022-05-15"}));
  EXPECT_FALSE(law.liability.periods[0].notice_given.has_value());
}

// While the patient is still in hospital the undelivered notice is not yet known to fail: the
// liability is provisional, nothing billed, and the delivery (a fact the core feeds in) starts it.
TEST(CaseNoticeTimes, FiveKap3AnUndeliveredNoticeOfAPatientStillInHospitalIsPending) {
  Timeline t = Admitted();
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  const TimePoint now = L("2022-05-14", 12, 0);
  const Outcome before = Evaluate(t, Delivery(), now);
  ASSERT_TRUE(before.liability.periods[0].notice_given.has_value());
  EXPECT_EQ(before.liability.periods[0].notice_given->state, State::kNotYetKnown);
  EXPECT_TRUE(before.liability.provisional);
  EXPECT_TRUE(BilledDates(before.liability).empty());

  Delivered(t, "klar", L("2022-05-09", 10, 0, 2));
  const Outcome after = Evaluate(t, Delivery(), now);
  EXPECT_EQ(BilledDates(after.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-13", "2022-05-14"}));
}

// 5 kap. 4 §: delivered a day late (the kommun's system was down until Tue 05-10 09:00), the
// notice counts from Tuesday: first billable day Fri 05-13 instead of Thu 05-12.
TEST(CaseNoticeTimes, FiveKap4DeliveredOneDayLaterMovesTheFirstBillableDay) {
  Timeline t = NoticeMonday();
  Delivered(t, "klar", L("2022-05-10", 9, 0));
  const Outcome o = Evaluate(t, Delivery(), kLater);
  ASSERT_EQ(o.liability.periods.size(), 1u);
  EXPECT_EQ(o.liability.periods[0].notice_sent_at, L("2022-05-10", 9, 0));
  EXPECT_EQ(o.liability.periods[0].first_billable_day, D("2022-05-13"));
  EXPECT_EQ(BilledDates(o.liability),
            (std::vector<std::string>{"2022-05-13", "2022-05-14", "2022-05-15"}));
  EXPECT_EQ(Evaluate(t, Law(), kLater).liability.periods[0].first_billable_day, D("2022-05-12"))
      << "the default counts the stored time, whatever the delivery";
}

// 5 kap. 4 §, receipted: the kommun's receipt says it received the notice Tue 05-10 09:30; a
// receipt from another system (a vårdcentral) does not count. First billable day Fri 05-13.
TEST(CaseNoticeTimes, FiveKap4ReceiptedOneDayLaterMovesTheFirstBillableDay) {
  Timeline t = NoticeMonday();
  t.Receipt("kv-insk", "insk", L("2022-05-06", 9, 5), L("2022-05-06", 9, 6));
  t.Receipt("kv-klar", "klar", L("2022-05-10", 9, 30), L("2022-05-10", 9, 31));
  const Outcome o = Evaluate(t, Receipts(), kLater);
  EXPECT_EQ(o.liability.periods[0].first_billable_day, D("2022-05-13")) << Decisions(o);
  EXPECT_EQ(BilledDates(o.liability),
            (std::vector<std::string>{"2022-05-13", "2022-05-14", "2022-05-15"}));
  EXPECT_EQ(AppliedTimeName(*FindNoticeTimes(o.c, "klar"), Receipts()), "receipted");

  // The same receipt from a vårdcentral's system is not the kommun's.
  Timeline vc = NoticeMonday();
  vc.Receipt("kv-insk", "insk", L("2022-05-06", 9, 5), L("2022-05-06", 9, 6));
  vc.Receipt("kv-klar", "klar", L("2022-05-10", 9, 30), L("2022-05-10", 9, 31));
  EventOf(vc, "kv-klar").envelope.mutable_receipt()->set_receiving_system("vc-SE2321000131-VC1");
  const Outcome not_kommun = Evaluate(vc, Receipts(), kLater);
  EXPECT_TRUE(BilledDates(not_kommun.liability).empty());
  EXPECT_EQ(not_kommun.liability.periods[0].notice_given->state, State::kFailed);
}

// 5 kap. 3 § första stycket 1, 2 kap. 3 §: under `delivered` the inskrivningsmeddelande too must
// reach the kommun's system within 24 hours: stored in time but delivered 30 hours after the
// admission, the precondition fails and nothing is billed. The default judges it stored in time.
TEST(CaseNoticeTimes, FiveKap3AnInskrivningsmeddelandeDeliveredLateFailsThePrecondition) {
  Timeline t = NoticeMonday();
  Delivered(t, "insk", L("2022-05-07", 14, 0));
  Delivered(t, "klar", L("2022-05-09", 10, 0, 2));
  const Outcome o = Evaluate(t, Delivery(), kLater);
  EXPECT_EQ(StateOf(o, "inskrivningsmeddelande"), "missed");
  EXPECT_TRUE(BilledDates(o.liability).empty());
  EXPECT_FALSE(o.liability.liable);
  EXPECT_EQ(StateOf(Evaluate(t, Law(), kLater), "inskrivningsmeddelande"), "met");

  // Never delivered: missed once the 24 hours are over, with the reason.
  Timeline never = NoticeMonday();
  EventOf(never, "insk").kommun_delivered_at.reset();
  const Outcome n = Evaluate(never, Delivery(), kLater);
  const Deadline* d = FindDeadline(n.deadlines, "inskrivningsmeddelande");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->state, DeadlineState::kMissed);
  EXPECT_THAT(d->note, HasSubstr("not yet delivered to the kommun's system"));
}

// 4 kap. 3 § ("efter det att en underrättelse ... har lämnats"), 5 kap. 3 § andra stycket: under
// `delivered` the kallelse is due three days after the notice was delivered, and counts when it
// is delivered itself.
TEST(CaseNoticeTimes, FourKap3TheKallelseCountsFromAndWhenDelivered) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-06", 8, 0), L("2022-05-06", 9, 0), InskOptions().Sip(true));
  Delivered(t, "insk", L("2022-05-06", 9, 0, 30));
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  Delivered(t, "klar", L("2022-05-10", 9, 0));  // due end of Fri 05-13 instead of Thu 05-12
  t.Kallelse("kallelse", L("2022-05-13", 10, 0));
  Delivered(t, "kallelse", L("2022-05-13", 10, 1));
  t.Utskrivning("utskr", L("2022-05-20", 10, 0));

  const Outcome o = Evaluate(t, Delivery(), kLater);
  const Deadline* k = FindDeadline(o.deadlines, "kallelse-sip");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(*k->due, L("2022-05-14", 0, 0));
  EXPECT_EQ(k->state, DeadlineState::kMet);
  EXPECT_EQ(k->met_at, L("2022-05-13", 10, 1));
  EXPECT_TRUE(o.liability.liable);
  // The default: due end of Thu 05-12, the kallelse on Fri is late and nothing is billed.
  EXPECT_EQ(StateOf(Evaluate(t, Law(), kLater), "kallelse-sip"), "missed");
}

// The default reading ("stored") is unchanged by the new facts: a timeline with source times,
// deliveries and receipts gives exactly what the same timeline without them gives.
TEST(CaseNoticeTimes, FiveKap4TheDefaultIgnoresSourceDeliveryAndReceiptTimes) {
  Timeline plain = NoticeMonday();
  Timeline rich = NoticeMonday();
  SourceSent(rich, "klar", L("2022-05-09", 9, 0));
  Delivered(rich, "klar", L("2022-05-11", 9, 0));
  rich.Receipt("kv-klar", "klar", L("2022-05-11", 9, 30), L("2022-05-11", 9, 31));
  const Outcome a = Evaluate(plain, Law(), kLater);
  const Outcome b = Evaluate(rich, Law(), kLater);
  EXPECT_EQ(BilledDates(a.liability), BilledDates(b.liability));
  EXPECT_EQ(a.liability.total_amount_kr, b.liability.total_amount_kr);
  EXPECT_EQ(a.liability.periods[0].notice_sent_at, b.liability.periods[0].notice_sent_at);
  EXPECT_TRUE(Law().NoticesCountWhenStored());
}

// The parameters load from an agreement file, and the shipped law file keeps the defaults.
TEST(CaseNoticeTimes, TheParametersAreTheAgreementFilesAndDefaultToStored) {
  EXPECT_EQ(Law().sent_time, Agreement::SentTime::kStored);
  EXPECT_EQ(Law().notified_when, Agreement::NotifiedWhen::kStored);
  const Agreement halland = Shipped("region-halland.xml");
  EXPECT_TRUE(halland.NoticesCountWhenStored());
}

}  // namespace
}  // namespace slussen
