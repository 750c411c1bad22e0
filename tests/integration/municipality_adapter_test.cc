// slussen-municipality (adapters/municipality/) against the real hub and a real HTTP server in the
// test that plays the municipal system: what it POSTs (XSD-valid XML), how the system's answer
// settles the delivery (2xx delivered, 4xx dead letter with the body as the reason, 5xx and a
// refused connection retried), the kvittens and answer posted back, and a restart mid-stream.
// Against the embedded hub only: these are the adapter's own behaviour; its path through the hub
// in both modes (event in, kvittens back) is adapter_chain_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/test_envelopes.h"
#include "util/test_municipal_system.h"
#include "xmldoc/xmldoc.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

using client::SendOutcome;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr char kBinary[] = SLUSSEN_ADAPTER_BINARY_DIR "/municipality/slussen-municipality";
const std::string kKommunDest = KommunDestination(kTestKommun);

class MunicipalityAdapter : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    // Retries come quickly, so that a 503 is followed by the next attempt within the test.
    o.policy_elements[kKommunDest] = R"(<retry initial-delay="100ms" max-delay="500ms"/>)";
    return o;
  }

  // The adapter's config, as an operator writes it, serving kommun 1380 as its socialtjänst.
  std::string WriteAdapterConfig(const std::string& system_url, int max_in_flight = 4,
                                 const std::string& timeout = "10s") {
    const std::string path = dir().File("municipality.xml");
    WriteFile(path,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<municipality xmlns=\"urn:slussen:adapter:municipality:1\">\n"
              "  <hub url=\"" +
                  hub().url() +
                  "\" container-id=\"test-municipality\">\n"
                  "    <reconnect initial-delay=\"50ms\" max-delay=\"500ms\"/>\n"
                  "  </hub>\n"
                  "  <serves sender-hsa-id=\"" +
                  std::string(kTestKommunSender) + "\" max-in-flight=\"" +
                  std::to_string(max_in_flight) +
                  "\">\n"
                  "    <destination id=\"" +
                  kKommunDest +
                  "\"/>\n"
                  "  </serves>\n"
                  "  <system url=\"" +
                  system_url + "\" connect-timeout=\"2s\" timeout=\"" + timeout +
                  "\"/>\n"
                  "  <receipts listen=\"127.0.0.1:0\" hub-timeout=\"20s\"/>\n"
                  "</municipality>\n");
    return path;
  }

  ::testing::AssertionResult StartAdapter(ChildProcess& adapter, const std::string& config) {
    auto started =
        adapter.Start({kBinary, "--config", config}, dir().File("municipality.log"), seconds(30));
    if (!started) return ::testing::AssertionFailure() << started.error();
    if (adapter.name() != "slussen-municipality" || adapter.Endpoint("http").empty()) {
      return ::testing::AssertionFailure() << "ready line without http=";
    }
    return ::testing::AssertionSuccess();
  }

  std::string AdapterLog() const {
    return "\n--- adapter log ---\n" + ReadFileTail(dir_path_ + "/municipality.log");
  }

  void SendEvent(const v1::Envelope& env) {
    auto c = NewClient();
    ASSERT_TRUE(c);
    const SendOutcome o = c->Send("events", ToMessage(env));
    ASSERT_EQ(o.kind, SendOutcome::Kind::kAccepted) << o.description << HubLog();
  }

  std::string Row(const v1::Envelope& env) const {
    return "destination = '" + kKommunDest + "' AND event_row = (SELECT id FROM events WHERE " +
           "event_id = '" + env.event_id() + "')";
  }
  bool Delivered(const v1::Envelope& env) {
    return store().QueryInt("SELECT count(*) FROM outbox WHERE " + Row(env) +
                            " AND delivered_at_us IS NOT NULL") == 1;
  }

  // POSTs a document to the adapter's endpoint, as the municipal system does.
  static httplib::Result PostDocument(const ChildProcess& adapter, const std::string& document) {
    httplib::Client c("http://" + adapter.Endpoint("http"));
    c.set_read_timeout(60, 0);
    return c.Post("/dokument", document, "application/xml");
  }

  void SetUp() override {
    HubTest::SetUp();
    dir_path_ = dir().path();
  }

  std::string dir_path_;
};

