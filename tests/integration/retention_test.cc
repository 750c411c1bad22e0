// Retention against the real hub (issue 13 item 7; hub/DESIGN.md "Audit log and retention"): a
// closed case whose period has passed is purged with its events, the open one is kept, the purge
// is itself a row of the audit log, and the chain still verifies. The hub has no test clock, so
// the case is aged in the stopped hub's store with the sqlite3 shell before the hub starts again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "hub_client.h"
#include "testing/child_process.h"
#include "testing/hub_fixture.h"
#include "testing/test_envelopes.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

class Retention : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.hub_tail = "<retention cases=\"1d\" audit=\"3650d\"/>";
    return o;
  }
};

TEST_F(Retention, AClosedCasePastItsPeriodIsPurgedAuditedAndTheChainStillVerifies) {
  EnvelopeSpec closed;
  closed.episode = "VT-2025:300001";
  closed.referenced_event_id.clear();  // the whole case is cancelled (makulering)
  EnvelopeSpec open;
  open.episode = "VT-2025:300002";
  const v1::Envelope closed_insk = ValidEnvelope(EventKind::kInskrivningsmeddelande, closed);
  EnvelopeSpec cancel = closed;
  cancel.event_id = NewEventId();
  const v1::Envelope open_insk = ValidEnvelope(EventKind::kInskrivningsmeddelande, open);
  const std::string closed_case = CaseIdString(closed_insk);
  const std::string open_case = CaseIdString(open_insk);
  {
    auto sender = NewClient();
    ASSERT_TRUE(sender);
    for (const auto& env :
         {closed_insk, ValidEnvelope(EventKind::kCancellation, cancel), open_insk}) {
      ASSERT_EQ(sender->Send("events", client::ToMessage(env)).kind,
                client::SendOutcome::Kind::kAccepted)
          << HubLog();
    }
  }
  ASSERT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM cases WHERE case_id = '" + closed_case +
                            "' AND status = 'cancelled'") == 1;
  })) << HubLog();
  ASSERT_TRUE(hub().Stop().Ok());

  // The closed case was last written two days ago: past its one-day period.
  const std::string db = dir().File("hub.db");
  const ProcessResult aged = RunProcess(
      {"/bin/sh", "-c", "sqlite3 \"$0\" \"$1\"", db,
       "UPDATE cases SET updated_at_us = updated_at_us - 172800000000 WHERE case_id = '" +
           closed_case + "'"});
  ASSERT_TRUE(aged.status.Ok()) << aged.err;
  ASSERT_TRUE(hub().Start());

  ASSERT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM cases WHERE case_id = '" + closed_case + "'") == 0;
  })) << HubLog();
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE case_id = '" + closed_case + "'"), 0);
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM cases WHERE case_id = '" + open_case + "'"), 1);
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE case_id = '" + open_case + "'"), 1);
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM audit_log WHERE action = 'purge'"), 1);

  ASSERT_TRUE(hub().Stop().Ok());
  const ProcessResult verify =
      RunProcess({SLUSSENCTL_BINARY, "audit", "verify", "--store", db});
  EXPECT_TRUE(verify.status.Ok()) << verify.out << verify.err;
}

}  // namespace
}  // namespace slussen::testing
