// The EHR adapter (slussen-ehr) between the real hub and an EHR on real sockets: HL7 over MLLP in,
// ACKs out only after the hub settled (AA only for what the hub stored), XML documents over HTTP,
// the hub going away and coming back, and the adapter restarted in the middle of a stream.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "hl7/parser.h"
#include "mapping/adt_mapping.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "integration/ehr_mllp_client.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kEhrBinary = SLUSSEN_ADAPTER_BINARY_DIR "/ehr/slussen-ehr";

std::string Example(const std::string& name) {
  return ReadFile((SourceDir() / "adapters/ehr/examples" / name).string());
}
std::string XmlExample(const std::string& name) {
  return ReadFile((SourceDir() / "adapters/common/xmldoc/examples" / name).string());
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The example A01 for another stay (visit number) with its own control id.
std::string A01For(int n) {
  std::string m = Example("adt_a01_inskrivning.hl7");
  m = Replace(m, "HSH20261123000101", "HSH2026112300" + std::to_string(1000 + n));
  return Replace(m, "VT2026-004711", "VT2026-" + std::to_string(100000 + n));
}

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

class EhrAdapter : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.port = hub_port_;  // fixed: a restarted hub comes back where the adapter reconnects to
    return o;
  }

  void SetUp() override {
    HubTest::SetUp();
    if (HasFatalFailure()) return;
    WriteFile(dir().File("ehr.xml"), AdapterConfig());
    ASSERT_TRUE(StartAdapter());
  }

  void TearDown() override {
    if (adapter_.Alive()) {
      const ExitStatus st = adapter_.Stop(seconds(30));
      EXPECT_TRUE(st.Ok()) << "slussen-ehr did not exit 0 on SIGTERM: " << st.ToString()
                           << AdapterLog();
    }
    if (HasFailure()) std::cerr << AdapterLog() << "\n";
    HubTest::TearDown();
  }

  // The mapping settings of the adapter's config, for computing the events the test expects.
  static ehr::MappingConfig Mapping() {
    ehr::MappingConfig m;
    m.sender_hsa_id = kTestHospital;
    m.care_unit_hsa_id = kTestHospital;
    return m;
  }

  std::string AdapterConfig() const {
    return std::string(R"(<?xml version="1.0" encoding="UTF-8"?>
<ehr xmlns="urn:slussen:adapter:ehr:1">
  <hub url="amqp://127.0.0.1:)") +
           std::to_string(hub_port_) + R"(" container-id="itest-ehr">
    <reconnect initial-delay="50ms" max-delay="500ms"/>
  </hub>
  <mllp listen="127.0.0.1:0" max-frame-bytes="64k" max-connections="4" idle-timeout="5m"
        ack-timeout="5s"/>
  <http listen="127.0.0.1:0" max-body-bytes="256k" threads="4" send-timeout="5s"
        retry-after="7s"/>
  <mapping sender-hsa-id=")" +
           kTestHospital + R"(" care-unit-hsa-id=")" + kTestHospital + R"("/>
  <ack application="SLUSSEN" facility="TEST"/>
  <shutdown grace="5s"/>
</ehr>
)";
  }

  ::testing::AssertionResult StartAdapter(const std::string& log_level = "info") {
    const Status s =
        adapter_.Start({kEhrBinary, "--config", dir().File("ehr.xml"), "--log-level", log_level},
                       dir().File("ehr.stderr.log"), seconds(30));
    if (!s.ok()) return ::testing::AssertionFailure() << s.error() << HubLog();
    if (adapter_.name() != "slussen-ehr" || adapter_.Endpoint("mllp").empty() ||
        adapter_.Endpoint("http").empty()) {
      return ::testing::AssertionFailure() << "unexpected ready line";
    }
    return ::testing::AssertionSuccess();
  }

  std::string AdapterLog() {
    return "\n--- slussen-ehr stderr (tail) ---\n" + ReadFileTail(dir().File("ehr.stderr.log")) +
           "\n--- end ---";
  }

  std::unique_ptr<MllpClient> Connect() {
    auto c = std::make_unique<MllpClient>();
    const Status s = c->Connect(adapter_.Endpoint("mllp"));
    EXPECT_TRUE(s.ok()) << s.error();
    return c;
  }

  httplib::Client Http() {
    const std::string ep = adapter_.Endpoint("http");
    const auto colon = ep.rfind(':');
    httplib::Client c(ep.substr(0, colon), std::stoi(ep.substr(colon + 1)));
    c.set_read_timeout(seconds(30));
    return c;
  }

  // The event the adapter makes of `message` (the mapping is deterministic).
  static v1::Envelope EventOf(const std::string& message) {
    auto parsed = hl7::Parse(message);
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    if (!parsed.ok()) return {};
    auto mapped = ehr::MapAdt(*parsed, Mapping());
    EXPECT_TRUE(std::holds_alternative<v1::Envelope>(mapped));
    return std::holds_alternative<v1::Envelope>(mapped) ? std::get<v1::Envelope>(mapped)
                                                         : v1::Envelope{};
  }

  int64_t Stored(const std::string& event_id) const {
    return store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + event_id + "'");
  }
  bool AdapterLogHas(const std::string& text) {
    return PollUntil([&] {
      return ReadFile(dir().File("ehr.stderr.log")).find(text) != std::string::npos;
    });
  }
  int64_t StoredEvents() const { return store().QueryInt("SELECT count(*) FROM events"); }

  bool HealthIs(int status) {
    return PollUntil([&] {
      auto res = Http().Get("/healthz");
      return res && res->status == status;
    });
  }

  const int hub_port_ = FreeLoopbackPort();
  ChildProcess adapter_;
};

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

