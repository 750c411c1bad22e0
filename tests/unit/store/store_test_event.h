#pragma once
// An event record as the store tests write it: one case per event, fixed times, a body that
// names the event unless given.
#include <string>
#include <utility>
#include <vector>

#include "api/records.h"

namespace slussen::testing {

inline EventRecord StoreTestEvent(const std::string& id, std::vector<std::string> destinations,
                                  const std::string& body = "") {
  EventRecord e;
  e.event_id = id;
  e.kind = "Inskrivningsmeddelande";
  e.case_id = "SE2321000131-sjh/VT-" + id;
  e.sender_hsa_id = "SE2321000131-sjh";
  e.schema_version = 1;
  e.occurred_at_us = 1'760'000'000'000'000;
  e.received_at_us = 1'760'000'001'000'000;
  e.body = body.empty() ? "body-of-" + id : body;
  e.destinations = std::move(destinations);
  return e;
}

}  // namespace slussen::testing
