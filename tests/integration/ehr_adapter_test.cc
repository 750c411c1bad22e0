// The EHR adapter (slussen-ehr) between the real hub and an EHR on real sockets: HL7 over MLLP in,
// ACKs out only after the hub settled (AA only for what the hub stored), the hub going away and
// coming back, the adapter stopped and restarted in the middle of a stream, its config errors.
// The HTTP side: ehr_adapter_http_test.cc. Against the embedded hub only (its AA is the hub's
// commit, and the hub going away is the adapter's own concern); an admission from the EHR through
// the hub to the kommun's adapter in both modes is adapter_chain_test.cc.
#include <signal.h>

#include <set>
#include <string>
#include <vector>

#include "integration/ehr_adapter_fixture.h"

namespace slussen::testing::ehr_itest {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The A01 of a patient expected to need support is an inskrivningsmeddelande: AA comes only
// once the hub has it on disk.
TEST_F(EhrAdapter, AdmissionWithZspIsAcknowledgedOnlyAfterTheHubStoredIt) {
  const std::string a01 = Example("adt_a01_inskrivning.hl7");
  const v1::Envelope expected = EventOf(a01);
  ASSERT_FALSE(expected.event_id().empty());
  auto c = Connect();
  const Ack ack = c->Exchange(a01);
  ASSERT_TRUE(ack.ok) << ack.error << AdapterLog();
  EXPECT_EQ(ack.code, "AA") << ack.text;
  EXPECT_EQ(ack.message.Get("MSA", 2), "HSH20261123000101");
  EXPECT_EQ(ack.message.Get("MSH", 9, 1, 1), "ACK");
  EXPECT_EQ(ack.message.Get("MSH", 9, 1, 2), "A01");
  // No waiting: the hub settled `accepted` after its commit, and the AA came after that.
  EXPECT_EQ(Stored(expected.event_id()), 1);
  EXPECT_EQ(store().QueryStrings("SELECT kind FROM events WHERE event_id = '" +
                                 expected.event_id() + "'"),
            std::vector<std::string>{"Inskrivningsmeddelande"});

  // The EHR resends (it lost our ACK): AA again, stored once.
  const Ack again = c->Exchange(a01);
  EXPECT_EQ(again.code, "AA") << again.text;
  EXPECT_EQ(Stored(expected.event_id()), 1);
  EXPECT_EQ(StoredEvents(), 1);
}

TEST_F(EhrAdapter, InvalidPersonnummerIsAnsweredAeWithTheHubsReason) {
  const std::string bad = Replace(Example("adt_a01_inskrivning.hl7"), "190704019801^", "190704019802^");
  auto c = Connect();
  const Ack ack = c->Exchange(bad);
  ASSERT_TRUE(ack.ok) << ack.error << AdapterLog();
  EXPECT_EQ(ack.code, "AE");
  EXPECT_THAT(ack.text, HasSubstr("check digit"));
  EXPECT_THAT(ack.message.Get("ERR", 8), HasSubstr("refused by Slussen"));
  EXPECT_EQ(ack.message.Get("ERR", 3, 1, 1), "207");
  EXPECT_EQ(StoredEvents(), 0);
  // The log has the outcome, never the number.
  EXPECT_THAT(ReadFile(dir().File("ehr.stderr.log")), ::testing::Not(HasSubstr("190704019802")));
}

TEST_F(EhrAdapter, FrameThatIsNotHl7IsRejectedAndTheConnectionStaysOpen) {
  auto c = Connect();
  const Ack garbage = c->Exchange("GET / HTTP/1.1\r\nHost: ehr\r\n\r\n");
  ASSERT_TRUE(garbage.ok) << garbage.error << AdapterLog();
  EXPECT_EQ(garbage.code, "AR");
  EXPECT_THAT(garbage.text, HasSubstr("not an HL7"));

  // A frame too large for max-frame-bytes (64k): AR naming its control id, and skipped.
  const std::string huge = Replace(Example("adt_a01_inskrivning.hl7"), "Storgatan 12",
                                   std::string(70 * 1024, 'x'));
  const Ack too_large = c->Exchange(huge);
  ASSERT_TRUE(too_large.ok) << too_large.error << AdapterLog();
  EXPECT_EQ(too_large.code, "AR");
  EXPECT_EQ(too_large.message.Get("MSA", 2), "HSH20261123000101");
  EXPECT_THAT(too_large.text, HasSubstr("too large"));

  // Bytes outside any frame are skipped; the next message on the same connection is served.
  ASSERT_TRUE(c->SendRaw("\r\nnoise between frames\r\n").ok());
  const std::string a01 = Example("adt_a01_inskrivning.hl7");
  const Ack ok = c->Exchange(a01);
  ASSERT_TRUE(ok.ok) << ok.error << AdapterLog();
  EXPECT_EQ(ok.code, "AA") << ok.text;
  EXPECT_EQ(Stored(EventOf(a01).event_id()), 1);
}

TEST_F(EhrAdapter, TransferIsAcknowledgedAndNothingIsStored) {
  auto c = Connect();
  const Ack ack = c->Exchange(Example("adt_a02_transfer.hl7"));
  ASSERT_TRUE(ack.ok) << ack.error << AdapterLog();
  EXPECT_EQ(ack.code, "AA");
  EXPECT_FALSE(ack.text.empty()) << "the reason goes into MSA-3";
  EXPECT_EQ(StoredEvents(), 0);
}

// Issue 15 item 6 (3 kap. 2 §): the A03 discharge is stored as the discharge fact, for the hub's
// case tracking only (the test config, like the demo, routes it to no one), and the A13 stores
// its cancellation.
TEST_F(EhrAdapter, TheDischargeAndItsCancellationAreStoredAndDeliveredToNoOne) {
  auto c = Connect();
  for (const char* name : {"adt_a03_discharge.hl7", "adt_a13_cancel_discharge.hl7"}) {
    const std::string m = Example(name);
    const Ack ack = c->Exchange(m);
    ASSERT_TRUE(ack.ok) << name << ": " << ack.error << AdapterLog();
    EXPECT_EQ(ack.code, "AA") << name << ": " << ack.text;
    EXPECT_EQ(Stored(EventOf(m).event_id()), 1) << name;
  }
  EXPECT_EQ(store().QueryStrings("SELECT kind FROM events ORDER BY received_at_us"),
            (std::vector<std::string>{"Utskrivning", "Cancellation"}));
  const std::string discharge = EventOf(Example("adt_a03_discharge.hl7")).event_id();
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM outbox JOIN events ON id = event_row "
                             "WHERE event_id = '" + discharge + "'"), 0);
}

