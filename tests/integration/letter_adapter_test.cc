// slussen-letter against the real hub and the real fake fax gateway (issue 11 item 5): a kommun
// that sends no receipt gets the event as a letter (its text read back with pdftotext), a fax
// line that fails sends it back to the hub's retry, a restart mid-stream loses nothing, and a
// letter nobody is configured for becomes a dead letter with the reason.
// Against the embedded hub only: these are the adapter's own behaviour; the letter fallback in
// both modes is adapter_chain_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "hub_client.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/message_collector.h"
#include "testing/pdf_tools.h"
#include "testing/test_envelopes.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

namespace fs = std::filesystem;
using client::SendOutcome;
using ::testing::HasSubstr;
using ::testing::Not;
using std::chrono::seconds;

const std::string kLetterBinary = SLUSSEN_ADAPTER_BINARY_DIR "/letter/slussen-letter";
const std::string kFakeFax = SLUSSEN_ADAPTER_BINARY_DIR "/letter/slussen-fake-fax";
const std::string kKommun = KommunDestination(kTestKommun);
const std::string kOtherKommun = KommunDestination(kTestOtherKommun);
constexpr char kGiven[] = "Åsa";
constexpr char kFamily[] = "Öberg-Lärka";

class LetterAdapter : public HubTest {
 protected:
  // Both kommuner confirm with receipts within a second, else the event goes to letter too;
  // a released letter is tried again soon.
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.destinations.push_back({"letter", "Brev"});
    o.policy_elements[kKommun] = R"(<receipt timeout="1s" fallback="letter"/>)";
    o.policy_elements[kOtherKommun] = R"(<receipt timeout="1s" fallback="letter"/>)";
    o.policy_elements["letter"] = R"(<retry initial-delay="200ms" max-delay="1s" jitter="0"/>)";
    return o;
  }

  void SetUp() override {
    HubTest::SetUp();
    if (HasFatalFailure()) return;
    inbox_ = dir().File("fax");
    fs::create_directories(inbox_);
    // The kommuner take every event and never send a receipt.
    kommun_client_ = NewClient();
    ASSERT_TRUE(kommun_client_);
    std::string error;
    ASSERT_GE(kommun_client_->Receive(OutAddress(kKommun), kommun_.Handler(), 100, &error), 0)
        << error;
    ASSERT_GE(kommun_client_->Receive(OutAddress(kOtherKommun), kommun_.Handler(), 100, &error), 0)
        << error;
  }

  void TearDown() override {
    if (letter_.Alive()) letter_.Stop();
    if (::testing::Test::HasFailure()) std::cerr << "slussen-letter log:\n" << LetterLog();
    kommun_client_.reset();
    HubTest::TearDown();
  }

  // The fax command: the fake gateway, or `prefix` before it (a shell that waits first).
  std::vector<std::string> FaxCommand(const std::vector<std::string>& prefix = {}) const {
    std::vector<std::string> argv = prefix;
    for (const std::string& a : {kFakeFax, std::string("--inbox"), inbox_, std::string("--fax"),
                                 std::string("{fax}"), std::string("{file}")}) {
      argv.push_back(a);
    }
    return argv;
  }

  // The adapter's config: recipients for kommun-1380 and the vårdcentral, not for kommun-1383.
  std::string WriteLetterConfig(const std::vector<std::string>& argv, int workers = 2,
                                int max_in_flight = 4) {
    std::string args;
    for (const auto& a : argv) args += "<arg>" + a + "</arg>";
    const std::string path = dir().File("letter.xml");
    WriteFile(path, R"(<?xml version="1.0" encoding="UTF-8"?>
<slussen-letter xmlns="urn:slussen:adapter:letter:1">
  <hub url="amqp://)" + hub().url() + R"(">
    <reconnect initial-delay="100ms" max-delay="1s"/>
  </hub>
  <receive max-in-flight=")" + std::to_string(max_in_flight) + R"(" workers=")" +
                        std::to_string(workers) + R"("/>
  <hospital name="Hallands sjukhus Halmstad" phone="035-13 10 00">
    <address><line>Box 581</line><line>301 80 Halmstad</line></address>
  </hospital>
  <recipients>
    <recipient id="kommun-1380" name="Halmstads kommun, Socialförvaltningen, Biståndsenheten"
               hsa-id="SE2120001380-SOC1" fax="+46 35 13 75 90">
      <address><line>Box 230</line><line>301 06 Halmstad</line></address>
    </recipient>
    <recipient id="vc-SE2321000115-VC01" name="Vårdcentralen Andersberg, Halmstad"
               fax="+46 35 13 14 59">
      <address><line>Andersbergsringen 64</line><line>302 54 Halmstad</line></address>
    </recipient>
  </recipients>
  <spool dir="spool" keep-sent="1d"/>
  <command timeout="30s">)" + args + R"(</command>
</slussen-letter>
)");
    return path;
  }

  void StartLetter(const std::string& config) {
    const Status st = letter_.Start({kLetterBinary, "--config", config, "--log-level", "debug"},
                                    dir().File("letter.log"), seconds(30));
    ASSERT_TRUE(st.ok()) << st.error();
    ASSERT_EQ(letter_.name(), "slussen-letter");
    ASSERT_EQ(letter_.Endpoint("amqp"), hub().url());
  }

  std::string LetterLog() { return ReadFileTail(dir().File("letter.log"), 16384); }

  void SendEvent(const v1::Envelope& env) {
    auto c = NewClient();
    ASSERT_TRUE(c);
    const SendOutcome out = c->Send("events", ToMessage(env));
    ASSERT_EQ(out.kind, SendOutcome::Kind::kAccepted) << out.description << HubLog();
  }

  // The faxed letters of `event_id` in the inbox (whole files only: the gateway renames them in).
  std::vector<std::string> Letters(const std::string& event_id) const {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(inbox_)) {
      const std::string name = e.path().filename().string();
      if (name.find(event_id) != std::string::npos && name.ends_with(".pdf")) {
        found.push_back(e.path().string());
      }
    }
    return found;
  }

  std::string LetterRow(const std::string& event_id, const std::string& column) {
    const auto rows = store().QueryStrings("SELECT coalesce(" + column + ", 'NULL') FROM outbox "
                                           "JOIN events ON id = event_row WHERE event_id = '" +
                                           event_id + "' AND destination = 'letter'");
    return rows.empty() ? "<no row>" : rows[0];
  }
  bool LetterDelivered(const std::string& event_id) {
    const std::string v = LetterRow(event_id, "delivered_at_us");
    return v != "NULL" && v != "<no row>";
  }
  int LetterAttempts(const std::string& event_id, const std::string& outcome) {
    return static_cast<int>(store().QueryInt(
        "SELECT count(*) FROM delivery_attempts a JOIN outbox o ON o.seq = a.seq WHERE "
        "o.destination = 'letter' AND o.event_row = (SELECT id FROM events WHERE event_id = '" +
        event_id + "') AND a.outcome = '" +
        outcome + "'"));
  }

  static v1::Envelope InskrivningWithAao(const std::string& kommunkod = kTestKommun) {
    v1::Envelope env = ValidInskrivning(NewEventId(), kommunkod);
    env.mutable_inskrivningsmeddelande()->mutable_name()->set_given_name(kGiven);
    env.mutable_inskrivningsmeddelande()->mutable_name()->set_family_name(kFamily);
    return env;
  }

  // Five letters, one worker, each letter taking a second; the adapter is stopped (SIGTERM, or
  // SIGKILL with `kill9`) once the first is out, while the others are in flight or waiting, and
  // started again: every letter is delivered, none dead.
  void RestartMidStream(bool kill9) {
    const std::string config =
        WriteLetterConfig(FaxCommand({"/bin/sh", "-c", "sleep 1; exec \"$0\" \"$@\""}), 1, 3);
    ASSERT_NO_FATAL_FAILURE(StartLetter(config));
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
      v1::Envelope env = ValidInskrivningOwnCase();
      ids.push_back(env.event_id());
      ASSERT_NO_FATAL_FAILURE(SendEvent(env));
    }
    const auto faxed = [&] {
      int n = 0;
      for (const auto& id : ids) n += Letters(id).empty() ? 0 : 1;
      return n;
    };
    ASSERT_TRUE(PollUntil([&] { return faxed() >= 1; }, seconds(60))) << HubLog() << LetterLog();

    if (kill9) {
      letter_.Kill9();
    } else {
      const ExitStatus st = letter_.Stop();
      ASSERT_TRUE(st.Ok()) << st.ToString() << LetterLog();
    }
    int delivered = 0;
    for (const auto& id : ids) delivered += LetterDelivered(id) ? 1 : 0;
    EXPECT_LT(delivered, 5) << "the stop was to come mid-stream";

    ASSERT_NO_FATAL_FAILURE(StartLetter(config));
    ASSERT_TRUE(PollUntil(
        [&] {
          for (const auto& id : ids) {
            if (!LetterDelivered(id)) return false;
          }
          return true;
        },
        seconds(90)))
        << HubLog() << LetterLog();
    EXPECT_EQ(faxed(), 5);
    EXPECT_EQ(store().QueryInt("SELECT count(*) FROM outbox WHERE destination = 'letter' AND "
                               "dead_at_us IS NOT NULL"),
              0);
  }

  std::string inbox_;
  ChildProcess letter_;
  MessageCollector kommun_;
  std::unique_ptr<client::HubClient> kommun_client_;
};

