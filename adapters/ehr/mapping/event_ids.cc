#include "mapping/event_ids.h"

#include <initializer_list>

namespace slussen::ehr {
namespace {

std::string Name(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    out += std::to_string(p.size());
    out += ':';
    out.append(p);
  }
  return out;
}

}  // namespace

std::string MessageEventId(std::string_view sending_application,
                           std::string_view sending_facility, std::string_view control_id) {
  return UuidV5(kEventIdNamespace,
                Name({"hl7-message", sending_application, sending_facility, control_id}));
}

std::string InskrivningEventId(std::string_view sending_application,
                               std::string_view sending_facility, const v1::CaseId& case_id) {
  return UuidV5(kEventIdNamespace,
                Name({"hl7-inskrivningsmeddelande", sending_application, sending_facility,
                      case_id.care_unit_hsa_id(), case_id.episode_id()}));
}

std::string DischargeEventId(std::string_view sending_application, std::string_view sending_facility,
                             const v1::CaseId& case_id, const google::protobuf::Timestamp& discharged_at) {
  const std::string at =
      std::to_string(discharged_at.seconds()) + "." + std::to_string(discharged_at.nanos());
  return UuidV5(kEventIdNamespace,
                Name({"hl7-utskrivning", sending_application, sending_facility,
                      case_id.care_unit_hsa_id(), case_id.episode_id(), at}));
}

}  // namespace slussen::ehr
