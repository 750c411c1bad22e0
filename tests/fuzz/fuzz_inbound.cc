// libFuzzer target: the hub's whole decision on one inbound message (decode the Envelope,
// validate, route: ingest/inbound.h) with the fuzz input as the AMQP body, on both addresses,
// under the demo's config and under the test config the seeds are made for (so mutated seeds
// reach routing). Beyond the sanitizers it checks what callers rely on: a refusal always says
// why, and carries an event id only if it is short enough to be logged.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "config/config_loader.h"
#include "ingest/inbound.h"
#include "testing/test_config.h"
#include "tests/fuzz/fuzz_clock.h"
#include "build_paths/source_dir.h"

namespace {

using slussen::Config;

Config LoadOrDie(const std::string& path) {
  auto config = slussen::LoadConfig(path);
  if (!config) {
    std::fprintf(stderr, "fuzz_inbound: cannot load %s: %s\n", path.c_str(),
                 config.error().c_str());
    std::abort();
  }
  return std::move(*config);
}

struct Configs {
  Config demo;
  Config test;
};

const Configs& TheConfigs() {
  static const Configs configs = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "fuzz_inbound.XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) std::abort();
    Configs c{LoadOrDie(SLUSSEN_SOURCE_DIR "/config/demo.xml"),
              LoadOrDie(slussen::testing::WriteTestConfig(dir))};
    std::filesystem::remove_all(dir);
    return c;
  }();
  return configs;
}

void Check(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz_inbound: invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Configs& configs = TheConfigs();
  for (const Config* config : {&configs.demo, &configs.test}) {
    for (const auto channel : {slussen::Channel::kEvents, slussen::Channel::kReceipts}) {
      slussen::InboundMessage msg;
      msg.principal = config->adapters.front().name;  // the transport binds every message to one
      msg.channel = channel;
      msg.body.assign(reinterpret_cast<const char*>(data), size);
      msg.body_size = size;
      msg.received_at_us = slussen::fuzz::kNowSeconds * 1'000'000;
      slussen::v1::Envelope decoded;
      const auto decision = slussen::DecideInbound(msg, *config, slussen::fuzz::kNow, &decoded);
      if (const auto* refusal = std::get_if<slussen::Refusal>(&decision)) {
        Check(!refusal->reasons.empty(), "a refusal gives at least one reason");
        Check(refusal->event_id.size() <= 64, "a refusal's event id is bounded");
      } else {
        const auto& record = std::get<slussen::EventRecord>(decision);
        Check(record.event_id == decoded.event_id(), "the record is the decoded envelope's");
      }
    }
  }
  return 0;
}
