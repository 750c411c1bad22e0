// Issue 15, items 6, 7 and 10: the discharge as a fact of its own (3 kap. 2 §), the day
// conventions of the bill (5 kap. 1, 5 and 6 §§), and SIP applicability during the stay (4 kap.
// 1 and 3 §§). Each scenario names its paragraph; every `now` is injected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cases/next_evaluation.h"
#include "testing/files.h"
#include "unit/cases/case_test_support.h"

namespace slussen {
namespace {

using namespace casetest;  // NOLINT(google-build-using-namespace): test vocabulary
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using State = LiabilityPrecondition::State;

constexpr char kVardcentral[] = "SE2321000115-VC01";

// The events Timeline has no builder for, added with the same header (same case and patient).
v1::Envelope& Add(Timeline& t, const std::string& id, TimePoint occurred, TimePoint stored) {
  testing::EnvelopeSpec spec;
  spec.event_id = id;
  spec.care_unit = spec.hospital = "SE2321000131-E1";
  spec.episode = "vt-1";
  spec.kommunkod = "1380";
  spec.listed_vc.clear();
  t.mutable_events().push_back({testing::EnvelopeHeader(spec, occurred), stored});
  return t.mutable_events().back().envelope;
}

// The discharge itself (ADT A03 / XML <utskrivning>), stored 5 minutes later.
void Discharge(Timeline& t, const std::string& id, TimePoint at) {
  auto& env = Add(t, id, at, at + minutes{5});
  *env.mutable_utskrivning()->mutable_discharged_at() = testing::Ts(at);
}

void SipAssessment(Timeline& t, const std::string& id, bool expected, TimePoint stored,
                   v1::SamordnadVardplan vardplan = v1::SAMORDNAD_VARDPLAN_NONE,
                   const std::string& unit = "") {
  auto& env = Add(t, id, stored - minutes{1}, stored);
  auto* m = env.mutable_sip_bedomning();
  m->set_sip_expected(expected);
  m->set_reason(expected ? "behov av hemsjukvård tillkom" : "klarar sig med hemtjänst");
  m->set_samordnad_vardplan(vardplan);
  m->set_oppen_vard_unit_hsa_id(unit);
}

// A kallelse sent by `sender`, naming `fast_vardkontakt`.
void KallelseFrom(Timeline& t, const std::string& id, TimePoint stored, const std::string& sender,
                  const std::string& fast_vardkontakt) {
  t.Kallelse(id, stored);
  auto& env = t.mutable_events().back().envelope;
  env.set_sender_hsa_id(sender);
  env.mutable_kallelse_sip()->set_fast_vardkontakt_hsa_id(fast_vardkontakt);
}

// Admitted Sat 2022-05-07, notice Mon 05-09 10:00 (first billable day Thu 05-12).
Timeline NoticeCase(const InskOptions& o = InskOptions()) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-07", 8, 0), L("2022-05-07", 9, 0), o);
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  return t;
}

// ---- 6: the discharge is a fact of its own (3 kap. 2 §) ---------------------------------------

// Discharged Fri 05-13 14:00 (the ADT fact), and no utskrivningsmeddelande ever: the transfer of
// 3 kap. 2 § is at risk in the evening, missed once the discharge day has ended, and the core's
// timer is told to look again exactly then.
TEST(CaseFacts, ATransferNeverSentIsMissedAtTheEndOfTheDischargeDay_3kap2) {
  Timeline t = NoticeCase();
  Discharge(t, "ut", L("2022-05-13", 14, 0));

  const Outcome afternoon = Evaluate(t, Law(), L("2022-05-13", 15, 0));
  EXPECT_EQ(afternoon.c.status, CaseStatus::kDischarged);
  EXPECT_EQ(afternoon.c.discharge_source, "Utskrivning");
  EXPECT_EQ(StateOf(afternoon, "informationsoverforing"), "pending");
  const auto next = NextEvaluationAt(afternoon.c, afternoon.deadlines, afternoon.liability, Law(),
                                     L("2022-05-13", 15, 0));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, L("2022-05-13", 20, 0)) << "the at-risk horizon (4 h) before the end of the day";

