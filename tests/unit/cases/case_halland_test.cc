// Issue 15 items 8, 9 and 12: Region Halland's samverkansrutin 2022 [S20] (the ±1 dygn rule,
// the planning tracks, the 48-hour planeringsunderlag) and the paying kommun of 5 kap. 2 § lag
// (2017:612). Each scenario names the routine line or paragraph it checks; every `now` is
// injected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "cases/next_evaluation.h"
#include "unit/cases/case_test_support.h"

namespace slussen {
namespace {

using namespace casetest;  // NOLINT(google-build-using-namespace): test vocabulary
using ::testing::HasSubstr;
using Pu = v1::Planeringsunderlag;

const Agreement& Halland() {
  static const Agreement a = Shipped("region-halland.xml");
  return a;
}
Agreement HallandElapsed() {
  Agreement a = Halland();
  a.estimate_change_counting = Agreement::EstimateChangeCounting::kElapsedHours;
  return a;
}

v1::Envelope& Event(Timeline& t, const std::string& id) {
  for (auto& e : t.mutable_events()) {
    if (e.envelope.event_id() == id) return e.envelope;
  }
  throw std::invalid_argument("no event " + id);
}

void SetTrack(Timeline& t, const std::string& id, Pu::Track track) {
  Event(t, id).mutable_planeringsunderlag()->set_track(track);
}

// Admitted Mon 2022-05-02, estimated discharge Thu 2022-05-12 10:00, notice Mon 05-09 10:00.
Timeline EstimateCase(TimePoint estimate = L("2022-05-12", 10, 0)) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-02", 8, 0), L("2022-05-02", 9, 0),
                InskOptions().Estimate(estimate));
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  return t;
}

// ---- 8: the ±1 dygn rule ("Slutenvården ska kontakta kommunen om beräknat utskrivningsdatum
//         tidigareläggs eller flyttas fram mer än ett dygn", samverkansrutin 2022 [S20]) -----

// The estimate Thu 05-12 is passed by more than one dygn at the end of Fri 05-13 (calendar
// dates): with the patient still in hospital and no change notified, that is the deviation,
// dated then, not at the discharge. The discharge on Mon 05-16 adds none.
TEST(HallandDygnRule, AnEstimatePassedByMoreThanOneDygnIsADeviationWhenItHappens) {
  const Timeline t = EstimateCase();
  const Outcome before = Evaluate(t, Halland(), L("2022-05-13", 12, 0));
  EXPECT_EQ(StateOf(before, "andrat-utskrivningsdatum"), "pending") << Decisions(before);
  EXPECT_EQ(FindDeadline(before.deadlines, "andrat-utskrivningsdatum")->due, L("2022-05-14", 0, 0));

  const Outcome after = Evaluate(t, Halland(), L("2022-05-14", 0, 1));
  const Deadline* d = FindDeadline(after.deadlines, "andrat-utskrivningsdatum");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->state, DeadlineState::kMissed);
  EXPECT_EQ(d->due, L("2022-05-14", 0, 0));
  EXPECT_THAT(d->rule, HasSubstr("Halland"));
  EXPECT_THAT(d->note, HasSubstr("still in hospital and no new estimate notified"));

  // The core's timer names that instant: nothing before it, the state flips just after it.
  const Outcome late_evening = Evaluate(t, Halland(), L("2022-05-13", 23, 59));
  EXPECT_EQ(StateOf(late_evening, "andrat-utskrivningsdatum"), "at-risk");
  const auto next = NextEvaluationAt(late_evening.c, late_evening.deadlines, late_evening.liability,
                                     Halland(), L("2022-05-13", 23, 59));
  ASSERT_TRUE(next);
  EXPECT_LE(*next, L("2022-05-14", 0, 0) + std::chrono::microseconds(1));

  Timeline discharged = t;
  discharged.Utskrivning("utskr", L("2022-05-16", 10, 0));
  const Outcome o = Evaluate(discharged, Halland(), L("2022-06-01", 0, 0));
  EXPECT_EQ(StateOf(o, "andrat-utskrivningsdatum"), "missed");
  EXPECT_EQ(FindDeadline(o.deadlines, "andrat-utskrivningsdatum")->due, L("2022-05-14", 0, 0));
  EXPECT_EQ(StateOf(o, "andrat-utskrivningsdatum:2"), "absent") << Decisions(o);
  // The law has no such rule (2 kap. 4 §: "så snart det är möjligt", no threshold).
  EXPECT_EQ(StateOf(Evaluate(discharged, Law(), L("2022-06-01", 0, 0)), "andrat-utskrivningsdatum"),
            "absent");
}

