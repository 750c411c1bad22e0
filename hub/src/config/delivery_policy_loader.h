#pragma once
// Reads the delivery policy of every destination: <delivery><defaults for="..."> over the
// built-in DeliveryPolicy, then the <retry>, <receipt>, <flow> and <maintenance-window> elements
// inside each <kommun>, <vardcentral> and <destination> over those, attribute by attribute
// (windows are added, not replaced). Checks what the schema cannot: ranges, that a fallback
// names another configured destination and no fallback chain returns to where it started, and
// that windows are well-formed. Part of LoadConfig (config_loader.h); errors go to `diag`.
#include <libxml/tree.h>

#include <string_view>

#include "config/config.h"
#include "xml/xml_validation.h"

namespace slussen::config {

// `root` is a schema-valid <slussen> in namespace `ns`; cfg's receivers are already read. Fills
// cfg.delivery_policies with one entry for every id of cfg.AllDestinations().
void ReadDeliveryPolicies(const xmlNode* root, std::string_view ns, Config& cfg,
                          xml::Diagnostics& diag);

}  // namespace slussen::config