TEST_F(MunicipalityAdapter, AnEventIsPostedAsValidXmlAndRecordedDelivered) {
  TestMunicipalSystem system;
  ChildProcess adapter;
  ASSERT_TRUE(StartAdapter(adapter, WriteAdapterConfig(system.Url()))) << HubLog();

  httplib::Client health("http://" + adapter.Endpoint("http"));
  auto h = health.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);

  const v1::Envelope env = ValidInskrivning();
  SendEvent(env);
  ASSERT_TRUE(system.WaitForPosts(1)) << AdapterLog() << HubLog();
  const auto post = system.posts().front();
  EXPECT_THAT(post.content_type, HasSubstr("application/xml"));
  EXPECT_EQ(post.event_id, env.event_id());
  const Status valid = xmldoc::ValidateDocument(post.body, "posted");
  EXPECT_TRUE(valid.ok()) << valid.error();
  EXPECT_THAT(post.body, HasSubstr("<inskrivningsmeddelande"));
  EXPECT_THAT(post.body, HasSubstr(env.event_id()));
  EXPECT_THAT(post.body, HasSubstr(kTestFamilyName));
  EXPECT_TRUE(PollUntil([&] { return Delivered(env); })) << AdapterLog() << HubLog();

  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
  // Never a patient in the log: the posted document names one, the log only its event.
  const std::string log = ReadFile(dir().File("municipality.log"));
  EXPECT_THAT(log, HasSubstr(env.event_id()));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(kValidPersonnummer)));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(kTestFamilyName)));
}

// The system refuses the document: the hub ends the delivery at once (dead letter), keeping the
// status and the system's own words as the reason.
TEST_F(MunicipalityAdapter, A4xxIsADeadLetterWithTheResponseBodyAsTheReason) {
  TestMunicipalSystem system;
  system.Script({{400, "Okänd vårdenhet SE2321000115-SH01 i <huvud>"}});
  ChildProcess adapter;
  ASSERT_TRUE(StartAdapter(adapter, WriteAdapterConfig(system.Url()))) << HubLog();
  const v1::Envelope env = ValidInskrivning();
  SendEvent(env);
  ASSERT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM outbox WHERE " + Row(env) +
                            " AND dead_at_us IS NOT NULL") == 1;
  })) << AdapterLog()
      << HubLog();
  const auto last_error = store().QueryStrings("SELECT last_error FROM outbox WHERE " + Row(env));
  ASSERT_EQ(last_error.size(), 1u);
  EXPECT_THAT(last_error[0], HasSubstr("slussen:http-400"));
  EXPECT_THAT(last_error[0], HasSubstr("HTTP 400: Okänd vårdenhet SE2321000115-SH01 i <huvud>"));
  EXPECT_EQ(system.posts().size(), 1u);  // never sent again
  EXPECT_FALSE(Delivered(env));
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
}

// 503 then 200: released, tried again by the hub's retry policy, delivered; the failed attempt
// is on record.
TEST_F(MunicipalityAdapter, A5xxIsRetriedUntilDelivered) {
  TestMunicipalSystem system;
  system.Script({{503, "Lifecare underhåll"}});
  ChildProcess adapter;
  ASSERT_TRUE(StartAdapter(adapter, WriteAdapterConfig(system.Url()))) << HubLog();
  const v1::Envelope env = ValidInskrivning();
  SendEvent(env);
  ASSERT_TRUE(PollUntil([&] { return Delivered(env); })) << AdapterLog() << HubLog();
  EXPECT_EQ(system.posts().size(), 2u);
  for (const auto& p : system.posts()) EXPECT_EQ(p.event_id, env.event_id());
  EXPECT_EQ(store().QueryStrings("SELECT a.outcome FROM delivery_attempts a JOIN outbox o "
                                 "ON a.seq = o.seq WHERE o." +
                                 Row(env)),
            std::vector<std::string>{"released"});
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
}

// Nothing listens where the system should be: each attempt is released, never dead, never
// delivered, and the adapter keeps running.
TEST_F(MunicipalityAdapter, ARefusedConnectionIsReleasedForRetry) {
  std::string url;
  {
    TestMunicipalSystem gone;  // its port, free again once it is gone
    url = gone.Url();
  }
  ChildProcess adapter;
  ASSERT_TRUE(StartAdapter(adapter, WriteAdapterConfig(url))) << HubLog();
  const v1::Envelope env = ValidInskrivning();
  SendEvent(env);
  ASSERT_TRUE(PollUntil([&] {
    return store().QueryInt(
               "SELECT count(*) FROM delivery_attempts a JOIN outbox o "
               "ON a.seq = o.seq WHERE a.outcome = 'released' AND o." +
               Row(env)) >= 2;
  })) << AdapterLog()
      << HubLog();
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM outbox WHERE " + Row(env) +
                             " AND (dead_at_us IS NOT NULL OR delivered_at_us IS NOT NULL)"),
            0);
  EXPECT_TRUE(adapter.Alive());
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
  EXPECT_THAT(ReadFile(dir().File("municipality.log")), HasSubstr("released for retry"));
}