TEST_F(EhrAdapter, TheStayFromAdmissionToCancellationReachesTheHub) {
  auto c = Connect();
  for (const char* name : {"adt_a01_inskrivning.hl7", "adt_a08_estimate_changed.hl7",
                           "adt_a11_cancel_admit.hl7"}) {
    const std::string m = Example(name);
    const Ack ack = c->Exchange(m);
    ASSERT_TRUE(ack.ok) << name << ": " << ack.error << AdapterLog();
    EXPECT_EQ(ack.code, "AA") << name << ": " << ack.text;
    EXPECT_EQ(Stored(EventOf(m).event_id()), 1) << name;
  }
  EXPECT_EQ(store().QueryStrings("SELECT kind FROM events ORDER BY received_at_us"),
            (std::vector<std::string>{"Inskrivningsmeddelande", "EstimatedDischargeChanged",
                                      "Cancellation"}));
}

// The hub away: nothing is acknowledged as stored. Back again: the resent message and document
// are stored once each (their event ids are the same on every send).
TEST_F(EhrAdapter, HubDownIsTemporarilyUnavailableAndTheResendIsStoredOnce) {
  const std::string a01 = Example("adt_a01_inskrivning.hl7");
  const std::string doc = XmlExample("inskrivningsmeddelande.xml");
  auto c = Connect();
  auto http = Http();
  ASSERT_TRUE(HealthIs(200));

  ASSERT_TRUE(hub().Stop().Ok());
  ASSERT_TRUE(HealthIs(503)) << AdapterLog();
  auto health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->get_header_value("Retry-After").empty());

  const Ack down = c->Exchange(a01);
  ASSERT_TRUE(down.ok) << down.error << AdapterLog();
  EXPECT_EQ(down.code, "AE");
  EXPECT_THAT(down.text, HasSubstr("temporarily unavailable, send again"));
  auto res = http.Post("/documents", doc, "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_EQ(res->get_header_value("Retry-After"), "7");

  ASSERT_TRUE(hub().Start());
  ASSERT_TRUE(HealthIs(200)) << AdapterLog();
  const Ack up = c->Exchange(a01);
  ASSERT_TRUE(up.ok) << up.error << AdapterLog();
  EXPECT_EQ(up.code, "AA") << up.text;
  res = http.Post("/documents", doc, "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(Stored(EventOf(a01).event_id()), 1);
  EXPECT_EQ(Stored("3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c"), 1);
  EXPECT_EQ(StoredEvents(), 2);
}

// An EHR streams admissions; the adapter is stopped (SIGTERM) and later killed (SIGKILL) in the
// middle and started again each time. Every message that got AA is in the hub, the EHR resends
// those that did not, and in the end each is stored exactly once.
TEST_F(EhrAdapter, RestartedInTheMiddleOfAStreamLosesNothing) {
  constexpr int kMessages = 24;
  std::vector<std::string> messages;
  std::vector<std::string> ids;
  for (int i = 0; i < kMessages; ++i) {
    messages.push_back(A01For(i));
    ids.push_back(EventOf(messages.back()).event_id());
  }
  ASSERT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), std::size_t{kMessages});

  std::set<int> acknowledged;
  int sends = 0;
  bool terminated = false;  // SIGTERM sent while message 8 was in flight
  bool killed = false;      // SIGKILL while message 16 was
  bool expect_clean_exit = false;
  auto c = Connect();
  for (int i = 0; i < kMessages;) {
    ASSERT_LT(sends, 4 * kMessages) << "the stream does not progress" << AdapterLog();
    ++sends;
    const Status sent = c->SendFrame(messages[i]);
    if (i == 8 && !terminated) {
      terminated = expect_clean_exit = true;
      adapter_.Signal(SIGTERM);
    }
    if (i == 16 && !killed) {
      killed = true;
      (void)adapter_.Kill9();
    }
    const Ack ack = sent.ok() ? c->ReadAck(seconds(30)) : Ack{false, sent.error(), {}, {}, {}};
    if (ack.ok && ack.code == "AA") {
      acknowledged.insert(i);
      // Acknowledged means stored, whatever happens to the adapter next.
      EXPECT_EQ(Stored(ids[i]), 1) << "message " << i;
      ++i;
      continue;
    }
    // No ACK, the connection closed by an adapter going away: wait for it to be gone, start it
    // again (its ports are new) and send the message again.
    ASSERT_FALSE(ack.ok) << "message " << i << ": " << ack.code << " " << ack.text;
    ASSERT_TRUE(terminated || killed) << "message " << i << ": " << ack.error << AdapterLog();
    ASSERT_TRUE(adapter_.WaitUntil(ChildProcess::Clock::now() + seconds(30)))
        << "the adapter closed the connection but does not end" << AdapterLog();
    if (expect_clean_exit) {
      EXPECT_TRUE(adapter_.last_exit().Ok())
          << "SIGTERM must end the adapter with 0: " << adapter_.last_exit().ToString();
      expect_clean_exit = false;
    }
    ASSERT_TRUE(StartAdapter());
    c = Connect();
  }
  EXPECT_EQ(acknowledged.size(), std::size_t{kMessages});
  RecordProperty("sends", sends);
  EXPECT_GE(sends, kMessages + 2) << "both restarts interrupted the stream";
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(Stored(ids[i]), 1) << "message " << i;
  EXPECT_EQ(StoredEvents(), kMessages);
}

