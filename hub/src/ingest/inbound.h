#pragma once
// The hub's decision about one inbound message, before anything is stored: decode the body,
// validate, route. Pure apart from the clock value passed in.
#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "config/config.h"
#include "ingest/validate.h"
#include "api/core_messages.h"
#include "slussen/v1/events.pb.h"
#include "wire/case_key.h"

namespace slussen {

struct Refusal {
  std::string event_id;              // if the body decoded far enough to carry one
  std::vector<std::string> reasons;  // "field: problem", never patient data
  // The sender HSA id the envelope claims, if it decoded and the id is well-formed (configured
  // or not): whom the deviation report counts the rejection for.
  std::string sender_hsa_id;
  // The patient's log pseudonym (log_pseudonym.h), if the envelope decoded with an identity: so
  // that an operator can tell one patient's rejections apart without learning who it is.
  std::string patient_pseudonym;
  // The AMQP error condition the sender gets: the adapter lacks the entitlement
  // (kUnauthorizedCondition, entitlements.h), or else the event itself is invalid.
  std::string condition = "slussen:invalid-event";
};

// Either the event to journal (with its destinations) or why it is refused.
using InboundDecision = std::variant<EventRecord, Refusal>;

// `decoded`, if given, is the (empty) message the body is decoded into, so that the caller (the
// core's case tracking) does not decode the same bytes a second time and may keep it on an arena
// of its own; it holds the event when the decision is an EventRecord.
InboundDecision DecideInbound(const InboundMessage& msg, const Config& config,
                              std::chrono::system_clock::time_point now,
                              v1::Envelope* decoded = nullptr);

// The reasons DecideInbound would refuse an already decoded envelope for, `now` being when it
// arrives, as the same texts — size limit, validation and (with ValidationScope::kHub) routing —
// but not what belongs to an AMQP delivery (its message-id, the address it came to, the adapter
// it came from). Empty: the hub would store it. For `slussenctl simulate`.
std::vector<std::string> OfflineRefusalReasons(const v1::Envelope& env, const Config& config,
                                               std::chrono::system_clock::time_point now,
                                               ValidationScope scope);

}  // namespace slussen
