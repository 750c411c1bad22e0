// Random and mutated bytes against the parser, the writer and the framer: no crash, no hang,
// and whatever parses writes back to something that parses to the same text. Deterministic
// (fixed seeds) and bounded, so a failure reproduces.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hl7/ack.h"
#include "hl7/mllp.h"
#include "hl7/parser.h"
#include "hl7/writer.h"
#include "build_paths/source_dir.h"

namespace slussen::hl7 {
namespace {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  const std::filesystem::path dir = std::filesystem::path(SLUSSEN_SOURCE_DIR) / "adapters/ehr/examples";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".hl7") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    seeds.push_back(s.str());
  }
  return seeds;
}

std::string Mutate(std::string s, std::mt19937& rng) {
  static const std::string kInteresting = "|^~\\&\r\n\x0b\x1c\x0d" "XF.brMSH0123456789+-\"";
  const int edits = std::uniform_int_distribution<int>(1, 8)(rng);
  for (int i = 0; i < edits; ++i) {
    if (s.empty()) s.push_back('M');
    std::uniform_int_distribution<std::size_t> at(0, s.size() - 1);
    const char c = std::uniform_int_distribution<int>(0, 3)(rng) == 0
                       ? static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng))
                       : kInteresting[std::uniform_int_distribution<std::size_t>(
                             0, kInteresting.size() - 1)(rng)];
    switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
      case 0: s[at(rng)] = c; break;
      case 1: s.insert(at(rng), 1, c); break;
      case 2: s.erase(at(rng), 1); break;
      case 3: s.resize(at(rng)); break;
      default: s.insert(at(rng), s.substr(at(rng), 40)); break;
    }
  }
  return s;
}

void CheckParse(const std::string& input) {
  auto m = Parse(input);
  if (!m.ok()) {
    EXPECT_FALSE(m.error().empty());
    return;
  }
  const std::string written = Write(*m);
  auto again = Parse(written);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(Write(*again), written);
  // Every parsed message can be acknowledged, and every frame rejected.
  AckBuilder b({"SLUSSEN", ""}, [] { return std::chrono::system_clock::time_point{}; });
  EXPECT_TRUE(Parse(Write(b.Accept(*m))).ok());
  EXPECT_TRUE(Parse(Write(b.RejectFrame(input, "x"))).ok());
}

TEST(Hl7Fuzz, MutatedExamplesNeverCrashTheParserAndRoundTrip) {
  const auto seeds = Seeds();
  ASSERT_FALSE(seeds.empty());
  std::mt19937 rng(20261129);
  for (int i = 0; i < 20000; ++i) {
    CheckParse(Mutate(seeds[static_cast<std::size_t>(i) % seeds.size()], rng));
  }
}

TEST(Hl7Fuzz, RandomBytesNeverCrashTheParser) {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string s(std::uniform_int_distribution<std::size_t>(0, 300)(rng), '\0');
    for (char& c : s) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    if (i % 2 == 0) s = "MSH|^~\\&|" + s;
    CheckParse(s);
  }
}

TEST(Hl7Fuzz, FramerSurvivesNoiseAndStillDeliversTheFramesAfterIt) {
  const auto seeds = Seeds();
  std::mt19937 rng(42);
  constexpr std::size_t kMax = 4096;
  for (int round = 0; round < 300; ++round) {
    MllpFramer f(kMax);
    std::string noise;
    for (int i = 0; i < 20; ++i) {
      noise += i % 3 == 0 ? MllpWrap(Mutate(seeds[static_cast<std::size_t>(i) % seeds.size()], rng))
                          : Mutate(std::string(1 + static_cast<std::size_t>(i) * 97, 'n'), rng);
    }
    // A clean frame after the noise must come through whatever state the noise left. The end
    // block ends any frame the noise began; then the frame itself.
    const std::string good = seeds[static_cast<std::size_t>(round) % seeds.size()];
    const std::string stream = noise + "\x1c\x0d" + MllpWrap(good);
    std::vector<MllpEvent> events;
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 700)(rng);
      for (auto& e : f.Feed(std::string_view(stream).substr(at, n))) events.push_back(std::move(e));
      at += n;
    }
    ASSERT_FALSE(events.empty());
    const auto* last = std::get_if<MllpFrame>(&events.back());
    ASSERT_NE(last, nullptr) << "round " << round;
    EXPECT_EQ(last->payload, good);
    for (const auto& e : events) {
      if (const auto* frame = std::get_if<MllpFrame>(&e)) {
        EXPECT_LE(frame->payload.size(), kMax);
        CheckParse(frame->payload);
      } else {
        EXPECT_LE(std::get<MllpError>(e).head.size(), MllpFramer::kHeadBytes);
      }
    }
  }
}

}  // namespace
}  // namespace slussen::hl7