// "Dygn" against a *datum*: Thu 10:00 to Fri 23:00 is one calendar day and passes under
// Halland's reading (estimate-change-counting="calendar"); 37 elapsed hours fail under the
// elapsed reading. Both readings are the agreement's, and the routine does not choose.
TEST(HallandDygnRule, OneCalendarDayIsNotMoreThanOneDygnUnderTheDateReading) {
  Timeline t = EstimateCase();
  t.Utskrivning("utskr", L("2022-05-13", 23, 0));
  EXPECT_EQ(StateOf(Evaluate(t, Halland(), L("2022-06-01", 0, 0)), "andrat-utskrivningsdatum"), "met");
  EXPECT_EQ(StateOf(Evaluate(t, HallandElapsed(), L("2022-06-01", 0, 0)), "andrat-utskrivningsdatum"),
            "missed");
  // Two calendar days later is more than one dygn under either reading.
  Timeline later = EstimateCase();
  later.Utskrivning("utskr", L("2022-05-14", 0, 30));
  EXPECT_EQ(StateOf(Evaluate(later, Halland(), L("2022-06-01", 0, 0)), "andrat-utskrivningsdatum"),
            "missed");
}

// Moved earlier: the estimate Mon 05-16, discharged Thu 05-12 10:00. A change notified a minute
// before the discharge is not "notified in time" (it must come at least one dygn ahead: on an
// earlier day under the date reading); one notified the day before is.
TEST(HallandDygnRule, AChangeNotifiedAMinuteBeforeTheDischargeDoesNotPass) {
  Timeline late = EstimateCase(L("2022-05-16", 10, 0));
  late.EstimateChanged("nytt", L("2022-05-12", 10, 0), L("2022-05-12", 9, 59));
  late.Utskrivning("utskr", L("2022-05-12", 10, 0));
  const Outcome o = Evaluate(late, Halland(), L("2022-06-01", 0, 0));
  const Deadline* d = FindDeadline(o.deadlines, "andrat-utskrivningsdatum");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->state, DeadlineState::kMissed) << Decisions(o);
  EXPECT_EQ(d->due, L("2022-05-12", 10, 0)) << "dated by the discharge";
  EXPECT_THAT(d->note, HasSubstr("came less than one dygn ahead"));
  // The same under the elapsed reading: 1 minute is not 24 hours.
  EXPECT_EQ(StateOf(Evaluate(late, HallandElapsed(), L("2022-06-01", 0, 0)),
                    "andrat-utskrivningsdatum"), "missed");

  Timeline in_time = EstimateCase(L("2022-05-16", 10, 0));
  in_time.EstimateChanged("nytt", L("2022-05-12", 10, 0), L("2022-05-11", 9, 0));
  in_time.Utskrivning("utskr", L("2022-05-12", 10, 0));
  EXPECT_EQ(StateOf(Evaluate(in_time, Halland(), L("2022-06-01", 0, 0)), "andrat-utskrivningsdatum"),
            "met");
}

// A change notified after the estimate was already passed does not undo that deviation; it is
// the new estimate in force, and passing it too is a second deviation with its own id.
TEST(HallandDygnRule, EachPassedEstimateIsItsOwnDeviation) {
  Timeline t = EstimateCase();
  t.EstimateChanged("nytt", L("2022-05-18", 10, 0), L("2022-05-15", 11, 0));
  const Outcome o = Evaluate(t, Halland(), L("2022-05-20", 0, 1));
  EXPECT_EQ(StateOf(o, "andrat-utskrivningsdatum"), "missed") << Decisions(o);
  EXPECT_EQ(FindDeadline(o.deadlines, "andrat-utskrivningsdatum")->due, L("2022-05-14", 0, 0));
  const Deadline* second = FindDeadline(o.deadlines, "andrat-utskrivningsdatum:2");
  ASSERT_NE(second, nullptr) << Decisions(o);
  EXPECT_EQ(second->state, DeadlineState::kMissed);
  EXPECT_EQ(second->due, L("2022-05-20", 0, 0));
  EXPECT_THAT(second->note, HasSubstr("nytt"));
  // Before the second estimate is passed it is the pending one, under the next id.
  const Outcome between = Evaluate(t, Halland(), L("2022-05-17", 12, 0));
  EXPECT_EQ(StateOf(between, "andrat-utskrivningsdatum:2"), "pending") << Decisions(between);
}

// ---- 9: the planning tracks (samverkansrutin 2022 [S20]) -----------------------------------

