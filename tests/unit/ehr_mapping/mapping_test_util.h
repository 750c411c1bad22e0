#pragma once
// Shared by the mapping tests: the shipped example messages, and a config that fits them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hl7/parser.h"
#include "mapping/adt_mapping.h"
#include "build_paths/source_dir.h"

namespace slussen::ehr::testing {

inline std::filesystem::path ExamplesDir() {
  return std::filesystem::path(SLUSSEN_SOURCE_DIR) / "adapters/ehr/examples";
}

inline std::string ReadExample(const std::string& name) {
  std::ifstream in(ExamplesDir() / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline hl7::Message Example(const std::string& name) {
  auto m = hl7::Parse(ReadExample(name));
  EXPECT_TRUE(m.ok()) << name << ": " << m.error();
  return m.ok() ? *m : hl7::Message{};
}

inline MappingConfig Config() {
  MappingConfig c;
  c.sender_hsa_id = "SE2321000115-SH01";
  c.care_unit_hsa_id = "SE2321000115-SH01";
  c.reservnummer_oids = {"1.2.752.97.3.1.3", "1.2.752.129.2.1.3.2"};
  return c;
}

// The first segment with this id, for editing an example; fails the test if there is none.
inline hl7::Segment& Seg(hl7::Message& m, const std::string& id) {
  for (auto& s : m.segments) {
    if (s.id() == id) return s;
  }
  ADD_FAILURE() << "no " << id;
  return m.Add(id);
}

inline void Drop(hl7::Message& m, const std::string& id) {
  std::erase_if(m.segments, [&](const hl7::Segment& s) { return s.id() == id; });
}

}  // namespace slussen::ehr::testing
