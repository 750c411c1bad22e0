// Every shipped example parses and maps, and what each one gives is the README's table.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "hl7/parser.h"
#include "mapping/adt_mapping.h"
#include "mapping_test_util.h"

namespace slussen::ehr {
namespace {

// The expected outcome per example file: the event kind, or "nothing".
const std::map<std::string, std::string> kExpected = {
    {"adt_a01_inskrivning.hl7", "inskrivningsmeddelande"},
    {"adt_a02_transfer.hl7", "nothing"},
    {"adt_a03_discharge.hl7", "utskrivning"},
    {"adt_a08_estimate_changed.hl7", "estimated_discharge_changed"},
    {"adt_a11_cancel_admit.hl7", "cancellation"},
    {"adt_a13_cancel_discharge.hl7", "cancellation"},
};

std::string Outcome(const MappingOutcome& o) {
  if (const auto* env = std::get_if<v1::Envelope>(&o)) {
    const auto* field = env->GetDescriptor()->FindOneofByName("event");
    const auto* set = env->GetReflection()->GetOneofFieldDescriptor(*env, field);
    return set ? set->name() : "no event";
  }
  if (std::holds_alternative<NothingToSend>(o)) return "nothing";
  return "refused: " + std::get<Refusal>(o).problems.front().text;
}

TEST(EhrExamples, EveryExampleFileIsListedAndMapsAsDocumented) {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::ExamplesDir())) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".hl7") continue;
    ++seen;
    ASSERT_TRUE(kExpected.count(name)) << name << " is not in this test's table";
    const std::string text = testing::ReadExample(name);
    // Real HL7: segments end with \r, no \n anywhere.
    EXPECT_EQ(text.find('\n'), std::string::npos) << name;
    EXPECT_EQ(text.back(), '\r') << name;
    auto m = hl7::Parse(text);
    ASSERT_TRUE(m.ok()) << name << ": " << m.error();
    EXPECT_EQ(Outcome(MapAdt(*m, testing::Config())), kExpected.at(name)) << name;
  }
  EXPECT_EQ(seen, static_cast<int>(kExpected.size()));
}

TEST(EhrExamples, EveryTriggerIsCovered) {
  for (const char* trigger : {"A01", "A02", "A03", "A08", "A11", "A13"}) {
    bool found = false;
    for (const auto& [name, kind] : kExpected) {
      auto m = hl7::Parse(testing::ReadExample(name));
      if (m.ok() && m->Get("MSH", 9, 1, 2) == trigger) found = true;
    }
    EXPECT_TRUE(found) << trigger;
  }
}

// Mapping never trusts its input either: mutated examples give some outcome, never a crash.
TEST(EhrExamples, MutatedExamplesNeverCrashTheMapping) {
  std::mt19937 rng(1129);
  int mapped = 0;
  for (int i = 0; i < 3000; ++i) {
    auto it = kExpected.begin();
    std::advance(it, i % static_cast<int>(kExpected.size()));
    std::string text = testing::ReadExample(it->first);
    for (int e = 0; e < 4; ++e) {
      const std::size_t at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
      text[at] = "|^~&\\\rAY0-+"[std::uniform_int_distribution<int>(0, 11)(rng)];
    }
    auto m = hl7::Parse(text);
    if (!m.ok()) continue;
    const MappingOutcome o = MapAdt(*m, testing::Config());
    if (const auto* r = std::get_if<Refusal>(&o)) {
      ASSERT_FALSE(r->problems.empty());
      for (const auto& p : r->problems) EXPECT_FALSE(p.text.empty());
    }
    ++mapped;
  }
  EXPECT_GT(mapped, 100);
}

}  // namespace
}  // namespace slussen::ehr