TEST_F(EhrAdapter, DischargeIsAcknowledgedAndNothingIsStored) {
  auto c = Connect();
  for (const char* name : {"adt_a03_discharge.hl7", "adt_a02_transfer.hl7",
                           "adt_a13_cancel_discharge.hl7"}) {
    const Ack ack = c->Exchange(Example(name));
    ASSERT_TRUE(ack.ok) << name << ": " << ack.error << AdapterLog();
    EXPECT_EQ(ack.code, "AA") << name;
    EXPECT_FALSE(ack.text.empty()) << name << ": the reason goes into MSA-3";
  }
  EXPECT_EQ(StoredEvents(), 0);
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

TEST_F(EhrAdapter, PostedDocumentIsStoredAndAnswered201) {
  auto http = Http();
  const std::string doc = XmlExample("inskrivningsmeddelande.xml");
  auto res = http.Post("/documents", doc, "application/xml");
  ASSERT_TRUE(res) << httplib::to_string(res.error()) << AdapterLog();
  EXPECT_EQ(res->status, 201) << res->body;
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("application/json"));
  EXPECT_THAT(res->body, HasSubstr("\"event_id\": \"3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c\""));
  EXPECT_EQ(Stored("3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c"), 1);

  // Sent again: the same answer, stored once.
  res = http.Post("/documents", doc, "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(StoredEvents(), 1);

  // Every other kind a hospital sends, from its example.
  for (const char* name :
       {"planeringsunderlag.xml", "andrad-beraknad-utskrivning.xml", "utskrivningsklar.xml",
        "atertagande-utskrivningsklar.xml", "makulering.xml", "uppehall-betalningsansvar.xml",
        "utskrivningsmeddelande.xml"}) {
    auto r = http.Post("/documents", XmlExample(name), "text/xml; charset=utf-8");
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->status, 201) << name << ": " << r->body;
  }
  EXPECT_EQ(StoredEvents(), 8);
}

// A valid document the hub refuses: the kallelse of the example comes from a vårdcentral, which
// the test hub does not know as a sender.
TEST_F(EhrAdapter, DocumentTheHubRefusesIsAnswered422WithItsReason) {
  auto res = Http().Post("/documents", XmlExample("kallelse-sip.xml"), "application/xml");
  ASSERT_TRUE(res) << AdapterLog();
  EXPECT_EQ(res->status, 422) << res->body;
  EXPECT_THAT(res->body, HasSubstr("\"error\": \"refused\""));
  EXPECT_THAT(res->body, HasSubstr("SE2321000115-VC01"));
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(EhrAdapter, InvalidDocumentIsAnswered400NamingEveryProblemAndItsLine) {
  auto http = Http();
  // Line 16 of the example holds the kommunkod.
  const std::string bad = Replace(XmlExample("inskrivningsmeddelande.xml"),
                                  "<kommunkod>1380</kommunkod>", "<kommunkod>13</kommunkod>");
  auto res = http.Post("/documents", bad, "application/xml");
  ASSERT_TRUE(res) << AdapterLog();
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("\"problems\""));
  EXPECT_THAT(res->body, HasSubstr("POST /documents:16:"));

  res = http.Post("/documents", "<inskrivningsmeddelande", "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("POST /documents:1:"));

  // A kvittens comes from a kommun, not from the EHR.
  res = http.Post("/documents", XmlExample("kvittens.xml"), "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;

  res = http.Post("/documents", std::string(300 * 1024, ' '), "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_THAT(res->body, HasSubstr("too-large"));

  res = http.Post("/documents", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);

  res = http.Get("/documents");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST");

  res = http.Get("/nothing-here");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_THAT(res->body, HasSubstr("not-found"));

  EXPECT_EQ(StoredEvents(), 0);
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
}  // namespace slussen::testing
