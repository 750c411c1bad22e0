// The core's audit rows (hub/DESIGN.md "Audit log and retention"): each delivery's first
// acceptance, each letter, each read and each extract, sealed on the chain in the same
// transaction as the act; a failed transaction leaves no row and no gap.
#include <future>

#include "audit/audit_verify.h"
#include "audit/patient_key.h"
#include "store/store_factory.h"
#include "unit/core/core_test_support.h"

namespace slussen::testing {
namespace {

constexpr char kSecret[] = "the audit key of this test, at least thirty-two bytes";

class CoreAuditTest : public CoreTest {
 protected:
  CoreAuditTest() { config_.audit.patient_key_secret = kSecret; }

  Status Run(OperatorCommand cmd) {
    cmd.operator_id = "astrid";
    auto answer = std::make_shared<std::promise<Status>>();
    auto future = answer->get_future();
    cmd.done = [answer](const Status& s) { answer->set_value(s); };
    PostAndDrain(std::move(cmd));
    return future.get();
  }
  int64_t SeqFor(int n, const std::string& destination) {
    return std::stoll(Scalar("SELECT seq FROM outbox WHERE event_id = '" + EventId(n) +
                             "' AND destination = '" + destination + "'"));
  }
  std::vector<std::vector<std::string>> AuditRows() {
    return Query(path_,
                 "SELECT seq, actor_kind, actor, organisation, action, case_id, patient_key, "
                 "what, ref FROM audit_log ORDER BY seq");
  }
  AuditVerdict Verify() {
    auto reader = OpenStoreReader({"sqlite", path_});
    EXPECT_TRUE(reader) << reader.error();
    auto anchor = (*reader)->AuditAnchor();
    slussen::StoreReader& r = **reader;
    auto v = VerifyAuditChain(
        *anchor, {[&r](int64_t after, int limit) { return r.AuditRowsAfter(after, limit); },
                  [&r](const std::string& h) { return r.AuditRowAfterHash(h); }});
    EXPECT_TRUE(v) << v.error();
    return *v;
  }
  std::string KeyOf(int n) {
    return PatientKey(kSecret, Inskrivning(EventId(n)).patient().identity().id());
  }
};

TEST_F(CoreAuditTest, ADeliveryIsRecordedOnceWithTheReceiverAndThePatient) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  EXPECT_TRUE(AuditRows().empty()) << "storing an event discloses nothing";
  PostAndDrain(Demand(kKommunDestination, 1));
  const int64_t seq = SeqFor(1, kKommunDestination);
  PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));
  PostAndDrain(Outcome(kOutLink, seq, DeliveryOutcome::Kind::kAccepted));  // accepted twice
  core_.Drain();
  const std::string case_id = CaseIdString(Inskrivning(EventId(1)));
  EXPECT_THAT(AuditRows(),
              ElementsAre(ElementsAre("1", "receiver", kKommunDestination, " (kommunkod 1380)",
                                      "delivered", case_id, KeyOf(1), "Inskrivningsmeddelande",
                                      EventId(1))));
  EXPECT_TRUE(Verify().ok);
}

TEST_F(CoreAuditTest, ADeliveryToTheLetterServiceIsALetter) {
  config_.audit.letter_destination = kVcDestination;
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Demand(kVcDestination, 1));
  PostAndDrain(Outcome(kOutLink, SeqFor(1, kVcDestination), DeliveryOutcome::Kind::kAccepted));
  core_.Drain();
  ASSERT_EQ(AuditRows().size(), 1u);
  EXPECT_EQ(AuditRows()[0][4], "letter");
  EXPECT_EQ(AuditRows()[0][3], "Vårdcentralen Test (HSA-id " + std::string(kTestVardcentral) + ")");
}

TEST_F(CoreAuditTest, AFailedTransactionLeavesNoRowAndTheNextOneNoGap) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Inbound(2, Bytes(Inskrivning(EventId(2)))));
  PostAndDrain(Demand(kKommunDestination, 2));
  store_.fail_next_write = true;
  PostAndDrain(Outcome(kOutLink, SeqFor(1, kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  PostAndDrain(Outcome(kOutLink, SeqFor(2, kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  core_.Drain();
  const auto rows = AuditRows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "1");
  EXPECT_EQ(rows[1][0], "2");
  EXPECT_EQ(rows[0][8], EventId(1));
  const AuditVerdict v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.head.seq, 2);
}

TEST_F(CoreAuditTest, ReadsAndExtractsAreRecordedWithTheOperator) {
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  const std::string case_id = CaseIdString(Inskrivning(EventId(1)));
  OperatorCommand read;
  read.action = OperatorCommand::Action::kRecordRead;
  read.reason = "evidence report";
  read.case_ids = {case_id, "SE2321000115-SH01/unknown"};
  ASSERT_TRUE(Run(read));
  OperatorCommand extract;
  extract.action = OperatorCommand::Action::kRecordExtract;
  extract.reason = "loggutdrag";
  extract.patient_key = KeyOf(1);
  ASSERT_TRUE(Run(extract));
  OperatorCommand nobody = extract;
  nobody.patient_key.clear();
  EXPECT_EQ(Run(nobody).code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(AuditRows(),
              ElementsAre(ElementsAre("1", "operator", "astrid", "test", "read", case_id, KeyOf(1),
                                      "evidence report", ""),
                          ElementsAre("2", "operator", "astrid", "test", "read",
                                      "SE2321000115-SH01/unknown", "", "evidence report", ""),
                          ElementsAre("3", "operator", "astrid", "test", "loggutdrag", "",
                                      KeyOf(1), "loggutdrag", "")));
  EXPECT_EQ(Count("delivery_actions"), 0) << "a read is no action on delivery";
  EXPECT_TRUE(Verify().ok);
}

// Without <audit key-file> the core uses the secret the store keeps: the same one the hub's
// admin API computes its keys with (hub/main.cc), across restarts.
TEST_F(CoreAuditTest, WithoutAConfiguredSecretTheStoresOwnIsUsed) {
  config_.audit.patient_key_secret.clear();
  core_.Start();
  PostAndDrain(Inbound(1, Bytes(Inskrivning(EventId(1)))));
  PostAndDrain(Demand(kKommunDestination, 1));
  PostAndDrain(Outcome(kOutLink, SeqFor(1, kKommunDestination), DeliveryOutcome::Kind::kAccepted));
  core_.Drain();
  const std::string kept =
      Scalar("SELECT value FROM audit_meta WHERE name = 'patient_key_secret'");
  ASSERT_EQ(kept.size(), 64u);
  ASSERT_EQ(AuditRows().size(), 1u);
  EXPECT_EQ(AuditRows()[0][6],
            PatientKey(kept, Inskrivning(EventId(1)).patient().identity().id()));
}

}  // namespace
}  // namespace slussen::testing
