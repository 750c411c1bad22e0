// Writes the generated seeds under the corpus root given (tests/fuzz/corpus): fuzz_inbound/, one
// serialized valid Envelope of every kind at fuzz_inbound's fixed clock, on two routes each, and
// a near-miss; fuzz_amqp_inbound/, the same envelopes as the hub's encoder frames a message; and
// fuzz_config/test-*.xml, test configs (the demo's config is copied there by hand). Event ids
// are fixed, so rerunning it reproduces the committed files byte for byte.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "testing/test_config.h"
#include "testing/test_envelopes.h"
#include "tests/fuzz/fuzz_clock.h"
#include "transport/message_encoder.h"
#include "wire/event_kind.h"

namespace {

using slussen::EventKind;
namespace testing = slussen::testing;

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

// The envelope alone (fuzz_inbound) and as an AMQP message (fuzz_amqp_inbound).
bool WriteSeed(const std::string& root, const std::string& name, const slussen::v1::Envelope& env) {
  const std::string body = env.SerializeAsString();
  const std::string kind(slussen::EventKindName(*slussen::KindOf(env)));
  slussen::OutgoingMessage m;
  m.message_id = env.event_id();
  m.subject = kind;
  m.content_type = "application/x-protobuf";
  m.properties = {{"event_type", kind}};
  m.body = body;
  std::string amqp;
  slussen::EncodeMessage(m, amqp);
  return WriteFile(root + "/fuzz_inbound/" + name, body) &&
         WriteFile(root + "/fuzz_amqp_inbound/" + name, amqp);
}

std::string EventId(int n) { return "00000000-0000-4000-8000-0000000000" + std::to_string(n); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus root, e.g. tests/fuzz/corpus>\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  for (const char* dir : {"fuzz_inbound", "fuzz_amqp_inbound", "fuzz_config"}) {
    std::filesystem::create_directories(root + "/" + dir);
  }
  int n = 10;
  bool ok = true;
  for (const EventKind kind : slussen::AllEventKinds()) {
    testing::EnvelopeSpec spec;
    spec.now = slussen::fuzz::kNow;
    spec.event_id = EventId(n++);
    const auto name = std::string(slussen::EventKindName(kind));
    ok = WriteSeed(root, name, testing::ValidEnvelope(kind, spec)) && ok;
    // Not listed at a vårdcentral, and about the other kommun: other routes.
    spec.listed_vc.clear();
    spec.kommunkod = testing::kTestOtherKommun;
    spec.event_id = EventId(n++);
    ok = WriteSeed(root, name + "-other-kommun", testing::ValidEnvelope(kind, spec)) && ok;
  }
  testing::EnvelopeSpec bad;
  bad.now = slussen::fuzz::kNow;
  bad.event_id = EventId(99);
  bad.personnummer = testing::kBadCheckDigitPersonnummer;
  ok = WriteSeed(root, "bad-check-digit", testing::ValidEnvelope(EventKind::kInskrivningsmeddelande, bad)) && ok;

  const std::string configs = root + "/fuzz_config/";
  ok = WriteFile(configs + "test-default.xml", testing::TestConfigXml()) && ok;
  testing::TestConfigOptions o;
  o.max_message_bytes = 65536;
  o.transport_attributes = "max-connections=\"16\"";
  o.delivery =
      "<defaults for=\"kommun\"><retry initial-delay=\"2s\" max-delay=\"5m\" jitter=\"0.1\" "
      "max-age=\"24h\"/><receipt timeout=\"4h\" deadline-margin=\"2h\"/><flow in-flight=\"500\"/>"
      "<maintenance-window name=\"Natt\" every=\"day\" from=\"23:00\" to=\"01:00\"/></defaults>";
  o.policy_elements["kommun-1380"] =
      "<retry max-attempts=\"5\"/><maintenance-window name=\"Lifecare\" every=\"month\" "
      "week=\"first\" day=\"wednesday\" from=\"08:30\" to=\"11:30\"/>";
  ok = WriteFile(configs + "test-limits.xml", testing::TestConfigXml(o)) && ok;
  return ok ? 0 : 1;
}