TEST_F(LetterAdapter, AKommunWithoutReceiptGetsALetterByFax) {
  ASSERT_NO_FATAL_FAILURE(StartLetter(WriteLetterConfig(FaxCommand())));
  const v1::Envelope env = InskrivningWithAao();
  ASSERT_NO_FATAL_FAILURE(SendEvent(env));
  ASSERT_TRUE(kommun_.WaitForId(env.event_id())) << HubLog();

  ASSERT_TRUE(PollUntil([&] { return !Letters(env.event_id()).empty(); }, seconds(60)))
      << HubLog() << LetterLog();
  const auto letters = Letters(env.event_id());
  ASSERT_EQ(letters.size(), 1u);
  // Named for the recipient's fax line; the letter stands in for the kommun's delivery.
  EXPECT_THAT(letters[0], HasSubstr("fax-+4635137590-" + env.event_id() + ".kommun-1380.pdf"));
  const std::string text = PdfText(letters[0]);
  // (The unit's name wraps in the address field.)
  EXPECT_THAT(text, HasSubstr("Halmstads kommun, Socialförvaltningen,"));
  EXPECT_THAT(text, HasSubstr("Biståndsenheten"));
  EXPECT_THAT(text, HasSubstr("Box 230"));
  EXPECT_THAT(text, HasSubstr("301 06 Halmstad"));
  EXPECT_THAT(text, HasSubstr(kGiven));
  EXPECT_THAT(text, HasSubstr(kFamily));
  EXPECT_THAT(text, HasSubstr("no receipt from kommun-1380 by"));
  EXPECT_THAT(text, HasSubstr("Hallands sjukhus Halmstad"));

  // The hub has the letter's delivery as delivered, on the first attempt.
  ASSERT_TRUE(PollUntil([&] { return LetterDelivered(env.event_id()); })) << HubLog();
  EXPECT_EQ(LetterAttempts(env.event_id(), "released"), 0);
  // The spool keeps the sent letter (keep-sent 1d).
  EXPECT_TRUE(fs::exists(dir().File("spool/sent/" + env.event_id() + ".kommun-1380.pdf")));

  // The log says what happened, with ids and no patient data.
  const ExitStatus st = letter_.Stop();
  EXPECT_TRUE(st.Ok()) << st.ToString();
  const std::string log = LetterLog();
  EXPECT_THAT(log, HasSubstr(env.event_id()));
  EXPECT_THAT(log, HasSubstr("accepted"));
  EXPECT_THAT(log, Not(HasSubstr(kValidPersonnummer)));
  EXPECT_THAT(log, Not(HasSubstr(kGiven)));
  EXPECT_THAT(log, Not(HasSubstr(kFamily)));
}