// "The case's track, from its planeringsunderlag": the latest in force that names one. A
// correction replaces the one it corrects.
TEST(HallandTracks, TheCaseTrackIsThatOfTheLatestPlaneringsunderlagInForce) {
  Timeline t = EstimateCase();
  t.PlanningRequest("pu", L("2022-05-03", 10, 0));
  EXPECT_EQ(BuildCase("vt-1", t.events()).track, Pu::TRACK_UNSPECIFIED);
  SetTrack(t, "pu", Pu::GRONT);
  t.PlanningAnswer("pu-svar", "pu", L("2022-05-04", 10, 0));
  SetTrack(t, "pu-svar", Pu::GULT);
  CaseState c = BuildCase("vt-1", t.events());
  EXPECT_EQ(c.track, Pu::GULT);
  EXPECT_EQ(c.track_event_id, "pu-svar");
  EXPECT_EQ(TrackName(c.track), "gult");
  t.PlanningAnswer("pu-svar-2", "pu", L("2022-05-04", 12, 0));
  Event(t, "pu-svar-2").set_replaces("pu-svar");
  SetTrack(t, "pu-svar-2", Pu::GRONT);
  c = BuildCase("vt-1", t.events());
  EXPECT_EQ(c.track, Pu::GRONT);
  EXPECT_TRUE(c.red_track_changes.empty());
}

// "Planeringsunderlag som leder till rött spår ska inte ändras med undantag för personer boende
// i SÄBO": a later planeringsunderlag naming another track, a correction of the red one and a
// makulering of it are each a deviation dated by its arrival (red-track-change="deviation").
TEST(HallandTracks, ChangingTheRedTrackUnderlagIsADeviationExceptForSaboResidents) {
  auto red_case = [] {
    Timeline t = EstimateCase();
    t.PlanningRequest("pu", L("2022-05-03", 10, 0));
    SetTrack(t, "pu", Pu::RODT);
    return t;
  };
  Timeline later = red_case();
  later.PlanningAnswer("pu-svar", "pu", L("2022-05-04", 10, 0));
  SetTrack(later, "pu-svar", Pu::GULT);
  Outcome o = Evaluate(later, Halland(), L("2022-05-05", 0, 0));
  const Deadline* d = FindDeadline(o.deadlines, "rott-spar-andrat:pu-svar");
  ASSERT_NE(d, nullptr) << Decisions(o);
  EXPECT_EQ(d->state, DeadlineState::kMissed);
  EXPECT_EQ(d->due, L("2022-05-04", 10, 0));
  EXPECT_THAT(d->rule, HasSubstr("rött spår"));
  EXPECT_THAT(d->note, HasSubstr("gult spår after pu led to the red track"));
  EXPECT_EQ(o.c.track, Pu::GULT) << "the hub records what happened";
  // Not a rule of the law.
  EXPECT_EQ(StateOf(Evaluate(later, Law(), L("2022-05-05", 0, 0)), "rott-spar-andrat:pu-svar"),
            "absent");

  Timeline corrected = red_case();
  corrected.PlanningRequest("pu-2", L("2022-05-04", 9, 0));
  Event(corrected, "pu-2").set_replaces("pu");
  SetTrack(corrected, "pu-2", Pu::GRONT);
  o = Evaluate(corrected, Halland(), L("2022-05-05", 0, 0));
  EXPECT_EQ(StateOf(o, "rott-spar-andrat:pu-2"), "missed") << Decisions(o);

  Timeline cancelled = red_case();
  cancelled.Cancellation("mak", "pu", L("2022-05-04", 9, 0));
  o = Evaluate(cancelled, Halland(), L("2022-05-05", 0, 0));
  EXPECT_EQ(StateOf(o, "rott-spar-andrat:mak"), "missed") << Decisions(o);

  // A correction that keeps the red track changes no track.
  Timeline still_red = red_case();
  still_red.PlanningRequest("pu-2", L("2022-05-04", 9, 0));
  Event(still_red, "pu-2").set_replaces("pu");
  SetTrack(still_red, "pu-2", Pu::RODT);
  EXPECT_TRUE(BuildCase("vt-1", still_red.events()).red_track_changes.empty());

  // SÄBO residents are the routine's exception.
  Timeline saebo = later;
  Event(saebo, "pu-svar").mutable_patient()->set_sarskilt_boende(true);
  o = Evaluate(saebo, Halland(), L("2022-05-05", 0, 0));
  EXPECT_EQ(StateOf(o, "rott-spar-andrat:pu-svar"), "absent") << Decisions(o);
  EXPECT_EQ(o.c.track, Pu::GULT);
}

