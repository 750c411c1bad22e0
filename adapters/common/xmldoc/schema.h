#pragma once
// The schema of the discharge-planning documents and the names of its documents: one root
// element per event kind (schemas/xml/dischargeplanning.xsd).
#include <optional>
#include <span>
#include <string_view>

#include "wire/event_kind.h"

namespace slussen {
// The text of schemas/xml/dischargeplanning.xsd as built (generated dischargeplanning_xsd.cc).
std::string_view EmbeddedDischargePlanningXsd();
}  // namespace slussen

namespace slussen::xmldoc {

// The documents' namespace. A change that makes old documents invalid gets a new one (:2).
inline constexpr std::string_view kNamespace = "urn:slussen:dischargeplanning:1";

// The root element of the document of `kind`: "inskrivningsmeddelande", "planeringsunderlag-svar",
// "kvittens", ... (README.md has the table).
std::string_view RootElement(EventKind kind);
// The kind whose document has this root element; nullopt for any other name.
std::optional<EventKind> KindOfRootElement(std::string_view local_name);
// Every root element, in the order of the EventKind enumerators.
std::span<const std::string_view> AllRootElements();

}  // namespace slussen::xmldoc
