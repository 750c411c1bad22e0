// The wire contract is not Proton-C++-only: an independent client — Debian's Python Qpid Proton
// with Debian's python3-protobuf, building the envelope from events.proto itself
// (tests/interop/python_client.py) — sends an event and receives its delivery, against the
// embedded hub and against the hub in broker mode on RabbitMQ (issue 14 item 5).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/broker_hub.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "testing/hub_fixture.h"
#include "testing/temp_dir.h"
#include "testing/test_envelopes.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

const std::string kKommunOut = OutAddress(KommunDestination(kTestKommun));

// The Python module of events.proto, generated into `dir` with Debian's protoc.
::testing::AssertionResult GeneratePythonModule(const std::string& dir) {
  const ProcessResult r = RunProcess({SLUSSEN_PROTOC, "--python_out=" + dir,
                                      "-I" + (SourceDir() / "schemas").string(),
                                      "slussen/v1/events.proto"});
  if (!r.status.Ok()) return ::testing::AssertionFailure() << "protoc: " << r.err;
  return ::testing::AssertionSuccess();
}

struct PythonRun {
  ProcessResult process;
  nlohmann::json line;
};

PythonRun RunPythonClient(std::vector<std::string> extra, const std::string& pb_dir) {
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   (SourceDir() / "tests" / "interop" / "python_client.py").string(),
                                   "--pb-dir", pb_dir,
                                   "--personnummer", TestPersonnummer().front(),
                                   "--sender", kTestHospital,
                                   "--kommunkod", kTestKommun};
  argv.insert(argv.end(), extra.begin(), extra.end());
  PythonRun run{RunProcess(argv, std::chrono::seconds(120)), nullptr};
  const auto nl = run.process.out.find('\n');
  run.line = nlohmann::json::parse(run.process.out.substr(0, nl), nullptr, /*allow_exceptions=*/false);
  return run;
}

void ExpectDelivered(const PythonRun& run, const std::string& log) {
  const std::string shown = "exit " + run.process.status.ToString() + "\nstdout: " +
                            run.process.out + "\nstderr: " + run.process.err + "\nhub log:\n" + log;
  ASSERT_TRUE(run.line.is_object()) << shown;
  EXPECT_EQ(run.line.value("outcome", ""), "accepted") << shown;
  ASSERT_TRUE(run.line.contains("received")) << shown;
  const auto& got = run.line["received"];
  const std::string sent = run.line.value("sent", "");
  EXPECT_EQ(got.value("event_id", ""), sent) << shown;
  EXPECT_EQ(got.value("message_id", ""), sent) << shown;  // message-id = event id
  EXPECT_EQ(got.value("subject", ""), "Inskrivningsmeddelande") << shown;
  EXPECT_EQ(got.value("event_type", ""), "Inskrivningsmeddelande") << shown;
  EXPECT_EQ(got.value("kind", ""), "inskrivningsmeddelande") << shown;
  EXPECT_TRUE(run.process.status.Ok()) << shown;
}

class InteropEmbedded : public HubTest {};

TEST_F(InteropEmbedded, PythonProtonSendsAnEventAndReceivesItsDelivery) {
  const std::string pb = dir().File("pb");
  std::filesystem::create_directories(pb);
  ASSERT_TRUE(GeneratePythonModule(pb));
  const PythonRun run = RunPythonClient(
      {"--url", "amqp://" + hub().url(), "--send", "events", "--receive", kKommunOut}, pb);
  ExpectDelivered(run, HubLog());
}

TEST(InteropBroker, PythonProtonSendsAnEventAndReceivesItsDelivery) {
  TempDir dir("InteropBroker");
  BrokerHub b;
  ASSERT_TRUE(StartBrokerHub(dir.path(), b));
  const std::string pb = dir.File("pb");
  std::filesystem::create_directories(pb);
  ASSERT_TRUE(GeneratePythonModule(pb));
  const PythonRun run = RunPythonClient(
      {"--url", b.node->url(), "--user", b.adapter_user, "--password", b.password, "--broker",
       "--send", b.Address("events"), "--receive", b.Address(kKommunOut)},
      pb);
  ExpectDelivered(run, ReadFile(dir.File("hub.log")));
  EXPECT_TRUE(b.hub->Stop().Ok());
}

}  // namespace
}  // namespace slussen::testing
