// NextEvaluationAt promises that a case's evaluation cannot change before the instant it names.
// Checked as a property over the scenario timelines: evaluate at t0, ask for the next instant,
// and sample the evaluation every 10 minutes up to it (and 1 us before it) — every sample must
// equal the one at t0; then walk on from that instant, for two weeks of case life.
#include "cases/next_evaluation.h"

#include <gtest/gtest.h>

#include "unit/cases/case_test_support.h"

namespace slussen::casetest {
namespace {

using std::chrono::microseconds;

Agreement Law() { return Shipped("lag-2017-612.xml"); }
Agreement Halland() { return Shipped("region-halland.xml"); }

// Walks from `start` to `end`; returns the number of re-evaluation instants it visited.
int CheckNeverChangesEarly(const Timeline& t, const Agreement& a, TimePoint start, TimePoint end) {
  int instants = 0;
  TimePoint now = start;
  while (now < end) {
    const Outcome at = Evaluate(t.StoredBy(now), a, now);
    const auto next = NextEvaluationAt(at.c, at.deadlines, at.liability, a, now);
    const TimePoint stop = next ? std::min(*next, end) : end;
    if (next) {
      EXPECT_GT(*next, now);
    }
    const std::string expected = Decisions(at);
    for (TimePoint s = now + std::chrono::minutes(10); s < stop; s += std::chrono::minutes(10)) {
      // New events change a case too; only time passing is under test here.
      if (t.StoredBy(s).events().size() != t.StoredBy(now).events().size()) break;
      EXPECT_EQ(Decisions(Evaluate(t.StoredBy(now), a, s)), expected)
          << "changed at " << Local(s) << " before the promised " << (next ? Local(*next) : "never")
          << " (evaluated at " << Local(now) << ")";
    }
    if (!next) break;
    if (stop - microseconds(1) > now) {
      EXPECT_EQ(Decisions(Evaluate(t.StoredBy(now), a, stop - microseconds(1))), expected)
          << "changed just before " << Local(stop);
    }
    ++instants;
    // The next event's arrival is also an instant of re-evaluation (the core does it then).
    TimePoint following = stop;
    for (const auto& e : t.events()) {
      if (e.stored_at > now && e.stored_at < following) following = e.stored_at;
    }
    now = following;
  }
  return instants;
}

TEST(NextEvaluationAt, DeadlinesBecomeAtRiskAndMissedOnlyAtTheNamedInstants) {
  // SIP required, no kallelse is ever sent: 4 kap. 3 § goes pending -> at risk -> missed while
  // nothing arrives; liability days accrue daily.
  Timeline t;
  t.Inskrivning("e1", L("2026-03-02", 8, 0), L("2026-03-02", 9, 0), InskOptions().Sip())
      .Utskrivningsklar("e2", L("2026-03-05", 10, 0));
  const int instants = CheckNeverChangesEarly(t, Law(), L("2026-03-02", 9, 0), L("2026-03-16", 0, 0));
  EXPECT_GE(instants, 10);
  // The kallelse deadline is missed with no new event: the at-risk and due instants were named.
  const Outcome later = Evaluate(t, Law(), L("2026-03-12", 0, 0));
  EXPECT_EQ(StateOf(later, "kallelse-sip"), "missed");
}

TEST(NextEvaluationAt, HallandPlanningAnswerAndEstimate) {
  Timeline t;
  t.Inskrivning("e1", L("2026-10-20", 22, 0), L("2026-10-21", 7, 0),
                InskOptions().Estimate(L("2026-10-27", 12, 0)))
      .PlanningRequest("e2", L("2026-10-22", 10, 0))
      .Utskrivningsklar("e3", L("2026-10-24", 11, 30))  // across the October DST change
      .Utskrivning("e4", L("2026-10-29", 15, 0));
  CheckNeverChangesEarly(t, Halland(), L("2026-10-21", 7, 0), L("2026-11-02", 0, 0));
}

TEST(NextEvaluationAt, ASettledCaseNeedsNoMoreEvaluation) {
  Timeline t;
  t.Inskrivning("e1", L("2026-03-02", 8, 0), L("2026-03-02", 9, 0))
      .Utskrivningsklar("e2", L("2026-03-03", 10, 0))
      .Utskrivning("e3", L("2026-03-04", 12, 0));
  const TimePoint now = L("2026-03-06", 0, 0);
  const Outcome o = Evaluate(t, Law(), now);
  EXPECT_FALSE(NextEvaluationAt(o.c, o.deadlines, o.liability, Law(), now));

  Timeline cancelled = t;
  cancelled.Cancellation("e9", "", L("2026-03-04", 13, 0));
  const Outcome c = Evaluate(cancelled, Law(), now);
  EXPECT_FALSE(NextEvaluationAt(c.c, c.deadlines, c.liability, Law(), now));
}

TEST(NextEvaluationAt, AnOpenCaseIsLookedAtAtLeastDaily) {
  Timeline t;
  t.Inskrivning("e1", L("2026-03-02", 8, 0), L("2026-03-02", 9, 0));
  const TimePoint now = L("2026-03-10", 15, 0);
  const Outcome o = Evaluate(t, Law(), now);
  const auto next = NextEvaluationAt(o.c, o.deadlines, o.liability, Law(), now);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, L("2026-03-11", 0, 0));
}

}  // namespace
}  // namespace slussen::casetest

namespace slussen::casetest {
namespace {

// Halland's ±1 dygn rule (samverkansrutin 2022 [S20], issue 15 item 8) as time passes: the
// estimate in force passed by more than 24 elapsed hours is a deviation at that instant, which
// the timer names exactly (the elapsed reading: no midnight safety net lands on it).
TEST(NextEvaluationAt, HallandEstimatePassedByMoreThanOneDygnAtTheNamedInstant) {
  Agreement elapsed = Halland();
  elapsed.estimate_change_counting = Agreement::EstimateChangeCounting::kElapsedHours;
  Timeline t;
  t.Inskrivning("e1", L("2026-03-02", 8, 0), L("2026-03-02", 9, 0),
                InskOptions().Estimate(L("2026-03-05", 14, 30)))
      .Utskrivningsklar("e2", L("2026-03-04", 10, 0))
      .EstimateChanged("e3", L("2026-03-09", 11, 15), L("2026-03-06", 16, 0));  // late
  CheckNeverChangesEarly(t, elapsed, L("2026-03-02", 9, 0), L("2026-03-14", 0, 0));
  const Outcome o = Evaluate(t, elapsed, L("2026-03-14", 0, 0));
  EXPECT_EQ(StateOf(o, "andrat-utskrivningsdatum"), "missed");
  EXPECT_EQ(FindDeadline(o.deadlines, "andrat-utskrivningsdatum")->due, L("2026-03-06", 14, 30));
  EXPECT_EQ(FindDeadline(o.deadlines, "andrat-utskrivningsdatum:2")->due, L("2026-03-10", 11, 15));
  CheckNeverChangesEarly(t, Halland(), L("2026-03-02", 9, 0), L("2026-03-14", 0, 0));
}

}  // namespace
}  // namespace slussen::casetest