// The system answers too late (after system@timeout): released, tried again, and delivered once
// it answers in time.
TEST_F(MunicipalityAdapter, ATimeoutIsReleasedForRetry) {
  TestMunicipalSystem system;
  system.SetDelay(milliseconds(2500));
  ChildProcess adapter;
  ASSERT_TRUE(StartAdapter(adapter, WriteAdapterConfig(system.Url(), 4, "1s"))) << HubLog();
  const v1::Envelope env = ValidInskrivning();
  SendEvent(env);
  ASSERT_TRUE(PollUntil([&] {
    return store().QueryInt(
               "SELECT count(*) FROM delivery_attempts a JOIN outbox o "
               "ON a.seq = o.seq WHERE a.outcome = 'released' AND o." +
               Row(env)) >= 1;
  })) << AdapterLog()
      << HubLog();
  system.SetDelay(milliseconds(0));
  EXPECT_TRUE(PollUntil([&] { return Delivered(env); })) << AdapterLog() << HubLog();
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
  EXPECT_THAT(ReadFile(dir().File("municipality.log")), HasSubstr("read failed or timed out"));
}

// The system confirms with a kvittens: 201 once the hub has it, and the Receipt is on the
// delivery's row and in the case. An answer goes on to the hospital; one the hub refuses is a
// 422 with its reason; an invalid document a 400.
TEST_F(MunicipalityAdapter, AKvittensIsRecordedOnTheDeliveryAndTheCase) {
  TestMunicipalSystem system;
  ChildProcess adapter;
  ASSERT_TRUE(StartAdapter(adapter, WriteAdapterConfig(system.Url()))) << HubLog();
  const v1::Envelope env = ValidInskrivning();
  SendEvent(env);
  ASSERT_TRUE(PollUntil([&] { return Delivered(env); })) << AdapterLog() << HubLog();

  EnvelopeSpec spec;
  spec.referenced_event_id = env.event_id();
  const v1::Envelope receipt = ValidEnvelope(EventKind::kReceipt, spec);
  auto kvittens = xmldoc::WriteDocument(receipt);
  ASSERT_TRUE(kvittens.ok()) << kvittens.error();
  auto res = PostDocument(adapter, *kvittens);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body << AdapterLog();
  EXPECT_TRUE(PollUntil([&] {
    return store().QueryInt("SELECT count(*) FROM outbox WHERE " + Row(env) +
                            " AND receipt_at_us IS NOT NULL AND receipt_event_id = '" +
                            receipt.event_id() + "'") == 1;
  })) << HubLog();
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE kind = 'Receipt' AND case_id = '" +
                             CaseIdString(env) + "'"),
            1);
  // Posted again (the same dokument-id): the same event, again 201.
  auto again = PostDocument(adapter, *kvittens);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201);
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE kind = 'Receipt'"), 1);

  spec.event_id = NewEventId();
  const v1::Envelope answer = ValidEnvelope(EventKind::kPlaneringsunderlagSvar, spec);
  auto svar = PostDocument(adapter, *xmldoc::WriteDocument(answer));
  ASSERT_TRUE(svar);
  EXPECT_EQ(svar->status, 201) << svar->body;
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM outbox JOIN events ON id = event_row "
                             "WHERE event_id = '" + answer.event_id() +
                             "' AND destination = '" + kTestFixedDestination + "'"),
            1);

  EnvelopeSpec bad = spec;
  bad.event_id = NewEventId();
  bad.personnummer = kBadCheckDigitPersonnummer;  // the schema takes it; the hub does not
  auto refused = PostDocument(
      adapter, *xmldoc::WriteDocument(ValidEnvelope(EventKind::kPlaneringsunderlagSvar, bad)));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422);
  EXPECT_THAT(refused->body, HasSubstr("check digit"));

  auto invalid = PostDocument(adapter, "<kvittens xmlns=\"urn:slussen:dischargeplanning:1\"/>");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_THAT(invalid->body, HasSubstr("POST /dokument:1: "));
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
}