TEST_F(LetterAdapter, AFailingFaxLineIsRetriedUntilItWorks) {
  WriteFile(inbox_ + "/FAIL", "");
  ASSERT_NO_FATAL_FAILURE(StartLetter(WriteLetterConfig(FaxCommand())));
  const v1::Envelope env = InskrivningWithAao();
  ASSERT_NO_FATAL_FAILURE(SendEvent(env));

  // Released each time, and on record as attempts.
  ASSERT_TRUE(PollUntil([&] { return LetterAttempts(env.event_id(), "released") >= 2; },
                        seconds(60)))
      << HubLog() << LetterLog();
  EXPECT_TRUE(Letters(env.event_id()).empty());
  EXPECT_FALSE(LetterDelivered(env.event_id()));
  EXPECT_EQ(LetterRow(env.event_id(), "dead_at_us"), "NULL") << "a failed fax is retried, not dead";
  EXPECT_THAT(LetterLog(), HasSubstr("exit status 1"));
  EXPECT_THAT(LetterLog(), HasSubstr("released"));

  // The line mended: the next attempt goes out.
  fs::remove(inbox_ + "/FAIL");
  ASSERT_TRUE(PollUntil([&] { return LetterDelivered(env.event_id()); }, seconds(60)))
      << HubLog() << LetterLog();
  ASSERT_EQ(Letters(env.event_id()).size(), 1u);
  EXPECT_THAT(PdfText(Letters(env.event_id())[0]), HasSubstr(kFamily));
  EXPECT_GE(std::stoi(LetterRow(env.event_id(), "attempts")), 2);
}

