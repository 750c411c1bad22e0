// Integration tests: the running hub keeps each case's state and deadlines in its store, in the
// same transaction as the events (lag 2017:612 tracking, hub/DESIGN.md "Case tracking"), in both
// modes (testing/hub_mode_fixture.h): in broker mode `accepted` is the broker's and the hub
// commits after, so the store is waited for (Committed()) where embedded mode checks it at once.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "hub_client.h"
#include "testing/hub_mode_fixture.h"
#include "testing/test_envelopes.h"

namespace slussen::testing {
namespace {

using client::OutcomeName;
using client::SendOutcome;

class HubCases : public HubModeTest {
 protected:
  void SendAccepted(ModeClient& c, const v1::Envelope& env) {
    const SendOutcome out = c.Send("events", ToMessage(env));
    ASSERT_EQ(out.kind, SendOutcome::Kind::kAccepted)
        << OutcomeName(out.kind) << " " << out.condition << ": " << out.description << HubLog();
  }
  int64_t Count(const std::string& sql) { return store().QueryInt(sql); }
  // `sql` counts `n` rows once the last accepted event is committed.
  bool CountIs(const std::string& sql, int64_t n) {
    return Committed([&] { return Count(sql) == n; });
  }
};

// An Utskrivningsklar for the same case as `inskrivning`, decided `ago` before now.
v1::Envelope UtskrivningsklarFor(const v1::Envelope& inskrivning) {
  v1::Envelope env;
  env.set_event_id(NewEventId());
  *env.mutable_case_id() = inskrivning.case_id();
  *env.mutable_patient() = inskrivning.patient();
  env.set_sender_hsa_id(inskrivning.sender_hsa_id());
  env.set_schema_version(1);
  *env.mutable_occurred_at() = inskrivning.occurred_at();
  env.mutable_occurred_at()->set_seconds(env.occurred_at().seconds() + 1);
  auto* m = env.mutable_utskrivningsklar();
  *m->mutable_decided_at() = env.occurred_at();
  m->set_physician_hsa_id(inskrivning.sender_hsa_id());
  m->set_care_type(v1::SOMATIC);
  return env;
}

TEST_P(HubCases, CaseAndDeadlinesAreStoredWithTheEvents) {
  auto c = NewClient();
  ASSERT_TRUE(c);
  const v1::Envelope insk = ValidInskrivning();
  const std::string case_id = CaseIdString(insk);
  SendAccepted(*c, insk);
  // Accepted means durable; the test's own connection sees it once the hub flushed.
  EXPECT_TRUE(CountIs("SELECT COUNT(*) FROM cases WHERE case_id = '" + case_id + "' AND status = 'admitted'", 1))
      << HubLog();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM deadlines WHERE case_id = '" + case_id +
                  "' AND deadline_id = 'inskrivningsmeddelande' AND state = 'met'"),
            1);

  SendAccepted(*c, UtskrivningsklarFor(insk));
  EXPECT_TRUE(CountIs("SELECT COUNT(*) FROM cases WHERE case_id = '" + case_id +
                      "' AND status = 'utskrivningsklar' AND provisional = 1",
                      1))
      << HubLog();
}

TEST_P(HubCases, UtskrivningsklarBeforeInskrivningIsRecordedNotDropped) {
  auto c = NewClient();
  ASSERT_TRUE(c);
  const v1::Envelope insk = ValidInskrivning();
  const std::string case_id = CaseIdString(insk);
  SendAccepted(*c, UtskrivningsklarFor(insk));
  EXPECT_TRUE(CountIs("SELECT COUNT(*) FROM cases WHERE case_id = '" + case_id + "' AND status = 'utskrivningsklar'", 1))
      << HubLog();
  // No inskrivningsmeddelande yet, but the 24 h may still be running (the case's first event is a
  // minute old): pending, not missed.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM deadlines WHERE case_id = '" + case_id +
                  "' AND deadline_id = 'inskrivningsmeddelande' AND state = 'pending'"),
            1);
  SendAccepted(*c, insk);
  EXPECT_TRUE(CountIs("SELECT COUNT(*) FROM deadlines WHERE case_id = '" + case_id +
                      "' AND deadline_id = 'inskrivningsmeddelande' AND state = 'met'",
                      1))
      << HubLog();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases WHERE case_id = '" + case_id +
                  "' AND notes LIKE '%out of order%'"),
            1);
}

SLUSSEN_BOTH_MODES(HubCases);

}  // namespace
}  // namespace slussen::testing
