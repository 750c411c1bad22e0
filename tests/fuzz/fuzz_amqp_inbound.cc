// libFuzzer target: the hub's inbound path from the bytes of one AMQP transfer: the hub's own
// message decoder (transport/message_codec.h: message-id, the one data section), whole and as a
// delivery cut off at a size limit, then the inbound decision (ingest/inbound.h) on what it
// yields, as the transport hands it to the core. Beyond the sanitizers: the body never exceeds
// the limit or the declared size.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <tuple>

#include "config/config_loader.h"
#include "ingest/inbound.h"
#include "testing/test_config.h"
#include "tests/fuzz/fuzz_clock.h"
#include "transport/message_codec.h"

namespace {

void Check(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz_amqp_inbound: invariant broken: %s\n", what);
  std::abort();
}

const slussen::Config& TheConfig() {
  static const slussen::Config config = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "fuzz_amqp.XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) std::abort();
    auto loaded = slussen::LoadConfig(slussen::testing::WriteTestConfig(dir));
    std::filesystem::remove_all(dir);
    if (!loaded) {
      std::fprintf(stderr, "fuzz_amqp_inbound: test config: %s\n", loaded.error().c_str());
      std::abort();
    }
    return std::move(*loaded);
  }();
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const slussen::Config& config = TheConfig();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Whole at the config's limit, and cut off as the transport does at a smaller one.
  const std::size_t cut = size / 2;
  for (const auto& [input, complete, limit] :
       {std::tuple{bytes, true, config.max_message_bytes},
        std::tuple{bytes.substr(0, cut), false, std::size_t{64}}}) {
    const auto decoded = slussen::DecodeMessage(input, complete, limit);
    if (!decoded) {
      Check(!decoded.error().empty(), "a decoding error says why");
      continue;
    }
    Check(decoded->body.size() <= limit, "the body is cut at the limit");
    Check(decoded->body.size() <= decoded->body_size, "the body is no longer than declared");
    slussen::InboundMessage msg;
    msg.principal = config.adapters.front().name;  // the transport binds every message to one
    msg.message_id = decoded->message_id;
    msg.body = decoded->body;
    msg.body_size = decoded->body_size;
    msg.body_problem = decoded->body_problem;
    msg.received_at_us = slussen::fuzz::kNowSeconds * 1'000'000;
    const auto decision = slussen::DecideInbound(msg, config, slussen::fuzz::kNow);
    if (const auto* refusal = std::get_if<slussen::Refusal>(&decision)) {
      Check(!refusal->reasons.empty(), "a refusal gives at least one reason");
    }
  }
  return 0;
}
