#pragma once
// PID and PD1 to the event's patient, plus the name and folkbokföringsadress that only the
// inskrivningsmeddelande carries (README, "Patient"). Internal to slussen_ehr_mapping.
#include "hl7/message.h"
#include "mapping/config.h"
#include "mapping/hl7_values.h"
#include "slussen/v1/events.pb.h"

namespace slussen::ehr {

inline constexpr const char* kPersonnummerOid = "1.2.752.129.2.1.3.1";
inline constexpr const char* kSamordningsnummerOid = "1.2.752.129.2.1.3.3";

struct PatientData {
  v1::Patient patient;
  v1::PersonName name;
  v1::Address address;
};

// Problems for what cannot be mapped: no PID, no PID-3 with a known identifier, no kommunkod.
// Checks of the values themselves (check digits, known kommunkoder) are the hub's.
PatientData ReadPatient(const hl7::Message& message, const MappingConfig& config,
                        Problems& problems);

}  // namespace slussen::ehr
