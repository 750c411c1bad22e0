#pragma once
// What the ADT mapping needs to know about the EHR it serves; the adapter's config file fills
// it. Plain data, immutable once built.
#include <string>
#include <vector>

namespace slussen::ehr {

struct MappingConfig {
  // Envelope.sender_hsa_id: this EHR's HSA-id, a sender in the hub's config.
  std::string sender_hsa_id;
  // CaseId.care_unit_hsa_id: the care unit that owns the EHR's vårdtillfällen (visit numbers).
  std::string care_unit_hsa_id;
  // Take the care unit from PV1-3 component 4 (the facility) when it is present. Off by
  // default: a transfer (A02) changes PV1-3, and a case must keep its key for its whole stay.
  bool care_unit_from_pv1 = false;
  // The id of the Slussen Z-segment (README: ZSP).
  std::string z_segment = "ZSP";
  // MSH-11 (processing id) accepted; others get AR 202. Empty accepts any.
  std::string processing_id = "P";
  // PID-3 assigning authorities (CX.4 universal id) read as reservnummer, in preference order
  // after personnummer and samordningsnummer; the hub accepts only those it is configured for.
  std::vector<std::string> reservnummer_oids;
};

}  // namespace slussen::ehr
