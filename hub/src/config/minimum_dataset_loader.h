#pragma once
// Reads the minimum dataset (<minimum-dataset><strip event role|destination fields>): which
// fields of which event kinds each destination does not get. Checks what the schema cannot:
// each field path against the protobuf descriptors of slussen.v1.Envelope and the event kind
// (wire/field_path.h), that a rule has exactly one of role and destination, and that named
// destinations exist. Part of LoadConfig (config_loader.h); errors go to `diag` with the line.
#include <libxml/tree.h>

#include <string_view>

#include "config/config.h"
#include "xml/xml_validation.h"

namespace slussen::config {

// `root` is a schema-valid <slussen>; cfg.delivery_policies already has every destination. Adds
// each rule's paths to DeliveryPolicy::strip of the destinations it covers.
void ReadMinimumDataset(const xmlNode* root, std::string_view ns, Config& cfg,
                        xml::Diagnostics& diag);

}  // namespace slussen::config
