#include "xmldoc/parse.h"

#include <array>
#include <utility>

namespace slussen::xmldoc {
namespace {

// libxml2 reports a pattern mismatch with the whole regular expression; for the schema's common
// types a description says more to whoever has to fix the document.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kPatternWords{{
    {"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?"
     "(Z|[+\\-](0[0-9]|1[0-4]):[0-5][0-9])",
     "a time with date, time and offset, e.g. 2026-11-23T09:41:00+01:00"},
    {"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
     "a UUID (8-4-4-4-12 hexadecimal digits)"},
    {"SE[0-9]{10}-[A-Za-z0-9]+", "an HSA-id (SE, 10 digits, a dash, letters and digits)"},
}};

std::string Explained(std::string message) {
  for (const auto& [pattern, words] : kPatternWords) {
    const std::string said = "is not accepted by the pattern '" + std::string(pattern) + "'";
    for (auto pos = message.find(said); pos != std::string::npos; pos = message.find(said, pos)) {
      const std::string instead = "is not " + std::string(words);
      message.replace(pos, said.size(), instead);
      pos += instead.size();
    }
  }
  return message;
}

}  // namespace

xml::DocPtr ParseDocument(std::string_view text, const std::string& name, std::size_t max_bytes,
                          std::span<const std::string_view> roots, xml::Diagnostics& diag) {
  if (text.size() > max_bytes) {
    diag.AddLine(0, "the document is " + std::to_string(text.size()) +
                        " bytes, more than the limit of " + std::to_string(max_bytes));
    return nullptr;
  }
  xml::Diagnostics raw(name);
  xml::DocPtr doc = xml::ParseValidatedXml(text, name,
                                           {.what = "discharge-planning document",
                                            .ns = kNamespace,
                                            .root = {},
                                            .xsd = EmbeddedDischargePlanningXsd(),
                                            .schema_name = "dischargeplanning.xsd (built in)",
                                            .roots = roots,
                                            .cache_schema = true},
                                           raw);
  if (doc == nullptr) diag.AddForeign(Explained(raw.ToError().message));
  return doc;
}

}  // namespace slussen::xmldoc
