// The adapters end to end, in both modes (issue 14 item 3; testing/hub_mode_fixture.h): the real
// slussen-ehr, slussen-municipality and slussen-letter connected through the embedded hub
// (Embedded/) or through RabbitMQ with the hub as the broker's client (Broker/), each with the
// <hub> element an operator writes for that mode.
//  - An admission from the EHR (HL7 over MLLP) reaches the kommun's system as a document, and the
//    kommun's kvittens comes back to the hub as the receipt of that delivery.
//  - A kommun that sends no receipt gets the event as a letter by fax (the hub's fallback).
// Broker mode differs by design where the sender's acknowledgement is the broker's: the EHR's AA
// means the broker has the event (the hub stores it after), and a delivery counts as made when
// the broker has it in the destination's queue. The adapters' own behaviour (HTTP answers, HL7
// framing, restarts, config errors) is tested against the embedded hub in their own files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <string>
#include <variant>

#include "hl7/parser.h"
#include "integration/ehr_mllp_client.h"
#include "mapping/adt_mapping.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_mode_fixture.h"
#include "testing/message_collector.h"
#include "testing/pdf_tools.h"
#include "testing/test_envelopes.h"
#include "util/test_municipal_system.h"
#include "xmldoc/xmldoc.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using std::chrono::seconds;

const std::string kEhr = SLUSSEN_ADAPTER_BINARY_DIR "/ehr/slussen-ehr";
const std::string kMunicipality = SLUSSEN_ADAPTER_BINARY_DIR "/municipality/slussen-municipality";
const std::string kLetter = SLUSSEN_ADAPTER_BINARY_DIR "/letter/slussen-letter";
const std::string kFakeFax = SLUSSEN_ADAPTER_BINARY_DIR "/letter/slussen-fake-fax";
const std::string kKommunDest = KommunDestination(kTestKommun);
constexpr char kReconnect[] = "<reconnect initial-delay=\"50ms\" max-delay=\"500ms\"/>";

class AdapterChain : public HubModeTest {
 protected:
  void TearDown() override {
    for (ChildProcess* p : {&ehr_, &municipality_, &letter_}) {
      if (p->Alive()) {
        EXPECT_TRUE(p->Stop().Ok());
      }
    }
    if (HasFailure()) {
      for (const char* log : {"ehr.log", "municipality.log", "letter.log"}) {
        if (fs::exists(dir().File(log))) {
          std::cerr << "--- " << log << " ---\n" << ReadFileTail(dir().File(log)) << "\n";
        }
      }
    }
    HubModeTest::TearDown();
  }

  ::testing::AssertionResult Start(ChildProcess& p, const std::string& binary,
                                   const std::string& name, const std::string& config_text) {
    const std::string config = dir().File(name + ".xml");
    WriteFile(config, config_text);
    const Status s = p.Start({binary, "--config", config}, dir().File(name + ".log"), seconds(30));
    if (!s.ok()) return ::testing::AssertionFailure() << s.error() << HubLog();
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult StartEhr() {
    return Start(ehr_, kEhr, "ehr", R"(<?xml version="1.0" encoding="UTF-8"?>
<ehr xmlns="urn:slussen:adapter:ehr:1">
  )" + AdapterHubElement("itest-ehr", kReconnect) + R"(
  <mllp listen="127.0.0.1:0"/>
  <http listen="127.0.0.1:0"/>
  <mapping sender-hsa-id=")" + kTestHospital + R"(" care-unit-hsa-id=")" + kTestHospital + R"("/>
</ehr>
)");
  }

  ::testing::AssertionResult StartMunicipality(const std::string& system_url) {
    return Start(municipality_, kMunicipality, "municipality",
                 R"(<?xml version="1.0" encoding="UTF-8"?>
<municipality xmlns="urn:slussen:adapter:municipality:1">
  )" + AdapterHubElement("itest-municipality", kReconnect) + R"(
  <serves sender-hsa-id=")" + kTestKommunSender + R"(" max-in-flight="4">
    <destination id=")" + kKommunDest + R"("/>
  </serves>
  <system url=")" + system_url + R"(" connect-timeout="2s" timeout="10s"/>
  <receipts listen="127.0.0.1:0" hub-timeout="20s"/>
</municipality>
)");
  }

  bool OutboxHas(const std::string& event_id, const std::string& destination,
                 const std::string& condition) {
    return store().QueryInt("SELECT count(*) FROM outbox JOIN events ON id = event_row "
                            "WHERE event_id = '" + event_id +
                            "' AND destination = '" + destination + "' AND " + condition) == 1;
  }

  ChildProcess ehr_;
  ChildProcess municipality_;
  ChildProcess letter_;
};

// The event the EHR adapter makes of `message` (the mapping is deterministic).
v1::Envelope EventOf(const std::string& message) {
  auto parsed = hl7::Parse(message);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  if (!parsed.ok()) return {};
  ehr::MappingConfig m;
  m.sender_hsa_id = kTestHospital;
  m.care_unit_hsa_id = kTestHospital;
  auto mapped = ehr::MapAdt(*parsed, m);
  EXPECT_TRUE(std::holds_alternative<v1::Envelope>(mapped));
  return std::holds_alternative<v1::Envelope>(mapped) ? std::get<v1::Envelope>(mapped)
                                                       : v1::Envelope{};
}

TEST_P(AdapterChain, AnAdmissionFromTheEhrReachesTheKommunsSystemAndItsKvittensComesBack) {
  TestMunicipalSystem system;
  ASSERT_TRUE(StartMunicipality(system.Url()));
  ASSERT_TRUE(StartEhr());
  const std::string a01 =
      ReadFile((SourceDir() / "adapters/ehr/examples/adt_a01_inskrivning.hl7").string());
  const v1::Envelope event = EventOf(a01);
  ASSERT_FALSE(event.event_id().empty());

  MllpClient mllp;
  ASSERT_TRUE(mllp.Connect(ehr_.Endpoint("mllp")).ok());
  const Ack ack = mllp.Exchange(a01);
  ASSERT_TRUE(ack.ok) << ack.error;
  EXPECT_EQ(ack.code, "AA") << ack.text;
  // Embedded: AA only once the hub stored it. Broker: once the broker has it; the hub after.
  EXPECT_TRUE(Committed([&] {
    return store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + event.event_id() +
                            "'") == 1;
  })) << HubLog();