TEST_F(LetterAdapter, ARestartMidStreamLosesNothing) { RestartMidStream(/*kill9=*/false); }

TEST_F(LetterAdapter, AKilledAdapterLosesNothing) { RestartMidStream(/*kill9=*/true); }

TEST_F(LetterAdapter, ALetterForNoKnownRecipientIsADeadLetterWithTheReason) {
  ASSERT_NO_FATAL_FAILURE(StartLetter(WriteLetterConfig(FaxCommand())));
  const v1::Envelope env = InskrivningWithAao(kTestOtherKommun);  // no recipient for kommun-1383
  ASSERT_NO_FATAL_FAILURE(SendEvent(env));
  ASSERT_TRUE(PollUntil([&] { return LetterRow(env.event_id(), "dead_at_us") != "NULL" &&
                                     LetterRow(env.event_id(), "dead_at_us") != "<no row>"; },
                        seconds(60)))
      << HubLog() << LetterLog();
  EXPECT_THAT(LetterRow(env.event_id(), "last_error"),
              HasSubstr("no recipient configured for kommun-1383"));
  EXPECT_EQ(LetterAttempts(env.event_id(), "rejected"), 1);
  EXPECT_TRUE(Letters(env.event_id()).empty());
  EXPECT_THAT(LetterLog(), HasSubstr("rejected"));
}

TEST_F(LetterAdapter, ABadConfigIsReportedWithItsLineAndExit2) {
  const std::string path = dir().File("bad.xml");
  WriteFile(path, "<?xml version=\"1.0\"?>\n<slussen-letter xmlns=\"urn:slussen:adapter:letter:1\">\n"
                  "  <hub/>\n  <bogus/>\n</slussen-letter>\n");
  const ProcessResult r = RunProcess({kLetterBinary, "--config", path});
  EXPECT_TRUE(r.status.exited);
  EXPECT_EQ(r.status.code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + ":4:"));
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace slussen::testing