// With red-track-change="refuse" the core asks, before storing an event, whether it would be
// such a change: FindRedTrackChanges with the new event last.
TEST(HallandTracks, ARefusedChangeIsFoundBeforeItIsStored) {
  Timeline t = EstimateCase();
  t.PlanningRequest("pu", L("2022-05-03", 10, 0));
  SetTrack(t, "pu", Pu::RODT);
  Timeline next;
  next.PlanningAnswer("pu-svar", "pu", L("2022-05-04", 10, 0));
  SetTrack(next, "pu-svar", Pu::GRONT);
  const auto changes = FindRedTrackChanges(t.events(), &next.events().front());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].event_id, "pu-svar");
  EXPECT_EQ(changes[0].red_event_id, "pu");
  SetTrack(next, "pu-svar", Pu::RODT);
  EXPECT_TRUE(FindRedTrackChanges(t.events(), &next.events().front()).empty());
}

// "Gult spår har kompletterats med målgrupper för vilka SIP ska upprättas i hemmet efter
// [utskrivning]": the SIP meeting is after the discharge; the kallelse is still due within three
// days of the notice (4 kap. 3 §) and still a liability precondition (5 kap. 3 § andra
// stycket). A meeting after the discharge is no fault.
TEST(HallandTracks, TheYellowTracksSipInTheHomeKeepsTheKallelseDeadline) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-02", 8, 0), L("2022-05-02", 9, 0),
                InskOptions().Sip().Estimate(L("2022-05-16", 10, 0)));
  t.PlanningRequest("pu", L("2022-05-03", 10, 0));
  SetTrack(t, "pu", Pu::GULT);
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  t.Kallelse("kallelse", L("2022-05-11", 10, 0));
  *Event(t, "kallelse").mutable_kallelse_sip()->mutable_meeting_at() = Ts(L("2022-05-20", 13, 0));
  t.Utskrivning("utskr", L("2022-05-16", 10, 0));
  const Outcome o = Evaluate(t, Halland(), L("2022-06-01", 0, 0));
  const Deadline* k = FindDeadline(o.deadlines, "kallelse-sip");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->state, DeadlineState::kMet);
  EXPECT_EQ(k->due, L("2022-05-13", 0, 0));
  EXPECT_THAT(k->note, HasSubstr("gult spår"));
  EXPECT_TRUE(o.liability.liable) << Decisions(o);

  // Late on the yellow track is late all the same.
  Timeline late = t.Without("kallelse");
  late.Kallelse("kallelse", L("2022-05-13", 10, 0));
  const Outcome l = Evaluate(late, Halland(), L("2022-06-01", 0, 0));
  EXPECT_EQ(StateOf(l, "kallelse-sip"), "missed");
  EXPECT_FALSE(l.liability.liable);
}