  ASSERT_TRUE(system.WaitForPosts(1)) << HubLog();
  const auto post = system.posts().front();
  EXPECT_EQ(post.event_id, event.event_id());
  EXPECT_THAT(post.body, HasSubstr("<inskrivningsmeddelande"));
  EXPECT_TRUE(PollUntil([&] {
    return OutboxHas(event.event_id(), kKommunDest, "delivered_at_us IS NOT NULL");
  })) << HubLog();

  // The kommun's system confirms: the receipt goes through the adapter (201 once the hub, or
  // the broker, has it) onto the delivery's row.
  EnvelopeSpec spec;
  spec.referenced_event_id = event.event_id();
  v1::Envelope receipt = ValidEnvelope(EventKind::kReceipt, spec);
  *receipt.mutable_case_id() = event.case_id();
  *receipt.mutable_patient() = event.patient();
  auto kvittens = xmldoc::WriteDocument(receipt);
  ASSERT_TRUE(kvittens.ok()) << kvittens.error();
  httplib::Client http("http://" + municipality_.Endpoint("http"));
  http.set_read_timeout(60, 0);
  auto res = http.Post("/dokument", *kvittens, "application/xml");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  EXPECT_TRUE(PollUntil([&] {
    return OutboxHas(event.event_id(), kKommunDest,
                     "receipt_at_us IS NOT NULL AND receipt_event_id = '" + receipt.event_id() +
                         "'");
  })) << HubLog();
}

// Kommuner that confirm within a second, else the event goes to letter too; a released letter
// is tried again soon.
class LetterFallback : public AdapterChain {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.destinations.push_back({"letter", "Brev"});
    o.policy_elements[kKommunDest] = R"(<receipt timeout="1s" fallback="letter"/>)";
    o.policy_elements["letter"] = R"(<retry initial-delay="200ms" max-delay="1s" jitter="0"/>)";
    return o;
  }
};

TEST_P(LetterFallback, AKommunWithoutReceiptGetsTheEventAsALetterByFax) {
  const std::string inbox = dir().File("fax");
  fs::create_directories(inbox);
  ASSERT_TRUE(Start(letter_, kLetter, "letter", R"(<?xml version="1.0" encoding="UTF-8"?>
<slussen-letter xmlns="urn:slussen:adapter:letter:1">
  )" + AdapterHubElement("itest-letter", kReconnect) + R"(
  <receive max-in-flight="4" workers="2"/>
  <hospital name="Hallands sjukhus Halmstad" phone="035-13 10 00">
    <address><line>Box 581</line><line>301 80 Halmstad</line></address>
  </hospital>
  <recipients>
    <recipient id="kommun-1380" name="Halmstads kommun" hsa-id="SE2120001380-SOC1"
               fax="+46 35 13 75 90">
      <address><line>Box 230</line><line>301 06 Halmstad</line></address>
    </recipient>
  </recipients>
  <spool dir="spool" keep-sent="1d"/>
  <command timeout="30s"><arg>)" + kFakeFax + "</arg><arg>--inbox</arg><arg>" + inbox +
                                           R"(</arg><arg>--fax</arg><arg>{fax}</arg><arg>{file}</arg></command>
</slussen-letter>
)"));
  // The kommun takes the event and never sends a receipt.
  MessageCollector kommun;
  auto c = NewClient();
  ASSERT_TRUE(c);
  std::string error;
  ASSERT_GE(c->Receive(OutAddress(kKommunDest), kommun.Handler(), 100, &error), 0) << error;
  const v1::Envelope env = ValidInskrivning();
  ASSERT_EQ(c->Send("events", ToMessage(env)).kind, client::SendOutcome::Kind::kAccepted);
  ASSERT_TRUE(kommun.WaitForId(env.event_id())) << HubLog();

  const std::string letter = inbox + "/fax-+4635137590-" + env.event_id() + ".kommun-1380.pdf";
  ASSERT_TRUE(PollUntil([&] { return fs::exists(letter); }, seconds(60))) << HubLog();
  EXPECT_THAT(PdfText(letter), HasSubstr("no receipt from kommun-1380 by"));
  EXPECT_TRUE(PollUntil([&] {
    return OutboxHas(env.event_id(), "letter", "delivered_at_us IS NOT NULL");
  })) << HubLog();
}

SLUSSEN_BOTH_MODES(AdapterChain);
SLUSSEN_BOTH_MODES(LetterFallback);

}  // namespace
}  // namespace slussen::testing
