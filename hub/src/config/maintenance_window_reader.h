#pragma once
// Reads one <maintenance-window> element (schemas/config.xsd, MaintenanceWindow) into a
// MaintenanceWindow, checking the combinations of attributes the schema cannot express.
#include <libxml/tree.h>

#include <optional>

#include "config/delivery_policy.h"
#include "xml/xml_validation.h"

namespace slussen::config {

// nullopt, with every problem reported at the element, when the window is not well-formed.
std::optional<MaintenanceWindow> ReadMaintenanceWindow(const xmlNode* n, xml::Diagnostics& diag);

}  // namespace slussen::config
