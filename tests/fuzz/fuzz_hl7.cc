// libFuzzer target: the EHR adapter's HL7 v2 path on the fuzz input as one ER7 message: the
// parser (hl7/parser.h), then, for what parses, the ADT mapping (mapping/adt_mapping.h) and the
// writer. Beyond the sanitizers: what the writer makes of a parsed message parses again, and a
// mapping refusal names at least one problem.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "hl7/parser.h"
#include "hl7/writer.h"
#include "mapping/adt_mapping.h"

namespace {

void Check(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz_hl7: invariant broken: %s\n", what);
  std::abort();
}

const slussen::ehr::MappingConfig& TheMappingConfig() {
  static const slussen::ehr::MappingConfig config = [] {
    slussen::ehr::MappingConfig c;
    c.sender_hsa_id = "SE2321000115-SH01";
    c.care_unit_hsa_id = "SE2321000115-SH01";
    c.care_unit_from_pv1 = true;
    c.reservnummer_oids = {"1.2.752.97.3.1.3"};
    return c;
  }();
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto message = slussen::hl7::Parse(text);
  if (!message) return 0;
  const auto outcome = slussen::ehr::MapAdt(*message, TheMappingConfig());
  if (const auto* refusal = std::get_if<slussen::ehr::Refusal>(&outcome)) {
    Check(!refusal->problems.empty(), "a mapping refusal names a problem");
  }
  const auto written = slussen::hl7::Write(*message);
  Check(static_cast<bool>(slussen::hl7::Parse(written)), "the writer's output parses");
  return 0;
}
