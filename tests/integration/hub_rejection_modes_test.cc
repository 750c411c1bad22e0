// An invalid event in both modes (issue 14 item 3; testing/hub_mode_fixture.h). The hub refuses
// it, records it with its reason in dead_letters, stores nothing of it and carries on. What the
// sender sees differs by design: the embedded hub answers REJECTED (slussen:invalid-event, with
// the reason, the personnummer itself nowhere in it); in broker mode the sender's outcome is the
// broker's (ACCEPTED: the broker has it), and the hub's rejection makes the broker dead-letter it
// (the hub, which has it in its dead letters already, takes it off the dead-letter queue). The
// other rejections (malformed bodies, raw frames, limits, unknown addresses at attach) are about
// the hub's own listener: hub_rejection_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "hub_client.h"
#include "testing/hub_mode_fixture.h"
#include "testing/test_envelopes.h"

namespace slussen::testing {
namespace {

using client::OutcomeName;
using client::SendOutcome;
using ::testing::HasSubstr;
using ::testing::Not;

class HubRejectionModes : public HubModeTest {};

TEST_P(HubRejectionModes, InvalidPersonnummerIsRejectedWithoutLeakingIt) {
  v1::Envelope env = ValidInskrivning();
  env.mutable_patient()->mutable_identity()->set_id(kBadCheckDigitPersonnummer);
  auto c = NewClient();
  ASSERT_TRUE(c);
  const SendOutcome out = c->Send("events", ToMessage(env));
  if (broker_mode()) {
    EXPECT_EQ(out.kind, SendOutcome::Kind::kAccepted)
        << OutcomeName(out.kind) << " " << out.condition << ": " << out.description;
  } else {
    EXPECT_EQ(out.kind, SendOutcome::Kind::kRejected)
        << "got " << OutcomeName(out.kind) << " " << out.condition << ": " << out.description
        << HubLog();
    EXPECT_EQ(out.condition, "slussen:invalid-event");
    EXPECT_THAT(out.description, HasSubstr("patient.identity.id"));
    EXPECT_THAT(out.description, HasSubstr("check digit"));
    EXPECT_THAT(out.description, Not(HasSubstr(kBadCheckDigitPersonnummer)));
    EXPECT_THAT(out.description, Not(HasSubstr("2508242382")));  // the 10-digit form
    EXPECT_THAT(out.description, Not(HasSubstr("20250824")));    // the birth date
  }

  std::vector<DeadLetterRow> rows;
  EXPECT_TRUE(PollUntil([&] {
    rows = store().DeadLetters();
    return !rows.empty();
  })) << HubLog();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].reasons, HasSubstr("patient.identity.id"));
  EXPECT_THAT(rows[0].reasons, Not(HasSubstr(kBadCheckDigitPersonnummer)));
  EXPECT_EQ(rows[0].event_id.value_or("<NULL>"), env.event_id());
  EXPECT_EQ(rows[0].address, "events");
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + env.event_id() +
                             "'"),
            0);
  if (broker_mode()) {
    // The broker dead-lettered the hub's refusal; the hub, which has it already, takes it off.
    EXPECT_EQ(BrokerQueueDepth("dead", 0), 0);
  }

  // The hub carries on: a valid event after it is stored.
  const v1::Envelope next = ValidInskrivning();
  ASSERT_EQ(c->Send("events", ToMessage(next)).kind, SendOutcome::Kind::kAccepted);
  EXPECT_TRUE(Committed([&] {
    return store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + next.event_id() +
                            "'") == 1;
  })) << HubLog();
}

SLUSSEN_BOTH_MODES(HubRejectionModes);

}  // namespace
}  // namespace slussen::testing