  const Outcome evening = Evaluate(t, Law(), *next);
  EXPECT_EQ(StateOf(evening, "informationsoverforing"), "at-risk");
  const auto then = NextEvaluationAt(evening.c, evening.deadlines, evening.liability, Law(), *next);
  ASSERT_TRUE(then.has_value());
  EXPECT_EQ(*then, L("2022-05-14", 0, 0) + std::chrono::microseconds(1));

  const Outcome after = Evaluate(t, Law(), *then);
  const Deadline* d = FindDeadline(after.deadlines, "informationsoverforing");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(DeadlineStateName(d->state), "missed");
  EXPECT_EQ(*d->due, L("2022-05-14", 0, 0));
  EXPECT_THAT(d->note, HasSubstr("no utskrivningsmeddelande by the end of the day of discharge"));
  // The discharge ends the notice period too: billed up to the day before it.
  EXPECT_EQ(BilledDates(after.liability), (std::vector<std::string>{"2022-05-12"}))
      << Decisions(after);
}

// The same discharge with an utskrivningsmeddelande sent at 16:00 that day: met.
TEST(CaseFacts, ATransferOnTheDischargeDayMeetsIt_3kap2) {
  Timeline t = NoticeCase();
  Discharge(t, "ut", L("2022-05-13", 14, 0));
  t.Utskrivning("meddelande", L("2022-05-13", 14, 0), L("2022-05-13", 16, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-05-20", 0, 0));
  EXPECT_EQ(StateOf(o, "informationsoverforing"), "met");
  EXPECT_THAT(o.c.notes, Not(Contains(HasSubstr("gives the discharge as"))));
}

// The utskrivningsmeddelande says Sat 05-14 10:00 and was sent then; the patient left Fri 05-13
// 14:00 by the ADT fact. The fact counts (the discharge day is Friday, so the transfer was late,
// and Friday ends the billing), whichever of the two the hub received first; the disagreement is
// a note.
TEST(CaseFacts, TheDischargeFactTakesPrecedenceOverTheUtskrivningsmeddelande_3kap2) {
  Timeline t = NoticeCase();
  Discharge(t, "ut", L("2022-05-13", 14, 0));
  t.Utskrivning("meddelande", L("2022-05-14", 10, 0), L("2022-05-14", 10, 5));
  for (const bool fact_late : {false, true}) {
    Timeline arrival = t;
    if (fact_late) arrival.StoredAt("ut", L("2022-05-15", 9, 0));
    const Outcome o = Evaluate(arrival, Law(), L("2022-05-20", 0, 0));
    EXPECT_EQ(o.c.discharged_at, L("2022-05-13", 14, 0)) << "fact stored late: " << fact_late;
    EXPECT_EQ(o.c.discharge_source, "Utskrivning");
    EXPECT_EQ(o.c.utskrivningsmeddelande_discharged_at, L("2022-05-14", 10, 0));
    EXPECT_EQ(StateOf(o, "informationsoverforing"), "missed");
    EXPECT_EQ(BilledDates(o.liability), (std::vector<std::string>{"2022-05-12"})) << Decisions(o);
    EXPECT_THAT(o.c.notes, Contains(HasSubstr("the utskrivningsmeddelande gives the discharge as")));
  }
  // The meddelande's time is earlier in occurrence than the fact: the fact still decides.
  Timeline reversed = NoticeCase();
  Discharge(reversed, "ut", L("2022-05-13", 14, 0));
  reversed.Utskrivning("meddelande", L("2022-05-12", 9, 0), L("2022-05-12", 9, 5));
  const Outcome r = Evaluate(reversed, Law(), L("2022-05-20", 0, 0));
  EXPECT_EQ(r.c.discharged_at, L("2022-05-13", 14, 0));
  ASSERT_EQ(r.c.notices.size(), 1u);
  EXPECT_EQ(r.c.notices[0].ended_at, L("2022-05-13", 14, 0));
  EXPECT_EQ(BilledDates(r.liability), (std::vector<std::string>{"2022-05-12"})) << Decisions(r);
}

// Without the fact the utskrivningsmeddelande's time stands, as before; a cancelled fact (ADT A13)
// is no discharge.
TEST(CaseFacts, WithoutTheFactTheUtskrivningsmeddelandeGivesTheDischarge_3kap2) {
  Timeline t = NoticeCase();
  t.Utskrivning("meddelande", L("2022-05-13", 14, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-05-20", 0, 0));
  EXPECT_EQ(o.c.discharge_source, "Utskrivningsmeddelande");
  EXPECT_EQ(StateOf(o, "informationsoverforing"), "met");

  Timeline cancelled = NoticeCase();
  Discharge(cancelled, "ut", L("2022-05-13", 14, 0));
  cancelled.Cancellation("a13", "ut", L("2022-05-13", 15, 0));
  const Outcome c = Evaluate(cancelled, Law(), L("2022-05-13", 16, 0));
  EXPECT_FALSE(c.c.discharged_at.has_value());
  EXPECT_EQ(c.c.status, CaseStatus::kUtskrivningsklar);
}

// ---- 7: day conventions (5 kap. 1 §, 5 kap. 5 §, 5 kap. 6 §) -------------------------------------

std::string Convention(const LiabilityResult& r, std::string_view which) {
  for (const auto& line : r.conventions) {
    if (line.rfind(which, 0) == 0) return line;
  }
  return "absent";
}

// Notice Mon 05-09 10:00, discharged Mon 05-16 10:00. The law is silent on the day of discharge;
// the default leaves it unbilled (Socialstyrelsen's vårdtid convention), an agreement may bill it,
// and the result says which applied.
TEST(CaseFacts, TheDayOfDischargeIsBilledOnlyWhenTheAgreementSaysSo_5kap1) {
  Timeline t = NoticeCase();
  t.Utskrivning("meddelande", L("2022-05-16", 10, 0));
  const Outcome law = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_EQ(BilledDates(law.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-13", "2022-05-14", "2022-05-15"}));
  EXPECT_THAT(Convention(law.liability, "day of discharge"), HasSubstr("not billed (the default"));

  Agreement billed = Law();
  billed.bill_discharge_day = true;
  const Outcome o = Evaluate(t, billed, L("2022-06-01", 0, 0));
  EXPECT_EQ(BilledDates(o.liability), (std::vector<std::string>{"2022-05-12", "2022-05-13",
                                                                "2022-05-14", "2022-05-15",
                                                                "2022-05-16"}));
  EXPECT_THAT(Convention(o.liability, "day of discharge"), HasSubstr("billed ("));
}

// The average model counts days as utskrivningsklar with the same convention: notice Mon 05-09,
// discharged Mon 05-16 is 7 days (05-09..05-15), 8 when the day of discharge is billed.
TEST(CaseFacts, TheAverageModelCountsTheDayOfDischargeByTheSameConvention_5kap1) {
  Timeline t = NoticeCase();
  t.Utskrivning("meddelande", L("2022-05-16", 10, 0));
  const TimePoint now = L("2022-06-01", 0, 0);
  const std::vector<CaseState> cases = {BuildCase("vt-1", t.events())};
  EXPECT_EQ(AverageModelReport(cases, "1380", 2022, 5, Law(), now).days_in_average, 7);
  Agreement billed = Law();
  billed.bill_discharge_day = true;
  EXPECT_EQ(AverageModelReport(cases, "1380", 2022, 5, billed, now).days_in_average, 8);
}

// Withdrawn Sat 05-14 10:00, renewed the same day at 15:00 (first billable of the renewal: Tue
// 05-17 after the cut-off), discharged Thu 05-19 10:00. Billing the withdrawal day adds Saturday
// once, not twice.
TEST(CaseFacts, TheDayOfAWithdrawalIsBilledOnlyWhenTheAgreementSaysSo_5kap1) {
  Timeline t = NoticeCase();
  t.Withdrawn("ater", "klar", L("2022-05-14", 10, 0));
  t.Utskrivningsklar("klar-2", L("2022-05-14", 15, 0));
  t.Utskrivning("meddelande", L("2022-05-19", 10, 0));
  const Outcome law = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_EQ(BilledDates(law.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-13", "2022-05-18"}))
      << Decisions(law);
  EXPECT_THAT(Convention(law.liability, "day of a withdrawal"), HasSubstr("not billed"));

  Agreement billed = Law();
  billed.bill_withdrawal_day = true;
  billed.free_days_somatic = 0;  // the renewal bills from its own day: the overlap case
  billed.cutoff_local_time.reset();
  const Outcome o = Evaluate(t, billed, L("2022-06-01", 0, 0));
  EXPECT_EQ(BilledDates(o.liability),
            (std::vector<std::string>{"2022-05-09", "2022-05-10", "2022-05-11", "2022-05-12",
                                      "2022-05-13", "2022-05-14", "2022-05-15", "2022-05-16",
                                      "2022-05-17", "2022-05-18"}))
      << Decisions(o);
  EXPECT_THAT(Convention(o.liability, "day of a withdrawal"), HasSubstr("billed ("));
}

// A 5 kap. 5 § pause from Fri 05-13 10:00 to Sat 05-14 18:00, and one covering all of Mon 05-16:
// by default both partly paused days are left out; billing them leaves out the whole day only.
TEST(CaseFacts, APartlyPausedDayIsBilledOnlyWhenTheAgreementSaysSo_5kap5) {
  Timeline t = NoticeCase();
  t.ClockStopper("start-1", v1::ClockStopper::START, L("2022-05-13", 10, 0));
  t.ClockStopper("end-1", v1::ClockStopper::END, L("2022-05-14", 18, 0));
  t.ClockStopper("start-2", v1::ClockStopper::START, L("2022-05-16", 0, 0));
  t.ClockStopper("end-2", v1::ClockStopper::END, L("2022-05-17", 0, 0));
  t.Utskrivning("meddelande", L("2022-05-18", 10, 0));
  const Outcome law = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_EQ(BilledDates(law.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-15", "2022-05-17"}))
      << Decisions(law);
  EXPECT_THAT(Convention(law.liability, "partly paused day"), HasSubstr("not billed"));

  Agreement billed = Law();
  billed.partly_paused_day = Agreement::PartlyPausedDay::kBilled;
  const Outcome o = Evaluate(t, billed, L("2022-06-01", 0, 0));
  EXPECT_EQ(BilledDates(o.liability),
            (std::vector<std::string>{"2022-05-12", "2022-05-13", "2022-05-14", "2022-05-15",
                                      "2022-05-17"}))
      << Decisions(o);
  EXPECT_EQ(PausedDates(o.liability), (std::vector<std::string>{"2022-05-16"}));
}

// The agreement file carries the three conventions (schemas/agreement.xsd <day-conventions>);
// absent, each is the default.
TEST(CaseFacts, TheDayConventionsLoadFromTheAgreementFile_5kap1) {
  EXPECT_FALSE(Law().bill_discharge_day);
  EXPECT_FALSE(Law().bill_withdrawal_day);
  EXPECT_EQ(Law().partly_paused_day, Agreement::PartlyPausedDay::kNotBilled);

  std::string text = testing::ReadFile(
      (testing::SourceDir() / "config" / "agreements" / "lag-2017-612.xml").string());
  // The law's file writes the defaults out; turn each to "billed".
  for (const char* attr : {"discharge-day=", "withdrawal-day=", "partly-paused-day="}) {
    const std::string from = std::string(attr) + "\"not-billed\"";
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << attr;
    text.replace(at, from.size(), std::string(attr) + "\"billed\"");
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("slussen-day-conventions-" + std::to_string(::getpid()) + ".xml");
  std::ofstream(path) << text;
  const Agreement a = MustLoad(path.string());
  std::filesystem::remove(path);
  EXPECT_TRUE(a.bill_discharge_day);
  EXPECT_TRUE(a.bill_withdrawal_day);
  EXPECT_EQ(a.partly_paused_day, Agreement::PartlyPausedDay::kBilled);
}

// ---- 10: SIP applicability (4 kap. 1 §, 4 kap. 3 §, 5 kap. 3 § andra stycket) ---------------------

// Admitted without a SIP expected; notice Mon 05-09 10:00; on Wed 05-11 09:00 a new assessment
// (SipBedomning) makes it expected. The kallelse is due three days from the assessment (end of
// Sat 05-14), not from the notice (end of Thu 05-12): one sent Fri 05-13 is in time.
TEST(CaseFacts, ASipExpectedLaterIsCalledFromTheAssessment_4kap1_4kap3) {
  Timeline t = NoticeCase();
  const Outcome before = Evaluate(t, Law(), L("2022-05-10", 12, 0));
  EXPECT_EQ(StateOf(before, "kallelse-sip"), "absent");

  SipAssessment(t, "bedomning", true, L("2022-05-11", 9, 0));
  KallelseFrom(t, "kallelse", L("2022-05-13", 10, 0), kVardcentral, kVardcentral);
  t.Utskrivning("meddelande", L("2022-05-17", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_TRUE(o.c.sip_required);
  ASSERT_EQ(o.c.sip_assessments.size(), 2u);
  EXPECT_EQ(o.c.sip_assessments[1].reason, "behov av hemsjukvård tillkom");
  const Deadline* d = FindDeadline(o.deadlines, "kallelse-sip");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(*d->due, L("2022-05-15", 0, 0));
  EXPECT_EQ(DeadlineStateName(d->state), "met");
  EXPECT_THAT(d->note, HasSubstr("counted from the assessment"));
  EXPECT_EQ(BilledDates(o.liability).size(), 5u) << Decisions(o);
}

// SIP expected at admission, then no longer (the patient manages with hemtjänst alone): no
// kallelse is due, and the missing kallelse costs the region nothing.
TEST(CaseFacts, ASipNoLongerExpectedDropsTheKallelsePrecondition_4kap1) {
  Timeline t = NoticeCase(InskOptions().Sip(true));
  SipAssessment(t, "bedomning", false, L("2022-05-10", 9, 0));
  t.Utskrivning("meddelande", L("2022-05-17", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_FALSE(o.c.sip_required);
  EXPECT_EQ(StateOf(o, "kallelse-sip"), "absent");
  EXPECT_EQ(Precondition(o.liability, "4 kap. 3 §"), nullptr);
  EXPECT_TRUE(o.liability.liable) << Decisions(o);

  // Without the new assessment the same case fails the precondition.
  const Outcome without = Evaluate(t.Without("bedomning"), Law(), L("2022-06-01", 0, 0));
  EXPECT_FALSE(without.liability.liable);
}

// A psychiatric patient who is to have öppen psykiatrisk tvångsvård: the samordnad vårdplan of
// LPT 7 a § replaces the SIP (4 kap. 1 § andra stycket), so no kallelse is due, from the
// inskrivningsmeddelande or from a later assessment.
TEST(CaseFacts, ASamordnadVardplanUnderLptOrLrvReplacesTheSip_4kap1AndraStycket) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-07", 8, 0), L("2022-05-07", 9, 0),
                InskOptions().Sip(true).Care(v1::PSYCHIATRIC));
  t.mutable_events().back().envelope.mutable_inskrivningsmeddelande()->set_samordnad_vardplan(
      v1::SAMORDNAD_VARDPLAN_LPT);
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0), v1::PSYCHIATRIC);
  t.Utskrivning("meddelande", L("2022-05-17", 10, 0));
  const Outcome o = Evaluate(t, Law(), L("2022-06-01", 0, 0));
  EXPECT_EQ(StateOf(o, "kallelse-sip"), "absent");
  EXPECT_TRUE(o.liability.liable) << Decisions(o);
  EXPECT_THAT(o.liability.notes, Contains(HasSubstr("7 a § lag (1991:1128)")));

  // SIP expected at admission; a later assessment says öppen rättspsykiatrisk vård (LRV 12 a §).
  Timeline lrv = NoticeCase(InskOptions().Sip(true).Care(v1::PSYCHIATRIC));
  SipAssessment(lrv, "bedomning", true, L("2022-05-10", 9, 0), v1::SAMORDNAD_VARDPLAN_LRV);
  lrv.Utskrivning("meddelande", L("2022-05-17", 10, 0));
  const Outcome r = Evaluate(lrv, Law(), L("2022-06-01", 0, 0));
  EXPECT_EQ(StateOf(r, "kallelse-sip"), "absent");
  EXPECT_TRUE(r.liability.liable) << Decisions(r);
  EXPECT_THAT(r.liability.notes, Contains(HasSubstr("12 a § lag (1991:1129)")));
}

// 4 kap. 3 §: the kallelse comes from the patient's fast vårdkontakt in regionens öppna vård. A
// kallelse sent by the hospital, or by another unit than the öppen vård unit named to appoint the
// fast vårdkontakt, is flagged in the deadline's note and the liability's notes; it still counts
// as sent (the hub cannot see roles in the HSA catalogue).
TEST(CaseFacts, AKallelseNotFromTheFastVardkontaktInOppenVardIsFlagged_4kap3) {
  Timeline hospital = NoticeCase(InskOptions().Sip(true));
  KallelseFrom(hospital, "kallelse", L("2022-05-10", 10, 0), "SE2321000131-E1", "SE2321000131-E1");
  const Outcome h = Evaluate(hospital, Law(), L("2022-05-11", 0, 0));
  const Deadline* d = FindDeadline(h.deadlines, "kallelse-sip");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(DeadlineStateName(d->state), "met");
  EXPECT_THAT(d->note, HasSubstr("was sent by slutenvården (SE2321000131-E1)"));
  EXPECT_THAT(d->note, HasSubstr("names slutenvården (SE2321000131-E1) as fast vårdkontakt"));
  EXPECT_THAT(h.liability.notes, Contains(HasSubstr("flagged: kallelse kallelse was sent by slutenvården")));

  // The inskrivningsmeddelande named VC01; the kallelse came from VC02.
  Timeline other = NoticeCase(InskOptions().Sip(true));
  other.mutable_events().front().envelope.mutable_inskrivningsmeddelande()->set_oppen_vard_unit_hsa_id(
      kVardcentral);
  KallelseFrom(other, "kallelse", L("2022-05-10", 10, 0), "SE2321000115-VC02", "SE2321000115-VC02");
  const Outcome o = Evaluate(other, Law(), L("2022-05-11", 0, 0));
  d = FindDeadline(o.deadlines, "kallelse-sip");
  ASSERT_NE(d, nullptr);
  EXPECT_THAT(d->note, HasSubstr("was sent by SE2321000115-VC02, not by the öppen vård unit "
                                 "SE2321000115-VC01"));

  // From the named unit: nothing flagged.
  Timeline right = NoticeCase(InskOptions().Sip(true));
  right.mutable_events().front().envelope.mutable_inskrivningsmeddelande()->set_oppen_vard_unit_hsa_id(
      kVardcentral);
  KallelseFrom(right, "kallelse", L("2022-05-10", 10, 0), kVardcentral, kVardcentral);
  const Outcome r = Evaluate(right, Law(), L("2022-05-11", 0, 0));
  d = FindDeadline(r.deadlines, "kallelse-sip");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->note, "");
  EXPECT_THAT(r.liability.notes, Not(Contains(HasSubstr("flagged"))));
}

}  // namespace
}  // namespace slussen
