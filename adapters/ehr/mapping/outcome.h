#pragma once
// The result of mapping one HL7 message: an event for the hub, a reasoned "nothing to send"
// (the adapter answers AA with the reason in MSA-3), or a refusal with HL7 problems (AE or AR
// with ERR segments).
#include <string>
#include <variant>
#include <vector>

#include "hl7/error.h"
#include "slussen/v1/events.pb.h"

namespace slussen::ehr {

struct NothingToSend {
  std::string reason;  // for MSA-3 and the log; holds no personal data
};

struct Refusal {
  std::vector<hl7::Problem> problems;  // at least one
};

using MappingOutcome = std::variant<v1::Envelope, NothingToSend, Refusal>;

}  // namespace slussen::ehr