// "Ändrad tidsram för ifyllnad av planeringsunderlaget till inom 48 timmar": the hub's reading
// (from the request, any addressed unit's answer) and the other one an agreement may choose
// (from the inskrivningsmeddelande, each addressed unit).
TEST(HallandPlaneringsunderlag48h, TheReadingIsTheAgreements) {
  Timeline t;
  t.Inskrivning("insk", L("2022-05-02", 8, 0), L("2022-05-02", 9, 0));
  t.PlanningRequest("pu", L("2022-05-03", 10, 0));
  auto* request = Event(t, "pu").mutable_planeringsunderlag();
  request->add_addressed_unit_hsa_ids("SE2321000131-K1380");
  request->add_addressed_unit_hsa_ids("SE2321000131-VC1");
  t.PlanningAnswer("svar-kommun", "pu", L("2022-05-04", 9, 0));
  Event(t, "svar-kommun").mutable_planeringsunderlag()->set_responding_unit_hsa_id("SE2321000131-K1380");
  t.PlanningAnswer("svar-vc", "pu", L("2022-05-05", 11, 0));
  Event(t, "svar-vc").mutable_planeringsunderlag()->set_responding_unit_hsa_id("SE2321000131-VC1");

  // Halland's file: 48 h from the request (due 05-05 10:00), met by the kommun's answer.
  Outcome o = Evaluate(t, Halland(), L("2022-06-01", 0, 0));
  const Deadline* d = FindDeadline(o.deadlines, "planeringsunderlag-svar:pu");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->due, L("2022-05-05", 10, 0));
  EXPECT_EQ(d->state, DeadlineState::kMet);
  EXPECT_EQ(d->met_at, L("2022-05-04", 9, 0));

  // Each addressed unit must answer: the vårdcentral's came at 11:00, an hour late.
  Agreement each = Halland();
  each.planeringsunderlag_answered_by = Agreement::PlaneringsunderlagAnsweredBy::kEachAddressed;
  o = Evaluate(t, each, L("2022-06-01", 0, 0));
  d = FindDeadline(o.deadlines, "planeringsunderlag-svar:pu");
  EXPECT_EQ(d->state, DeadlineState::kMissed);
  EXPECT_EQ(d->met_at, L("2022-05-05", 11, 0));
  o = Evaluate(t.StoredBy(L("2022-05-05", 8, 0)), each, L("2022-05-05", 8, 0));
  EXPECT_EQ(StateOf(o, "planeringsunderlag-svar:pu"), "at-risk");
  EXPECT_THAT(FindDeadline(o.deadlines, "planeringsunderlag-svar:pu")->note,
              HasSubstr("SE2321000131-VC1"));

  // From the inskrivningsmeddelande (stored 05-02 09:00): due 05-04 09:00, the kommun's answer
  // just in time.
  Agreement from_insk = Halland();
  from_insk.planeringsunderlag_from = Agreement::PlaneringsunderlagFrom::kInskrivningsmeddelande;
  o = Evaluate(t, from_insk, L("2022-06-01", 0, 0));
  d = FindDeadline(o.deadlines, "planeringsunderlag-svar:pu");
  EXPECT_EQ(d->due, L("2022-05-04", 9, 0));
  EXPECT_EQ(d->state, DeadlineState::kMet);
  EXPECT_THAT(d->what, HasSubstr("of the inskrivningsmeddelande"));

  // A request's responding_unit_hsa_id (the XML adapters' svarande-enhet-hsa-id: the unit asked
  // to answer) is addressed as well.
  Timeline named = t.Without("svar-vc");
  Event(named, "pu").mutable_planeringsunderlag()->clear_addressed_unit_hsa_ids();
  Event(named, "pu").mutable_planeringsunderlag()->set_responding_unit_hsa_id("SE2321000131-VC1");
  o = Evaluate(named, each, L("2022-06-01", 0, 0));
  EXPECT_EQ(StateOf(o, "planeringsunderlag-svar:pu"), "missed") << "the vårdcentral never answered";
}

// ---- 12: the paying kommun (5 kap. 2 §) ---------------------------------------------------

// Folkbokförd in Halmstad (1380), placed by Kungsbacka (1384) in a särskilt boende in Halmstad:
// Kungsbacka pays. The liability says so, and the average model counts the case for Kungsbacka.
TEST(PayingKommun, AKommunThatPlacedThePatientInSarskiltBoendePays) {
  Timeline t("1380");
  t.Inskrivning("insk", L("2022-05-02", 8, 0), L("2022-05-02", 9, 0));
  t.Utskrivningsklar("klar", L("2022-05-09", 10, 0));
  t.Utskrivning("utskr", L("2022-05-16", 10, 0));
  Outcome plain = Evaluate(t, Halland(), L("2022-06-01", 0, 0));
  EXPECT_EQ(plain.liability.paying_kommunkod, "1380");
  EXPECT_THAT(plain.liability.paying_basis, HasSubstr("folkbokförd"));

  for (auto& e : t.mutable_events()) {
    e.envelope.mutable_patient()->set_placing_kommunkod("1384");
    e.envelope.mutable_patient()->set_sarskilt_boende(true);
  }
  const Outcome o = Evaluate(t, Halland(), L("2022-06-01", 0, 0));
  EXPECT_EQ(o.c.kommunkod, "1380");
  EXPECT_EQ(o.c.placing_kommunkod, "1384");
  EXPECT_TRUE(o.c.sarskilt_boende);
  EXPECT_EQ(PayingKommun(o.c), "1384");
  EXPECT_EQ(o.liability.paying_kommunkod, "1384");
  EXPECT_THAT(o.liability.paying_basis, HasSubstr("5 kap. 2 §"));
  EXPECT_THAT(o.liability.paying_basis, HasSubstr("1384 placed the patient"));
  EXPECT_EQ(o.liability.total_days, plain.liability.total_days);

  Agreement average = Halland();
  average.model = LiabilityModel::kAverage;
  const std::vector<CaseState> cases = {o.c};
  const auto kungsbacka = AverageModelReport(cases, "1384", 2022, 5, average, L("2022-06-01", 0, 0));
  EXPECT_EQ(kungsbacka.case_ids, std::vector<std::string>{"vt-1"});
  const auto halmstad = AverageModelReport(cases, "1380", 2022, 5, average, L("2022-06-01", 0, 0));
  EXPECT_TRUE(halmstad.case_ids.empty());
}

}  // namespace
}  // namespace slussen
