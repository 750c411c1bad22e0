#pragma once
// Just enough of AMQP 1.0's type system and framing for tests that speak the protocol by hand
// (testing/raw_amqp_socket.h): decoded values and frames, and the encoding of performatives
// and messages. Values go through Proton's C codec (pn_data_*), which is only an encoder and
// decoder of AMQP values, not an engine: nothing here checks what a peer may or may not send.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

typedef struct pn_data_t pn_data_t;  // proton/codec.h

namespace slussen::testing {

// AMQP 1.0 performatives and the other described types used here (descriptor codes).
namespace amqp {
inline constexpr uint64_t kOpen = 0x10, kBegin = 0x11, kAttach = 0x12, kFlow = 0x13,
                          kTransfer = 0x14, kDisposition = 0x15, kDetach = 0x16, kEnd = 0x17,
                          kClose = 0x18, kError = 0x1d, kAccepted = 0x24, kRejected = 0x25,
                          kReleased = 0x26, kModified = 0x27, kSource = 0x28, kTarget = 0x29,
                          kProperties = 0x73, kData = 0x75;
}  // namespace amqp

// One decoded AMQP value: enough of the type system to read performatives.
struct AmqpValue {
  enum class Kind { kNull, kBool, kNumber, kBytes, kList, kDescribed, kOther };
  Kind kind = Kind::kNull;
  bool flag = false;
  uint64_t number = 0;           // every integer type, as its bits
  std::string bytes;             // string, symbol, binary
  uint64_t descriptor = 0;       // kDescribed
  std::vector<AmqpValue> items;  // kList: the elements; kDescribed: [0] = the described value

  // Field i of a list (or of the list a described value holds); nullptr if absent or null.
  const AmqpValue* Field(std::size_t i) const;
};

struct AmqpError {
  std::string condition;    // e.g. "amqp:decode-error"
  std::string description;
};

// One frame as read from the socket.
struct AmqpFrame {
  uint16_t channel = 0;
  bool heartbeat = false;  // an empty frame
  uint64_t code = 0;       // the performative's descriptor (amqp::kOpen ...)
  AmqpValue body;          // the performative (a described list)
  std::string payload;     // bytes after the performative (a transfer's message bytes)

  std::string Name() const;  // "open", "close", ... for failure messages
  // close, end, detach: their error; disposition: a rejected outcome's error.
  std::optional<AmqpError> Error() const;
  // disposition: "accepted", "rejected", "released", "modified" or "" (no state).
  std::string Outcome() const;
  std::string Describe() const;  // name and error, for failure messages
};

// An encoded AMQP message: a properties section with `message_id` (a string, or a ulong when
// `message_id_ulong` is set; no properties section if neither), then one data section for each
// element of `data_sections`.
std::string EncodeAmqpMessage(const std::vector<std::string>& data_sections,
                              const std::string& message_id = "",
                              std::optional<uint64_t> message_id_ulong = std::nullopt);

// A performative (or any described list): `fields` puts the list's elements.
std::string EncodeDescribedList(uint64_t code, const std::function<void(pn_data_t*)>& fields);
void PutString(pn_data_t* d, const std::string& s);
void PutBinary(pn_data_t* d, const std::string& s);
// A source or target (amqp::kSource / kTarget) with `address`, or none if empty.
void PutTerminus(pn_data_t* d, uint64_t code, const std::string& address);
// Fills `frame`'s code, body and payload from a frame body (the bytes after the frame header).
void DecodeFrameBody(const std::string& body, AmqpFrame* frame);

}  // namespace slussen::testing
