#include "mapping/adt_mapping.h"

#include <google/protobuf/util/time_util.h>

#include <optional>
#include <string>

#include "mapping/event_ids.h"
#include "mapping/hl7_values.h"
#include "mapping/patient.h"

namespace slussen::ehr {
namespace {

using google::protobuf::Timestamp;
using hl7::AckCode;
using hl7::ConditionCode;

// The parts every event needs, read once.
struct Common {
  const hl7::Segment* msh = nullptr;
  const hl7::Segment* pv1 = nullptr;
  const hl7::Segment* pv2 = nullptr;
  const hl7::Segment* zsp = nullptr;
  std::string trigger;
  std::string sending_application, sending_facility, control_id;
};

NothingToSend Nothing(std::string reason) { return NothingToSend{std::move(reason)}; }

// MSH checks whose failure means the message is not processed at all (AR).
std::optional<Refusal> CheckHeader(const hl7::Message& m, const MappingConfig& config,
                                   Common& c) {
  Problems p;
  c.msh = m.Find("MSH");
  const std::string& type = c.msh->Get(9, 1, 1);
  c.trigger = c.msh->Get(9, 1, 2);
  if (type != "ADT") {
    p.Bad(ConditionCode::kUnsupportedMessageType, "MSH", 9, 1,
          "MSH-9: only ADT messages are accepted here", AckCode::kReject);
  } else if (c.trigger != "A01" && c.trigger != "A02" && c.trigger != "A03" &&
             c.trigger != "A08" && c.trigger != "A11" && c.trigger != "A13") {
    p.Bad(ConditionCode::kUnsupportedEventCode, "MSH", 9, 2,
          "MSH-9: trigger event not supported (A01, A02, A03, A08, A11, A13 are)",
          AckCode::kReject);
  }
  c.control_id = c.msh->Get(10);
  if (c.control_id.empty()) {
    p.Bad(ConditionCode::kRequiredFieldMissing, "MSH", 10, 0, "MSH-10: no message control id",
          AckCode::kReject);
  }
  const std::string& processing = c.msh->Get(11, 1, 1);
  if (!config.processing_id.empty() && processing != config.processing_id) {
    p.Bad(ConditionCode::kUnsupportedProcessingId, "MSH", 11, 1,
          "MSH-11: this endpoint takes processing id " + config.processing_id, AckCode::kReject);
  }
  const std::string& version = c.msh->Get(12, 1, 1);
  if (version.size() < 3 || version.substr(0, 2) != "2.") {
    p.Bad(ConditionCode::kUnsupportedVersionId, "MSH", 12, 1,
          "MSH-12: an HL7 v2.x version is required", AckCode::kReject);
  }
  if (p.empty()) return std::nullopt;
  return Refusal{p.Take()};
}

// Envelope fields every event has: id (set by the caller), case, patient, sender, time.
v1::Envelope Base(const hl7::Message& m, const MappingConfig& config, const Common& c,
                  const PatientData& patient, Problems& p) {
  v1::Envelope env;
  env.set_schema_version(v1::SCHEMA_VERSION_1);
  env.set_sender_hsa_id(config.sender_hsa_id);
  *env.mutable_patient() = patient.patient;

  v1::CaseId* case_id = env.mutable_case_id();
  std::string unit = config.care_unit_hsa_id;
  if (config.care_unit_from_pv1 && c.pv1 && !c.pv1->Get(3, 1, 4).empty()) {
    unit = c.pv1->Get(3, 1, 4);
  }
  if (unit.empty()) p.Missing("PV1", 3, 4, "PV1-3: no care unit, and none configured");
  case_id->set_care_unit_hsa_id(unit);
  if (!c.pv1) {
    p.Missing("PV1", 0, 0, "no PV1 segment");
  } else if (c.pv1->Get(19, 1, 1).empty()) {
    p.Missing("PV1", 19, 1, "PV1-19: no visit number (the vårdtillfälle)");
  } else {
    case_id->set_episode_id(c.pv1->Get(19, 1, 1));
  }

  // When the EHR sent it: MSH-7, the time the sending system created the message (HL7 v2.5
  // 2.14.9.7). The law counts from when a notice was sent; the agreement decides whether this or
  // the hub's stored time counts (hub/DESIGN.md "Which time counts as sent").
  const std::optional<Timestamp> message_time = ReadTime(c.msh, "MSH", 7, 1, p);
  if (message_time) *env.mutable_source_sent_at() = *message_time;
  // When it happened: EVN-6 (event occurred), else EVN-2 (recorded), else MSH-7.
  const hl7::Segment* evn = m.Find("EVN");
  std::optional<Timestamp> at = ReadTime(evn, "EVN", 6, 1, p);
  if (!at) at = ReadTime(evn, "EVN", 2, 1, p);
  if (!at) at = message_time;
  if (at) {
    *env.mutable_occurred_at() = *at;
  } else {
    p.Missing("EVN", 2, 0, "no event time (EVN-6, EVN-2 or MSH-7)");
  }
  return env;
}

MappingOutcome Inskrivning(const hl7::Message& m, const MappingConfig& config, const Common& c) {
  Problems p;
  const PatientData patient = ReadPatient(m, config, p);
  v1::Envelope env = Base(m, config, c, patient, p);
  v1::Inskrivningsmeddelande* ins = env.mutable_inskrivningsmeddelande();

  std::optional<Timestamp> admitted = ReadTime(c.pv1, "PV1", 44, 1, p);
  if (!admitted && env.has_occurred_at()) admitted = env.occurred_at();
  if (admitted) *ins->mutable_admitted_at() = *admitted;
  // The assessment counts only when it came after the admission (2 kap. 3 §, second part).
  if (auto assessed = ReadTime(c.zsp, config.z_segment, 2, 1, p);
      assessed && admitted && *assessed > *admitted) {
    *ins->mutable_assessed_at() = *assessed;
  }
  *ins->mutable_name() = patient.name;
  *ins->mutable_folkbokforing_address() = patient.address;
  if (auto estimate = ReadTime(c.pv2, "PV2", 9, 1, p)) {
    *ins->mutable_estimated_discharge_at() = *estimate;
  } else if (!c.pv2 || c.pv2->Get(9).empty()) {
    p.Missing("PV2", 9, 0, "PV2-9: no expected discharge date (the law's beräknad tidpunkt)");
  }
  for (int r = 1; r <= c.zsp->repetition_count(5); ++r) {
    if (const std::string& unit = c.zsp->Get(5, r, 1); !unit.empty()) {
      ins->add_receiving_unit_hsa_ids(unit);
    }
  }
  const std::string& care = c.zsp->Get(3, 1, 1);
  if (care == "S") {
    ins->set_care_type(v1::SOMATIC);
  } else if (care == "P") {
    ins->set_care_type(v1::PSYCHIATRIC);
  } else if (!care.empty()) {
    p.Bad(ConditionCode::kTableValueNotFound, config.z_segment, 3, 1,
          config.z_segment + "-3: care type must be S (somatic) or P (psychiatric)");
  }
  ins->set_sip_expected(ReadYesNo(c.zsp, config.z_segment, 4, p));

  if (!p.empty()) return Refusal{p.Take()};
  env.set_event_id(InskrivningEventId(c.sending_application, c.sending_facility, env.case_id()));
  return env;
}

MappingOutcome EstimateChanged(const hl7::Message& m, const MappingConfig& config,
                               const Common& c) {
  Problems p;
  const std::optional<Timestamp> estimate = ReadTime(c.pv2, "PV2", 9, 1, p);
  const std::optional<Timestamp> previous = ReadTime(c.zsp, config.z_segment, 6, 1, p);
  if (!p.empty()) return Refusal{p.Take()};
  if (!estimate) return Nothing("A08 without an expected discharge (PV2-9): nothing to notify");
  if (previous && *previous == *estimate) {
    return Nothing("A08: the expected discharge (PV2-9) is the one last notified (" +
                   config.z_segment + "-6)");
  }
  const PatientData patient = ReadPatient(m, config, p);
  v1::Envelope env = Base(m, config, c, patient, p);
  v1::EstimatedDischargeChanged* changed = env.mutable_estimated_discharge_changed();
  if (previous) *changed->mutable_previous_estimate() = *previous;
  *changed->mutable_new_estimate() = *estimate;
  if (!p.empty()) return Refusal{p.Take()};
  env.set_event_id(MessageEventId(c.sending_application, c.sending_facility, c.control_id));
  return env;
}

MappingOutcome CancelAdmit(const hl7::Message& m, const MappingConfig& config, const Common& c) {
  Problems p;
  const PatientData patient = ReadPatient(m, config, p);
  v1::Envelope env = Base(m, config, c, patient, p);
  if (!p.empty()) return Refusal{p.Take()};
  v1::Cancellation* cancel = env.mutable_cancellation();
  cancel->set_cancelled_event_id(
      InskrivningEventId(c.sending_application, c.sending_facility, env.case_id()));
  cancel->set_reason("the admission was cancelled in the EHR (ADT A11)");
  env.set_event_id(MessageEventId(c.sending_application, c.sending_facility, c.control_id));
  return env;
}

// A03: the discharge itself (PV1-45, else the event time). Not the information transfer of 3 kap.
// 2 § (the utskrivningsmeddelande, an XML document): the hub counts that transfer's deadline
// from this discharge.
MappingOutcome Discharge(const hl7::Message& m, const MappingConfig& config, const Common& c) {
  Problems p;
  const PatientData patient = ReadPatient(m, config, p);
  v1::Envelope env = Base(m, config, c, patient, p);
  std::optional<Timestamp> at = ReadTime(c.pv1, "PV1", 45, 1, p);
  if (!at && env.has_occurred_at()) at = env.occurred_at();
  if (at) *env.mutable_utskrivning()->mutable_discharged_at() = *at;
  if (!p.empty()) return Refusal{p.Take()};
  env.set_event_id(
      DischargeEventId(c.sending_application, c.sending_facility, env.case_id(), *at));
  return env;
}

// A13: a Cancellation of the A03's Utskrivning, named by the discharge time it carries in PV1-45.
MappingOutcome CancelDischarge(const hl7::Message& m, const MappingConfig& config,
                               const Common& c) {
  Problems p;
  const PatientData patient = ReadPatient(m, config, p);
  v1::Envelope env = Base(m, config, c, patient, p);
  const std::optional<Timestamp> at = ReadTime(c.pv1, "PV1", 45, 1, p);
  if (!at && p.empty()) {
    p.Missing("PV1", 45, 1,
              "PV1-45: the discharge time of the A03 being cancelled is needed to name it");
  }
  if (!p.empty()) return Refusal{p.Take()};
  v1::Cancellation* cancel = env.mutable_cancellation();
  cancel->set_cancelled_event_id(
      DischargeEventId(c.sending_application, c.sending_facility, env.case_id(), *at));
  cancel->set_reason("the discharge was cancelled in the EHR (ADT A13)");
  env.set_event_id(MessageEventId(c.sending_application, c.sending_facility, c.control_id));
  return env;
}

}  // namespace

MappingOutcome MapAdt(const hl7::Message& message, const MappingConfig& config) {
  Common c;
  if (!message.Find("MSH")) {
    return Refusal{{hl7::Problem{AckCode::kReject, ConditionCode::kSegmentSequenceError,
                                 {"MSH", 1, 0, 0, 0}, "no MSH segment"}}};
  }
  if (auto refused = CheckHeader(message, config, c)) return *refused;
  c.sending_application = FieldText(*c.msh, 3);
  c.sending_facility = FieldText(*c.msh, 4);
  c.pv1 = message.Find("PV1");
  c.pv2 = message.Find("PV2");
  c.zsp = message.Find(config.z_segment);

  Problems p;
  const bool support_expected = ReadYesNo(c.zsp, config.z_segment, 1, p);
  if (!p.empty()) return Refusal{p.Take()};
  const std::string no_support = "no support from social services or primary care expected " +
                                 std::string("after discharge (") + config.z_segment +
                                 "-1 is not Y)";

  if (c.trigger == "A01") {
    if (!support_expected) return Nothing("A01: " + no_support + ": no inskrivningsmeddelande");
    return Inskrivning(message, config, c);
  }
  if (c.trigger == "A08") {
    if (!support_expected) return Nothing("A08: " + no_support + ": nothing to notify");
    return EstimateChanged(message, config, c);
  }
  if (c.trigger == "A11") {
    if (!support_expected) {
      return Nothing("A11: " + no_support + ": no inskrivningsmeddelande to cancel");
    }
    return CancelAdmit(message, config, c);
  }
  if (c.trigger == "A02") {
    return Nothing("A02: a transfer within the vårdtillfälle changes neither the case nor its "
                   "receivers");
  }
  if (c.trigger == "A03") {
    if (!support_expected) return Nothing("A03: " + no_support + ": no case to track");
    return Discharge(message, config, c);
  }
  if (!support_expected) return Nothing("A13: " + no_support + ": the discharge sent nothing");
  return CancelDischarge(message, config, c);
}

}  // namespace slussen::ehr
