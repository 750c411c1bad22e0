#include "mapping/patient.h"

#include <initializer_list>
#include <string>
#include <string_view>

namespace slussen::ehr {
namespace {

using Kind = v1::PatientIdentity;

// The repetition of a repeating field whose `type_component` is the first of `preferred` that
// occurs; else the first repetition. 1-based; 0 when the field is absent.
int Pick(const hl7::Segment& seg, int field, int type_component,
         std::initializer_list<std::string_view> preferred) {
  const int reps = seg.repetition_count(field);
  for (std::string_view want : preferred) {
    for (int r = 1; r <= reps; ++r) {
      if (seg.Get(field, r, type_component) == want) return r;
    }
  }
  return reps > 0 ? 1 : 0;
}

// PID-3: the repetition whose assigning authority (CX.4, its universal id HD.2) is a Swedish
// identity OID, personnummer first, then samordningsnummer, then the configured reservnummer
// issuers in their order. The namespace id (HD.1) is accepted in HD.2's place: senders differ.
void ReadIdentity(const hl7::Segment& pid, const MappingConfig& config, v1::Patient& patient,
                  Problems& problems) {
  const int reps = pid.repetition_count(3);
  if (reps == 0) {
    problems.Missing("PID", 3, 0, "PID-3: no patient identifier");
    return;
  }
  auto find = [&](std::string_view oid) -> int {
    for (int r = 1; r <= reps; ++r) {
      if (pid.Get(3, r, 1).empty()) continue;
      if (pid.Get(3, r, 4, 2) == oid || pid.Get(3, r, 4, 1) == oid) return r;
    }
    return 0;
  };
  v1::PatientIdentity* id = patient.mutable_identity();
  if (int r = find(kPersonnummerOid)) {
    id->set_kind(Kind::PERSONNUMMER);
    id->set_id(pid.Get(3, r, 1));
    return;
  }
  if (int r = find(kSamordningsnummerOid)) {
    id->set_kind(Kind::SAMORDNINGSNUMMER);
    id->set_id(pid.Get(3, r, 1));
    return;
  }
  for (const std::string& oid : config.reservnummer_oids) {
    if (int r = find(oid)) {
      id->set_kind(Kind::RESERVNUMMER);
      id->set_id(pid.Get(3, r, 1));
      id->set_reserve_oid(oid);
      return;
    }
  }
  patient.clear_identity();
  problems.Bad(hl7::ConditionCode::kUnknownKeyIdentifier, "PID", 3, 4,
               "PID-3: no identifier issued by the personnummer (" +
                   std::string(kPersonnummerOid) + "), samordningsnummer (" +
                   kSamordningsnummerOid + ") or a configured reservnummer authority");
}

}  // namespace

PatientData ReadPatient(const hl7::Message& message, const MappingConfig& config,
                        Problems& problems) {
  PatientData out;
  const hl7::Segment* pid = message.Find("PID");
  if (!pid) {
    problems.Missing("PID", 0, 0, "no PID segment");
    return out;
  }
  ReadIdentity(*pid, config, out.patient, problems);

  // PD1-12 protection indicator (Y: do not release information): skyddad identitet.
  const hl7::Segment* pd1 = message.Find("PD1");
  if (pd1 && out.patient.has_identity()) {
    out.patient.mutable_identity()->set_protected_identity(ReadYesNo(pd1, "PD1", 12, problems));
  }
  // PD1-3: the listed vårdcentral; its HSA-id in XON.10 (organization identifier), or XON.3
  // (ID number) from senders of older versions.
  if (pd1) {
    std::string hsa = pd1->Get(3, 1, 10);
    if (hsa.empty()) hsa = pd1->Get(3, 1, 3);
    out.patient.set_listed_care_unit_hsa_id(hsa);
  }

  // PID-5: the legal name (XPN.7 = L) or the first one.
  if (int r = Pick(*pid, 5, 7, {"L"})) {
    out.name.set_family_name(pid->Get(5, r, 1));
    std::string given = pid->Get(5, r, 2);
    if (const std::string& middle = pid->Get(5, r, 3); !middle.empty()) {
      given += given.empty() ? middle : " " + middle;
    }
    out.name.set_given_name(given);
  }

  // PID-11: the folkbokföringsadress is the legal address (XAD.7 = L), else home (H), else the
  // first; its county/parish code (XAD.9) is the kommunkod.
  const int addr = Pick(*pid, 11, 7, {"L", "H"});
  if (addr == 0 || pid->Get(11, addr, 9).empty()) {
    problems.Missing("PID", 11, 9, "PID-11: no kommunkod (XAD.9 county/parish code)");
  } else {
    out.patient.set_kommunkod(pid->Get(11, addr, 9));
    out.address.set_street(pid->Get(11, addr, 1));
    out.address.set_city(pid->Get(11, addr, 3));
    out.address.set_postal_code(pid->Get(11, addr, 5));
  }
  return out;
}

}  // namespace slussen::ehr
