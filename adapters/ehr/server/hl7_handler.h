#pragma once
// One HL7 message in, its acknowledgement out (adapters/ehr/README.md, "Acknowledgements"):
// parse, map to at most one event, send it to the hub and wait for the hub's settlement, then
// answer. AA only when the hub settled `accepted` (the event is on its disk) or there was nothing
// to send; AE with the hub's reason when it refused; AE "temporarily unavailable, send again"
// when the outcome is unknown (hub down, timeout, released); AE/AR with the mapping's problems;
// AR for a frame that is not HL7.
//
// Thread-safe: the MLLP connections share one handler, each calling it for its own messages one
// at a time. The send function blocks (it waits for the hub).
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "hl7/ack.h"
#include "hl7/message.h"
#include "hl7/mllp.h"
#include "hub_client.h"
#include "mapping/config.h"
#include "slussen/v1/events.pb.h"

namespace slussen::ehr {

// Sends one event to the hub's `events` and returns how the hub settled it.
using EventSender = std::function<client::SendOutcome(const v1::Envelope&)>;

// The longest text of the hub's that goes into an ACK (MSA-3, ERR-8).
inline constexpr std::size_t kMaxHubReasonChars = 400;

// What the ACK to `request` is, given how the hub settled its event. Pure: for tests.
hl7::Message AckForSendOutcome(hl7::AckBuilder& builder, const hl7::Message& request,
                               const client::SendOutcome& outcome);

class Hl7Handler {
 public:
  Hl7Handler(MappingConfig mapping, hl7::AckIdentity identity, Clock clock, EventSender send);

  // One complete MLLP frame's payload; returns the ACK's ER7 text (not yet MLLP-wrapped).
  // `peer` names the connection in log lines.
  std::string HandleFrame(std::string_view payload, const std::string& peer);

  // A framing error of the stream: the ACK for it (AR naming what can still be read of the
  // frame), or "" when there is nothing to answer (garbage between frames, a missing CR, a
  // stream that ended mid-frame).
  std::string HandleFramingError(const hl7::MllpError& error, const std::string& peer);

 private:
  std::string Written(const hl7::Message& ack);

  const MappingConfig mapping_;
  const EventSender send_;
  std::mutex ack_mu_;  // AckBuilder's counter of control ids is shared by every connection
  hl7::AckBuilder acks_;
};

}  // namespace slussen::ehr
