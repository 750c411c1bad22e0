#pragma once
// Reading typed values out of a parsed message for the mapping, each failure an HL7 problem
// with its location. Internal to slussen_ehr_mapping.
#include <google/protobuf/timestamp.pb.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hl7/error.h"
#include "hl7/message.h"

namespace slussen::ehr {

// Collects the problems of one mapping, so the ACK lists all of them, not the first only.
class Problems {
 public:
  void Missing(std::string_view segment, int field, int component, std::string text);
  void Bad(hl7::ConditionCode code, std::string_view segment, int field, int component,
           std::string text, hl7::AckCode ack = hl7::AckCode::kError);
  bool empty() const { return list_.empty(); }
  std::vector<hl7::Problem> Take() { return std::move(list_); }

 private:
  std::vector<hl7::Problem> list_;
};

// The field's first repetition as text: components joined by '^', subcomponents by '&'
// (decoded), e.g. MSH-4 "Sahlgrenska^1.2.752.x^ISO".
std::string FieldText(const hl7::Segment& segment, int field);

// An HL7 DTM leaf as a Timestamp; nullopt when empty. A malformed value is a problem (102).
std::optional<google::protobuf::Timestamp> ReadTime(const hl7::Segment* segment,
                                                    std::string_view segment_id, int field,
                                                    int component, Problems& problems);

// Y, N or empty (false) for an ID field of HL7 table 0136; anything else is a problem (103).
bool ReadYesNo(const hl7::Segment* segment, std::string_view segment_id, int field,
               Problems& problems);

}  // namespace slussen::ehr