// SIGTERM while a message waits for the hub (frozen with SIGSTOP): the message is finished, its
// AA written, and only then does the adapter exit, with 0.
TEST_F(EhrAdapter, StopLetsTheMessageInFlightFinish) {
  ASSERT_TRUE(adapter_.Stop().Ok());
  ASSERT_TRUE(StartAdapter("debug"));
  const std::string a01 = Example("adt_a01_inskrivning.hl7");
  auto c = Connect();
  ASSERT_EQ(::kill(hub().pid(), SIGSTOP), 0);
  ASSERT_TRUE(c->SendFrame(a01).ok());
  const bool sending = AdapterLogHas("sending event " + EventOf(a01).event_id());
  adapter_.Signal(SIGTERM);
  const bool stopping = AdapterLogHas("signal 15: stopping");
  ASSERT_EQ(::kill(hub().pid(), SIGCONT), 0);
  ASSERT_TRUE(sending && stopping) << AdapterLog();
  const Ack ack = c->ReadAck(seconds(30));
  ASSERT_TRUE(ack.ok) << ack.error << AdapterLog();
  EXPECT_EQ(ack.code, "AA") << ack.text;
  EXPECT_EQ(Stored(EventOf(a01).event_id()), 1);
  ASSERT_TRUE(adapter_.WaitUntil(ChildProcess::Clock::now() + seconds(30)));
  EXPECT_TRUE(adapter_.last_exit().Ok()) << adapter_.last_exit().ToString();
}

TEST_F(EhrAdapter, ConfigErrorsNameTheFileAndLineAndExit2) {
  WriteFile(dir().File("bad.xml"), R"(<?xml version="1.0" encoding="UTF-8"?>
<ehr xmlns="urn:slussen:adapter:ehr:1">
  <hub url="amqp://127.0.0.1:1"/>
  <mllp listen="127.0.0.1:99999"/>
  <http listen="nowhere"/>
  <mapping sender-hsa-id="SE2321000115-SH01" care-unit-hsa-id="SE2321000115-SH01"/>
</ehr>
)");
  const ProcessResult r = RunProcess({kEhrBinary, "--config", dir().File("bad.xml")});
  EXPECT_EQ(r.status.code, 2) << r.status.ToString();
  EXPECT_THAT(r.err, HasSubstr(dir().File("bad.xml") + ":5:"));
  EXPECT_EQ(r.out, "");

  const ProcessResult usage = RunProcess({kEhrBinary});
  EXPECT_EQ(usage.status.code, 2);
  EXPECT_THAT(usage.err, HasSubstr("--config FILE is required"));

}

}  // namespace
}  // namespace slussen::testing::ehr_itest
