#include "ingest/inbound.h"
#include "ingest/identity.h"
#include "ingest/log_pseudonym.h"

#include <cctype>

#include "common/clock.h"
#include "common/timestamp.h"
#include "wire/event_kind.h"
#include "ingest/entitlements.h"
#include "ingest/routing.h"
#include "ingest/validate.h"

namespace slussen {
namespace {

// A message without a message-id is accepted (the event id inside is what counts); one with a
// message-id must carry the event id, so that brokers and tools that deduplicate or trace on
// message-id see the same identity as the hub. UUIDs compare case-insensitively.
bool MessageIdMatches(const std::string& message_id, const std::string& event_id) {
  if (message_id.empty()) return true;
  if (message_id.size() != event_id.size()) return false;
  for (std::size_t i = 0; i < message_id.size(); ++i) {
    const auto a = static_cast<unsigned char>(message_id[i]);
    const auto b = static_cast<unsigned char>(event_id[i]);
    if (std::tolower(a) != std::tolower(b)) return false;
  }
  return true;
}

std::string TooLarge(std::size_t size, const Config& config) {
  return "body: " + std::to_string(size) + " bytes exceeds the limit of " +
         std::to_string(config.max_message_bytes) + " bytes";
}

}  // namespace

InboundDecision DecideInbound(const InboundMessage& msg, const Config& config,
                              std::chrono::system_clock::time_point now,
                              v1::Envelope* decoded) {
  Refusal refusal;
  if (!msg.body_problem.empty()) {
    refusal.reasons.push_back("body: " + msg.body_problem);
    return refusal;
  }
  if (msg.body_size > config.max_message_bytes) {
    refusal.reasons.push_back(TooLarge(msg.body_size, config));
    return refusal;
  }
  if (msg.body.empty()) {
    refusal.reasons.push_back("body: empty; expected a serialized slussen.v1.Envelope");
    return refusal;
  }
  v1::Envelope local;
  v1::Envelope& env = decoded != nullptr ? *decoded : local;
  if (!env.ParseFromString(msg.body)) {
    refusal.reasons.push_back("body: not a valid slussen.v1.Envelope (protobuf decoding failed)");
    return refusal;
  }
  // The identifying fields are for the refusal's log line only, so they are filled in when
  // the event is refused: the pseudonym's HMAC cost 3 % of the core thread when computed for
  // every accepted event.
  const auto refuse = [&]() -> InboundDecision {
    refusal.event_id = env.event_id().size() <= 64 ? env.event_id() : std::string();
    if (CheckHsaId(env.sender_hsa_id()).empty()) refusal.sender_hsa_id = env.sender_hsa_id();
    if (!env.patient().identity().id().empty() && !config.log_pseudonym_key.empty()) {
      refusal.patient_pseudonym =
          LogPseudonym(config.log_pseudonym_key, env.patient().identity().id());
    }
    return std::move(refusal);
  };
  const auto kind = KindOf(env);
  // Who may send this comes before what it says: an adapter learns nothing about the content
  // checks of events it may not send at all. Without a kind there is nothing to be entitled to;
  // validation reports that.
  if (kind) {
    refusal.reasons = CheckEntitlements(env, *kind, msg.principal, config);
    if (!refusal.reasons.empty()) {
      refusal.condition = kUnauthorizedCondition;
      return refuse();
    }
  }
  refusal.reasons = ValidateEnvelope(env, config, now);
  if (!MessageIdMatches(msg.message_id, env.event_id())) {
    // Neither value is echoed: a message-id is whatever the sender put there.
    refusal.reasons.push_back(
        "message-id: differs from event_id; the AMQP message-id must be the event id");
  }
  if (msg.channel == Channel::kReceipts && kind && *kind != EventKind::kReceipt) {
    refusal.reasons.push_back("address: only Receipt events may be sent to 'receipts', got " +
                              std::string(EventKindName(*kind)));
  }
  if (!refusal.reasons.empty()) return refuse();

  auto destinations = RouteEvent(env, config, FromMicros(msg.received_at_us));
  if (!destinations) {
    refusal.reasons.push_back(destinations.error());
    return refuse();
  }
  EventRecord record;
  record.event_id = env.event_id();
  record.kind = std::string(EventKindName(*kind));
  record.case_id = CaseKey(env.case_id());
  record.sender_hsa_id = env.sender_hsa_id();
  record.schema_version = env.schema_version();
  // Validated above, so inside 1900..2199 and exact; the clamp only guards the arithmetic.
  record.occurred_at_us = TimestampToMicrosClamped(env.occurred_at());
  record.received_at_us = msg.received_at_us;
  record.body = msg.body;
  record.destinations = std::move(*destinations);
  return record;
}

std::vector<std::string> OfflineRefusalReasons(const v1::Envelope& env, const Config& config,
                                               std::chrono::system_clock::time_point now,
                                               ValidationScope scope) {
  if (const std::size_t size = env.ByteSizeLong(); size > config.max_message_bytes) {
    return {TooLarge(size, config)};
  }
  std::vector<std::string> reasons = ValidateEnvelope(env, config, now, scope);
  if (reasons.empty() && scope == ValidationScope::kHub) {
    if (auto destinations = RouteEvent(env, config, now); !destinations) {
      reasons.push_back(destinations.error());
    }
  }
  return reasons;
}

}  // namespace slussen
