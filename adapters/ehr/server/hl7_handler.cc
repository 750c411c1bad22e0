#include "server/hl7_handler.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <variant>

#include "hl7/parser.h"
#include "hl7/writer.h"
#include "mapping/adt_mapping.h"
#include "server/log_text.h"
#include "wire/event_kind.h"

namespace slussen::ehr {
namespace {

using client::SendOutcome;

std::string Bounded(std::string_view text, std::size_t max = kMaxHubReasonChars) {
  if (text.size() <= max) return std::string(text);
  // Cut on a UTF-8 boundary: the hub's texts may hold åäö.
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

hl7::Problem HubProblem(std::string text) {
  hl7::Problem p;
  p.ack = hl7::AckCode::kError;
  p.code = hl7::ConditionCode::kApplicationInternalError;
  p.text = std::move(text);
  return p;
}

std::string TriggerOf(const hl7::Message& m) {
  return m.Get("MSH", 9, 1, 1) + "^" + m.Get("MSH", 9, 1, 2);
}

std::string KindName(const v1::Envelope& env) {
  const auto kind = KindOf(env);
  return kind ? std::string(EventKindName(*kind)) : std::string("?");
}

}  // namespace

hl7::Message AckForSendOutcome(hl7::AckBuilder& builder, const hl7::Message& request,
                               const SendOutcome& outcome) {
  switch (outcome.kind) {
    case SendOutcome::Kind::kAccepted:
      return builder.Accept(request);
    case SendOutcome::Kind::kRejected: {
      std::string why = outcome.description.empty() ? outcome.condition : outcome.description;
      if (why.empty()) why = "no reason given";
      return builder.Refuse(request, {HubProblem("refused by Slussen: " + Bounded(why))});
    }
    case SendOutcome::Kind::kReleased:
    case SendOutcome::Kind::kModified:
    case SendOutcome::Kind::kError:
      break;
  }
  // Not stored, and not refused either: the same message sent again will be taken (the event id
  // makes the hub store it once, should this one have arrived after all).
  std::string why = outcome.kind == SendOutcome::Kind::kError
                        ? outcome.description
                        : std::string("the hub ") + client::OutcomeName(outcome.kind) + " it";
  return builder.Refuse(
      request, {HubProblem("Slussen is temporarily unavailable, send again (" + Bounded(why) +
                           ")")});
}

Hl7Handler::Hl7Handler(MappingConfig mapping, hl7::AckIdentity identity, Clock clock,
                       EventSender send)
    : mapping_(std::move(mapping)),
      send_(std::move(send)),
      acks_(std::move(identity), std::move(clock)) {}

std::string Hl7Handler::Written(const hl7::Message& ack) { return hl7::Write(ack); }

std::string Hl7Handler::HandleFrame(std::string_view payload, const std::string& peer) {
  auto parsed = hl7::Parse(payload);
  if (!parsed) {
    spdlog::warn("mllp {}: frame of {} bytes is not HL7 ({}): AR", peer, payload.size(),
                 LogSafe(parsed.error(), 120));
    std::lock_guard lock(ack_mu_);
    return Written(acks_.RejectFrame(payload, "not an HL7 v2 message: " + parsed.error()));
  }
  const hl7::Message& request = *parsed;
  const std::string what = LogSafe(TriggerOf(request), 20) + " " +
                           LogSafe(request.Get("MSH", 10), 40);
  MappingOutcome mapped = MapAdt(request, mapping_);

  if (auto* nothing = std::get_if<NothingToSend>(&mapped)) {
    // The reason is the mapping's own text (no personal data, no input echoed).
    spdlog::info("mllp {}: {}: nothing to send ({}): AA", peer, what, nothing->reason);
    std::lock_guard lock(ack_mu_);
    return Written(acks_.Accept(request, nothing->reason));
  }
  if (auto* refusal = std::get_if<Refusal>(&mapped)) {
    std::lock_guard lock(ack_mu_);
    const hl7::Message ack = acks_.Refuse(request, refusal->problems);
    spdlog::info("mllp {}: {}: refused by the mapping, {} problem(s), first: {}: {}", peer, what,
                 refusal->problems.size(), LogSafe(ack.Get("MSA", 1), 2),
                 LogSafe(refusal->problems.front().text, 120));
    return Written(ack);
  }
  const v1::Envelope& env = std::get<v1::Envelope>(mapped);
  spdlog::debug("mllp {}: {}: sending event {} to the hub", peer, what, env.event_id());
  const SendOutcome outcome = send_(env);
  std::lock_guard lock(ack_mu_);
  const hl7::Message ack = AckForSendOutcome(acks_, request, outcome);
  const auto level = outcome.kind == SendOutcome::Kind::kAccepted ? spdlog::level::info
                                                                  : spdlog::level::warn;
  spdlog::log(level, "mllp {}: {}: event {} ({}) {}{}{}: {}", peer, what, env.event_id(),
              KindName(env), client::OutcomeName(outcome.kind),
              outcome.description.empty() ? "" : ": ",
              LogSafe(outcome.description, 160), LogSafe(ack.Get("MSA", 1), 2));
  return Written(ack);
}

std::string Hl7Handler::HandleFramingError(const hl7::MllpError& error, const std::string& peer) {
  using Kind = hl7::MllpError::Kind;
  spdlog::warn("mllp {}: {}", peer, LogSafe(error.text, 160));
  switch (error.kind) {
    case Kind::kOversized:
    case Kind::kInterrupted: {
      std::lock_guard lock(ack_mu_);
      return Written(acks_.RejectFrame(
          error.head, error.kind == Kind::kOversized ? "frame too large: " + error.text
                                                      : "frame interrupted: " + error.text));
    }
    case Kind::kGarbage:
    case Kind::kNoCr:
    case Kind::kTruncated:
      return "";
  }
  return "";
}

}  // namespace slussen::ehr
