#pragma once
// The parse-and-validate stage shared by ReadDocument and ValidateDocument (and WriteDocument's
// check of its own output): slussen_xml with the compiled-in schema, cached per thread.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "xml/xml_validation.h"
#include "xmldoc/schema.h"

namespace slussen::xmldoc {

// nullptr with every problem in `diag` if `text` is larger than `max_bytes`, not well-formed,
// has a DOCTYPE, has a root other than `roots` (in kNamespace) or does not match the schema.
xml::DocPtr ParseDocument(std::string_view text, const std::string& name, std::size_t max_bytes,
                          std::span<const std::string_view> roots, xml::Diagnostics& diag);

}  // namespace slussen::xmldoc
