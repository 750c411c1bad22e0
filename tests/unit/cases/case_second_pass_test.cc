// Issue 15, the second pass over the case logic: each scenario names the paragraph or routine it
// checks, with the injected evaluation time ("now").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "unit/cases/case_test_support.h"

namespace slussen {
namespace {

using namespace casetest;  // NOLINT(google-build-using-namespace): test vocabulary
using ::testing::Contains;
using ::testing::HasSubstr;
using State = LiabilityPrecondition::State;

// Admitted Fri 2022-05-06, SIP expected (4 kap. 1 §).
Timeline SipCase() {
  Timeline t;
  const TimePoint admitted = L("2022-05-06", 8, 0);
  t.Inskrivning("insk", admitted, admitted + hours{1}, InskOptions().Sip(true));
  return t;
}

// ---- 1: the kallelse after a renewed notice (4 kap. 3 §, 5 kap. 3 § andra stycket, 5 kap. 4 §)

// Notice Mon 05-09 (kallelse due end of Thu 05-12), withdrawn Tue 05-10, renewed Fri 05-13 (due
// end of Mon 05-16), kallelse Sun 05-15, discharged Fri 05-20. The liability counts from the
// renewed notice (5 kap. 4 §), and so does the kallelse: in time for the notice in force.
TEST(CaseSecondPass, AKallelseInTimeForTheRenewedNoticeKeepsItsLiability) {
  Timeline t = SipCase();
  t.Utskrivningsklar("klar-1", L("2022-05-09", 10, 0));
  t.Withdrawn("ater", "klar-1", L("2022-05-10", 10, 0));
  t.Utskrivningsklar("klar-2", L("2022-05-13", 10, 0));
  t.Kallelse("kallelse", L("2022-05-15", 10, 0));
  t.Utskrivning("utskr", L("2022-05-20", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-06-01", 0, 0));

  const Deadline* kallelse = FindDeadline(o.deadlines, "kallelse-sip");
  ASSERT_NE(kallelse, nullptr);
  EXPECT_EQ(*kallelse->due, L("2022-05-17", 0, 0)) << "end of Mon 05-16, from the renewed notice";
  EXPECT_EQ(StateOf(o, "kallelse-sip"), "met");
  EXPECT_THAT(kallelse->note, HasSubstr("for the first notice (klar-1) it was missed"));

  ASSERT_EQ(o.liability.periods.size(), 2u);
  ASSERT_TRUE(o.liability.periods[0].kallelse.has_value());
  EXPECT_EQ(o.liability.periods[0].kallelse->state, State::kFailed);
  ASSERT_TRUE(o.liability.periods[1].kallelse.has_value());
  EXPECT_EQ(o.liability.periods[1].kallelse->state, State::kMet);
  // Renewed Fri 05-13 10:00: first billable day Mon 05-16, discharged Fri 05-20.
  EXPECT_EQ(BilledDates(o.liability),
            (std::vector<std::string>{"2022-05-16", "2022-05-17", "2022-05-18", "2022-05-19"}))
      << Decisions(o);
  EXPECT_TRUE(o.liability.liable);
  EXPECT_FALSE(o.liability.provisional);
}

// The same renewal, but the kallelse came Tue 05-17, after both counts: neither period is billed.
TEST(CaseSecondPass, AKallelseLateForTheRenewedNoticeTooBillsNothing) {
  Timeline t = SipCase();
  t.Utskrivningsklar("klar-1", L("2022-05-09", 10, 0));
  t.Withdrawn("ater", "klar-1", L("2022-05-10", 10, 0));
  t.Utskrivningsklar("klar-2", L("2022-05-13", 10, 0));
  t.Kallelse("kallelse", L("2022-05-17", 10, 0));
  t.Utskrivning("utskr", L("2022-05-20", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_EQ(StateOf(o, "kallelse-sip"), "missed");
  EXPECT_TRUE(BilledDates(o.liability).empty()) << Decisions(o);
  EXPECT_FALSE(o.liability.liable);
  EXPECT_THAT(o.liability.notes, Contains(HasSubstr("notice klar-2: the kallelse to SIP was not "
                                                    "sent within 3 days of it")));
}

// A kallelse sent in time for the first notice serves the renewed one as well: the SIP was called.
TEST(CaseSecondPass, AKallelseForTheFirstNoticeServesTheRenewedOne) {
  Timeline t = SipCase();
  t.Utskrivningsklar("klar-1", L("2022-05-09", 10, 0));
  t.Kallelse("kallelse", L("2022-05-10", 9, 0));
  t.Withdrawn("ater", "klar-1", L("2022-05-10", 10, 0));
  t.Utskrivningsklar("klar-2", L("2022-05-13", 10, 0));
  t.Utskrivning("utskr", L("2022-05-20", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_EQ(StateOf(o, "kallelse-sip"), "met");
  EXPECT_EQ(BilledDates(o.liability).size(), 4u) << Decisions(o);
}

// ---- 11: pauses (5 kap. 5 §) ----------------------------------------------------------------

// Notice Mon 05-09 10:00 (first billable Thu 05-12), discharged Tue 05-17. A second START while a
// pause is open continues that pause; the END ends it. Before, the first pause stayed open for
// ever and no later day was billed.
TEST(CaseSecondPass, ASecondStartWhileAPauseIsOpenContinuesItAndOneEndEndsIt) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-07", 8, 0), L("2022-05-07", 9, 0));
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  t.ClockStopper("start-1", v1::ClockStopper::START, L("2022-05-13", 10, 0));
  t.ClockStopper("start-2", v1::ClockStopper::START, L("2022-05-13", 15, 0));
  t.ClockStopper("end", v1::ClockStopper::END, L("2022-05-14", 18, 0));
  t.Utskrivning("utskr", L("2022-05-17", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  ASSERT_EQ(o.c.pauses.size(), 1u);
  EXPECT_EQ(o.c.pauses[0].from, L("2022-05-13", 10, 0));
  EXPECT_EQ(o.c.pauses[0].until, L("2022-05-14", 18, 0));
  EXPECT_EQ(BilledDates(o.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-15", "2022-05-16"}))
      << Decisions(o);
  EXPECT_THAT(o.c.notes, Contains(HasSubstr("clock stopper START start-2 while the pause since")));
}

// An END without a START is shown and changes nothing; a later START..END still counts.
TEST(CaseSecondPass, AnEndWithoutAStartIsANoteAndChangesNothing) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-07", 8, 0), L("2022-05-07", 9, 0));
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  t.ClockStopper("end-0", v1::ClockStopper::END, L("2022-05-12", 10, 0));
  t.ClockStopper("start", v1::ClockStopper::START, L("2022-05-13", 10, 0));
  t.ClockStopper("end", v1::ClockStopper::END, L("2022-05-14", 18, 0));
  t.Utskrivning("utskr", L("2022-05-17", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  ASSERT_EQ(o.c.pauses.size(), 1u);
  EXPECT_EQ(BilledDates(o.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-15", "2022-05-16"}));
  EXPECT_THAT(o.c.notes, Contains(HasSubstr("clock stopper END end-0 without a START")));
}

// ---- 2: the care type in the average model (Stockholm 2020 [S13] [S14], routine [S9]) ------

// Kommun 0180, May 2022. Two somatic stays of 4 and 2 days as utskrivningsklar, and one
// psychiatric stay of 6 days. Apart: somatic average 3.0 (threshold 3.0) bills nothing, the
// psychiatric 6 against 5.0 bills 1 day. Together they would have been 12 days over 3 patients,
// average 4.0, billing 3 days, and the psychiatric rule would never have mattered.
TEST(CaseSecondPass, SomaticAndPsychiatricStaysAreAveragedApart) {
  const Agreement stockholm = Shipped("region-stockholm.xml");
  ASSERT_EQ(stockholm.AverageThreshold(true), 5.0);
  ASSERT_EQ(stockholm.AverageThreshold(false), 3.0);
  auto stay = [](const std::string& id, TimePoint notice, int days, v1::CareType care) {
    Timeline t("0180");
    t.Inskrivning(id + "-insk", notice - hours{48}, notice - hours{47}, InskOptions().Care(care));
    t.Utskrivningsklar(id + "-klar", notice, care);
    t.Utskrivning(id + "-utskr", notice + hours{24 * days});
    return BuildCase(id, t.events());
  };
  const std::vector<CaseState> cases = {
      stay("s1", L("2022-05-02", 10, 0), 4, v1::SOMATIC),
      stay("s2", L("2022-05-09", 10, 0), 2, v1::SOMATIC),
      stay("p1", L("2022-05-16", 10, 0), 6, v1::PSYCHIATRIC),
  };
  const TimePoint now = L("2022-06-05", 12, 0);
  const AverageModelRow somatic = AverageModelReport(cases, "0180", 2022, 5, stockholm, now, false);
  EXPECT_EQ(somatic.patients_in_average, 2);
  EXPECT_EQ(somatic.days_in_average, 6);
  EXPECT_DOUBLE_EQ(somatic.billable_days_average, 0.0);
  const AverageModelRow psychiatric = AverageModelReport(cases, "0180", 2022, 5, stockholm, now, true);
  EXPECT_TRUE(psychiatric.psychiatric);
  EXPECT_EQ(psychiatric.patients_in_average, 1);
  EXPECT_EQ(psychiatric.days_in_average, 6);
  EXPECT_DOUBLE_EQ(psychiatric.threshold_days, 5.0);
  EXPECT_DOUBLE_EQ(psychiatric.billable_days_average, 1.0);
  EXPECT_EQ(psychiatric.case_ids, std::vector<std::string>{"p1"});
}

// ---- 3: no silent placeholder amounts (5 kap. 6 §) -----------------------------------------

// The law's file: 2022 confirmed [S12], 2023 unconfirmed (a secondary source), 2024 not listed.
// A stay across 2022-12-30 .. 2024-01-03 bills each day at what its year has, and says which
// amounts are not confirmed.
TEST(CaseSecondPass, EachBilledDaySaysWhetherItsAmountIsConfirmed) {
  Timeline t;
  t.Inskrivning("insk", L("2022-12-20", 8, 0), L("2022-12-20", 9, 0));
  t.Utskrivningsklar("klar", L("2022-12-26", 10, 0));  // first billable Thu 12-29
  t.Utskrivning("utskr", L("2023-01-02", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2023-02-01", 0, 0));
  ASSERT_EQ(o.liability.periods.size(), 1u);
  const auto& days = o.liability.periods[0].billed_days;
  ASSERT_EQ(days.size(), 4u) << Decisions(o);  // 12-29, 12-30, 12-31, 01-01
  EXPECT_TRUE(days[0].amount_confirmed);
  EXPECT_EQ(days[0].amount_year, 2022);
  EXPECT_EQ(days[0].amount_kr, 9300);
  EXPECT_FALSE(days[3].amount_confirmed);
  EXPECT_EQ(days[3].amount_year, 2023);
  EXPECT_EQ(days[3].amount_kr, 10500);
  EXPECT_TRUE(o.liability.unconfirmed_amounts);

  Agreement a = Law();
  a.amount_per_day_kr = {{2022, 9300}};
  a.amount_provenance = {{2022, {true, "[S12]"}}};
  const Outcome only_2022 = Evaluate(t, a, L("2023-02-01", 0, 0));
  const auto& later = only_2022.liability.periods[0].billed_days;
  ASSERT_EQ(later.size(), 4u);
  EXPECT_EQ(later[3].amount_year, 2022) << "2023 is not listed: 2022's amount stands in";
  EXPECT_FALSE(later[3].amount_confirmed) << "but it is not confirmed for a 2023 day";
  EXPECT_THAT(only_2022.liability.notes,
              Contains(HasSubstr("2023 has no amount of its own in the agreement")));

  Agreement confirmed = a;
  const Outcome all_2022 = Evaluate(t.StoredBy(L("2022-12-31", 12, 0)), confirmed,
                                    L("2022-12-31", 12, 0));
  EXPECT_FALSE(all_2022.liability.unconfirmed_amounts) << Decisions(all_2022);
}

// ---- 13: the kallelse deadline's reading (4 kap. 3 §) -----------------------------------------

// Notice Mon 2022-05-09 10:00. Read as whole days the kallelse is due by the end of Thu 05-12; read
// as 72 hours, by Thu 10:00. A kallelse Thu 15:00 is in time under the first reading only.
TEST(CaseSecondPass, TheKallelseDeadlinesReadingIsAParameter) {
  Timeline t = SipCase();
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  t.Kallelse("kallelse", L("2022-05-12", 15, 0));
  t.Utskrivning("utskr", L("2022-05-20", 10, 0));
  const Outcome days = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_EQ(*FindDeadline(days.deadlines, "kallelse-sip")->due, L("2022-05-13", 0, 0));
  EXPECT_EQ(StateOf(days, "kallelse-sip"), "met");

  Agreement hours72 = Law();
  hours72.sip_kallelse_reading = Agreement::SipKallelseReading::kElapsedHours;
  const Outcome elapsed = Evaluate(t, hours72, L("2022-06-01", 0, 0));
  EXPECT_EQ(*FindDeadline(elapsed.deadlines, "kallelse-sip")->due, L("2022-05-12", 10, 0));
  EXPECT_EQ(StateOf(elapsed, "kallelse-sip"), "missed");
  EXPECT_FALSE(elapsed.liability.liable);
}

}  // namespace
}  // namespace slussen
