// Writes one serialized valid Envelope of every kind (plus a few near-misses) into the directory
// given, at fuzz_inbound's fixed clock: the seed corpus of fuzz_inbound; and, if a second
// directory is given, a few test configs into it (part of fuzz_config's corpus, with the demo's). The event ids are fixed
// so that rerunning it reproduces corpus/fuzz_inbound/ byte for byte.
#include <cstdio>
#include <fstream>
#include <string>

#include "testing/test_config.h"
#include "testing/test_envelopes.h"
#include "tests/fuzz/fuzz_clock.h"
#include "wire/event_kind.h"

namespace {

bool WriteSeed(const std::string& dir, const std::string& name, const slussen::v1::Envelope& env) {
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out << env.SerializeAsString();
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace slussen;
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s <inbound corpus dir> [<config corpus dir>]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  int n = 0;
  bool ok = true;
  for (const EventKind kind : AllEventKinds()) {
    testing::EnvelopeSpec spec;
    spec.now = fuzz::kNow;
    spec.event_id = "00000000-0000-4000-8000-0000000000" + std::to_string(10 + n++);
    const auto name = std::string(EventKindName(kind));
    ok = WriteSeed(dir, name, testing::ValidEnvelope(kind, spec)) && ok;
    // Not listed at a vårdcentral, and about the other kommun: other routes.
    spec.listed_vc.clear();
    spec.kommunkod = testing::kTestOtherKommun;
    spec.event_id = "00000000-0000-4000-8000-0000000000" + std::to_string(10 + n++);
    ok = WriteSeed(dir, name + "-other-kommun", testing::ValidEnvelope(kind, spec)) && ok;
  }
  testing::EnvelopeSpec bad;
  bad.now = fuzz::kNow;
  bad.event_id = "00000000-0000-4000-8000-000000000099";
  bad.personnummer = testing::kBadCheckDigitPersonnummer;
  ok = WriteSeed(dir, "bad-check-digit",
                 testing::ValidEnvelope(EventKind::kInskrivningsmeddelande, bad)) && ok;
  if (argc == 3) {
    const std::string configs = argv[2];
    testing::WriteTestConfig(configs, {}, "test-default.xml");
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
    testing::WriteTestConfig(configs, o, "test-limits.xml");
  }
  return ok ? 0 : 1;
}
