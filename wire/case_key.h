#pragma once
// The case key: "<care_unit_hsa_id>/<episode_id>", a case (vårdtillfälle) in logs, the store and
// the AMQP `case_id` property.
#include <string>

#include "slussen/v1/events.pb.h"

namespace slussen {

inline std::string CaseKey(const v1::CaseId& id) {
  return id.care_unit_hsa_id() + "/" + id.episode_id();
}

}  // namespace slussen