// With the hub gone, a posted kvittens is answered 503 (post it again), never 201.
TEST_F(MunicipalityAdapter, AKvittensWhileTheHubIsDownIs503) {
  TestMunicipalSystem system;
  ChildProcess adapter;
  std::string config = WriteAdapterConfig(system.Url());
  // A short wait for the hub, so the test does not sit out the default.
  std::string text = ReadFile(config);
  text.replace(text.find("hub-timeout=\"20s\""), 17, "hub-timeout=\"1s\"");
  WriteFile(config, text);
  ASSERT_TRUE(StartAdapter(adapter, config)) << HubLog();
  ASSERT_TRUE(hub().Stop().Ok());
  httplib::Client health("http://" + adapter.Endpoint("http"));
  ASSERT_TRUE(PollUntil([&] {
    auto h = health.Get("/healthz");
    return h && h->status == 503;
  })) << AdapterLog();
  auto res = PostDocument(adapter, *xmldoc::WriteDocument(ValidEnvelope(EventKind::kReceipt)));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
  ASSERT_TRUE(hub().Start());
}

// A stream of events, the adapter stopped (SIGTERM) and later killed (-9) in the middle of it and
// started again each time: every event reaches the system at least once and is recorded
// delivered.
TEST_F(MunicipalityAdapter, ARestartMidStreamLosesNothing) {
  TestMunicipalSystem system;
  system.SetDelay(milliseconds(30));  // POSTs in flight when the adapter goes
  const std::string config = WriteAdapterConfig(system.Url(), 4);
  ChildProcess adapter;
  ASSERT_TRUE(StartAdapter(adapter, config)) << HubLog();

  std::vector<v1::Envelope> events;
  std::set<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    events.push_back(ValidInskrivningOwnCase());  // each its own case: they move in parallel
    ids.insert(events.back().event_id());
  }
  std::thread feed([&] {
    auto c = NewClient();
    if (!c) return;
    for (const auto& e : events) {
      EXPECT_EQ(c->Send("events", ToMessage(e)).kind, SendOutcome::Kind::kAccepted);
      std::this_thread::sleep_for(milliseconds(10));
    }
  });

  ASSERT_TRUE(system.WaitForPosts(6)) << AdapterLog() << HubLog();
  const ExitStatus stopped = adapter.Stop();
  EXPECT_TRUE(stopped.Ok()) << stopped.ToString() << AdapterLog();
  ASSERT_TRUE(StartAdapter(adapter, config)) << HubLog();
  ASSERT_TRUE(system.WaitForPosts(16)) << AdapterLog() << HubLog();
  adapter.Kill9();
  ASSERT_TRUE(StartAdapter(adapter, config)) << HubLog();
  feed.join();

  EXPECT_TRUE(PollUntil(
      [&] {
        return store().QueryInt("SELECT count(*) FROM outbox WHERE destination = '" + kKommunDest +
                                "' AND delivered_at_us IS NOT NULL") ==
               static_cast<int64_t>(events.size());
      },
      seconds(90)))
      << AdapterLog() << HubLog();
  const std::set<std::string> got = system.EventIds();
  for (const auto& id : ids) EXPECT_TRUE(got.count(id)) << id << " never reached the system";
  EXPECT_TRUE(adapter.Stop().Ok()) << AdapterLog();
}

TEST_F(MunicipalityAdapter, ABadConfigIsReportedWithItsLineAndExit2) {
  const std::string path = dir().File("bad.xml");
  WriteFile(path,
            "<?xml version=\"1.0\"?>\n"
            "<municipality xmlns=\"urn:slussen:adapter:municipality:1\">\n"
            "  <hub url=\"" +
                hub().url() +
                "\"/>\n"
                "  <serves sender-hsa-id=\"SE2120001380-SOC1\"><destination "
                "id=\"kommun-1380\"/></serves>\n"
                "  <system url=\"gopher://127.0.0.1/\"/>\n"
                "  <receipts listen=\"127.0.0.1:0\"/>\n"
                "</municipality>\n");
  const ProcessResult r = RunProcess({kBinary, "--config", path});
  EXPECT_TRUE(r.status.exited);
  EXPECT_EQ(r.status.code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + ":5: "));
  const ProcessResult usage = RunProcess({kBinary});
  EXPECT_EQ(usage.status.code, 2);
  EXPECT_THAT(usage.err, HasSubstr("--config FILE is required"));
}

}  // namespace
}  // namespace slussen::testing
