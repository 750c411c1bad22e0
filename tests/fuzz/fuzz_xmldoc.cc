// libFuzzer target: the adapters' XML discharge-planning documents (xmldoc/xmldoc.h) on the fuzz
// input as one document: size bound, libxml2 parse without DOCTYPE or entities, schema
// validation, mapping to an Envelope; for what reads, the writer (which validates its own output).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "xmldoc/xmldoc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  slussen::xmldoc::ReadOptions options;
  options.receiving_system = "kommun-1380";
  const auto env = slussen::xmldoc::ReadDocument(text, "fuzz.xml", options);
  if (!env) return 0;
  // May refuse (a value the document cannot carry); must not crash or leak.
  (void)slussen::xmldoc::WriteDocument(*env);
  (void)slussen::xmldoc::ValidateDocument(text, "fuzz.xml");
  return 0;
}
