// ProjectCase and DecodeCaseEvents: the persisted rows of a case are exactly the case logic's
// view of it (the same fold, deadlines and liability), and a stored body that no longer decodes
// is left out with a note, not a failure.
#include "cases/case_projection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/cases/case_test_support.h"

namespace slussen {
namespace {

using casetest::L;
using casetest::Law;
using casetest::Shipped;
using casetest::Timeline;
using ::testing::Contains;
using ::testing::HasSubstr;

TEST(CaseProjection, RowsAreTheViewOfTheCase) {
  Timeline t;
  t.Inskrivning("i1", L("2025-03-03", 9, 0), L("2025-03-03", 10, 0))
      .Utskrivningsklar("u1", L("2025-03-10", 9, 0));
  const TimePoint now = L("2025-03-14", 12, 0);
  const CaseProjection p = ProjectCase("vt-1", t.events(), Law(), now);
  const casetest::Outcome o = casetest::Evaluate(t, Law(), now);

  EXPECT_EQ(p.record.case_id, "vt-1");
  EXPECT_EQ(p.record.kommunkod, "1380");
  EXPECT_EQ(p.record.status, CaseStatusName(o.c.status));
  EXPECT_EQ(p.record.status, "utskrivningsklar");
  EXPECT_EQ(p.record.updated_at_us, ToMicros(now));
  EXPECT_EQ(p.record.liable, o.liability.liable);
  EXPECT_EQ(p.record.provisional, o.liability.provisional);
  EXPECT_EQ(p.record.liability_days, o.liability.total_days);
  EXPECT_EQ(p.record.liability_amount_kr, o.liability.total_amount_kr);
  ASSERT_EQ(p.deadlines.size(), o.deadlines.size());
  ASSERT_EQ(p.view.deadlines.size(), o.deadlines.size());
  for (std::size_t i = 0; i < o.deadlines.size(); ++i) {
    const Deadline& d = o.deadlines[i];
    EXPECT_EQ(p.deadlines[i].deadline_id, d.id);
    EXPECT_EQ(p.deadlines[i].rule, d.rule);
    EXPECT_EQ(p.deadlines[i].state, DeadlineStateName(d.state));
    EXPECT_EQ(p.deadlines[i].due_at_us, d.due ? ToMicros(*d.due) : 0);
    EXPECT_EQ(p.deadlines[i].met_at_us, d.met_at ? ToMicros(*d.met_at) : 0);
  }
  std::string notes;
  for (const auto& n : o.c.notes) notes += n + "\n";
  EXPECT_EQ(p.record.notes, notes);
}

TEST(CaseProjection, UndecodableStoredBodyIsLeftOutWithANote) {
  Timeline t;
  t.Inskrivning("i1", L("2025-03-03", 9, 0), L("2025-03-03", 10, 0));
  std::vector<CaseEventRow> rows;
  for (const auto& e : t.events()) {
    rows.push_back({e.envelope.SerializeAsString(), ToMicros(e.stored_at)});
  }
  rows.push_back({"\xff\xff not a protobuf", ToMicros(L("2025-03-03", 11, 0))});

  const DecodedCaseEvents decoded = DecodeCaseEvents(rows);
  ASSERT_EQ(decoded.events.size(), 1u);
  EXPECT_EQ(decoded.events[0].envelope.event_id(), "i1");
  EXPECT_EQ(decoded.events[0].stored_at, L("2025-03-03", 10, 0));
  ASSERT_EQ(decoded.notes.size(), 1u);

  const CaseProjection p =
      ProjectCase("vt-1", decoded.events, Law(), L("2025-03-04", 9, 0), decoded.notes);
  EXPECT_EQ(p.record.status, "admitted");
  EXPECT_THAT(p.view.state.notes, Contains(HasSubstr("could not be decoded")));
  EXPECT_THAT(p.record.notes, HasSubstr("could not be decoded and is left out\n"));
}

// The decoded events the core keeps in memory carry no identity number, name, address or free
// text, and the case computed from them is the same as from the full events.
TEST(CaseProjection, DecodedEventsAreSlimAndProjectTheSame) {
  Timeline t;
  t.Inskrivning("i1", L("2025-03-03", 9, 0), L("2025-03-03", 10, 0))
      .PlanningRequest("p1", L("2025-03-04", 9, 0))
      .Utskrivningsklar("u1", L("2025-03-10", 9, 0))
      .Utskrivning("d1", L("2025-03-14", 10, 0));
  auto& events = t.mutable_events();
  events[0].envelope.mutable_patient()->mutable_identity()->set_id("191212121212");
  events[1].envelope.mutable_planeringsunderlag()->add_items()->set_text("fritext om patienten");
  events[3].envelope.mutable_utskrivningsmeddelande()->add_hemgangsklar()->set_comment("fritext");
  std::vector<CaseEventRow> rows;
  for (const auto& e : t.events()) rows.push_back({e.envelope.SerializeAsString(), ToMicros(e.stored_at)});

  const DecodedCaseEvents decoded = DecodeCaseEvents(rows);
  ASSERT_EQ(decoded.events.size(), 4u);
  for (const auto& e : decoded.events) {
    const std::string text = e.envelope.DebugString();
    EXPECT_THAT(text, ::testing::Not(HasSubstr("191212121212")));
    EXPECT_THAT(text, ::testing::Not(HasSubstr("fritext")));
    EXPECT_THAT(text, ::testing::Not(HasSubstr("Testsson")));
  }
  const TimePoint now = L("2025-03-20", 12, 0);
  EXPECT_EQ(casetest::Decisions({ProjectCase("vt-1", decoded.events, Law(), now).view.state,
                                 ProjectCase("vt-1", decoded.events, Law(), now).view.deadlines,
                                 ProjectCase("vt-1", decoded.events, Law(), now).view.liability}),
            casetest::Decisions(casetest::Evaluate(t, Law(), now, "vt-1")));
}

}  // namespace
}  // namespace slussen
