#include "testing/amqp_codec.h"

#include <proton/codec.h>

#include <algorithm>

namespace slussen::testing {
namespace {

pn_bytes_t Bytes(const std::string& s) { return pn_bytes(s.size(), s.data()); }

std::string Encode(pn_data_t* d) {
  const ssize_t size = pn_data_encoded_size(d);
  std::string out(static_cast<std::size_t>(std::max<ssize_t>(size, 0)), '\0');
  const ssize_t n = pn_data_encode(d, out.data(), out.size());
  out.resize(static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  return out;
}

AmqpValue ReadValue(pn_data_t* d) {
  AmqpValue v;
  switch (pn_data_type(d)) {
    case PN_NULL: break;
    case PN_BOOL: v.kind = AmqpValue::Kind::kBool; v.flag = pn_data_get_bool(d); break;
    case PN_UBYTE: v.kind = AmqpValue::Kind::kNumber; v.number = pn_data_get_ubyte(d); break;
    case PN_USHORT: v.kind = AmqpValue::Kind::kNumber; v.number = pn_data_get_ushort(d); break;
    case PN_UINT: v.kind = AmqpValue::Kind::kNumber; v.number = pn_data_get_uint(d); break;
    case PN_ULONG: v.kind = AmqpValue::Kind::kNumber; v.number = pn_data_get_ulong(d); break;
    case PN_INT:
      v.kind = AmqpValue::Kind::kNumber;
      v.number = static_cast<uint64_t>(static_cast<int64_t>(pn_data_get_int(d)));
      break;
    case PN_LONG:
      v.kind = AmqpValue::Kind::kNumber;
      v.number = static_cast<uint64_t>(pn_data_get_long(d));
      break;
    case PN_STRING:
    case PN_SYMBOL:
    case PN_BINARY: {
      v.kind = AmqpValue::Kind::kBytes;
      const pn_bytes_t b = pn_data_get_bytes(d);
      v.bytes.assign(b.start, b.size);
      break;
    }
    case PN_DESCRIBED: {
      v.kind = AmqpValue::Kind::kDescribed;
      pn_data_enter(d);
      if (pn_data_next(d)) v.descriptor = ReadValue(d).number;
      if (pn_data_next(d)) v.items.push_back(ReadValue(d));
      pn_data_exit(d);
      break;
    }
    case PN_LIST:
    case PN_ARRAY:
    case PN_MAP: {
      v.kind = AmqpValue::Kind::kList;
      pn_data_enter(d);
      while (pn_data_next(d)) v.items.push_back(ReadValue(d));
      pn_data_exit(d);
      break;
    }
    default: v.kind = AmqpValue::Kind::kOther; break;
  }
  return v;
}

std::optional<AmqpError> ErrorOf(const AmqpValue* v) {
  if (v == nullptr || v->kind != AmqpValue::Kind::kDescribed || v->descriptor != amqp::kError) {
    return std::nullopt;
  }
  AmqpError e;
  if (const AmqpValue* c = v->Field(0)) e.condition = c->bytes;
  if (const AmqpValue* d = v->Field(1)) e.description = d->bytes;
  return e;
}

}  // namespace

std::string EncodeDescribedList(uint64_t code, const std::function<void(pn_data_t*)>& fields) {
  pn_data_t* d = pn_data(16);
  pn_data_put_described(d);
  pn_data_enter(d);
  pn_data_put_ulong(d, code);
  pn_data_put_list(d);
  pn_data_enter(d);
  if (fields) fields(d);
  pn_data_exit(d);
  pn_data_exit(d);
  std::string out = Encode(d);
  pn_data_free(d);
  return out;
}

void PutTerminus(pn_data_t* d, uint64_t code, const std::string& address) {
  pn_data_put_described(d);
  pn_data_enter(d);
  pn_data_put_ulong(d, code);
  pn_data_put_list(d);
  pn_data_enter(d);
  if (!address.empty()) PutString(d, address);
  pn_data_exit(d);
  pn_data_exit(d);
}

void PutString(pn_data_t* d, const std::string& s) { pn_data_put_string(d, Bytes(s)); }
void PutBinary(pn_data_t* d, const std::string& s) { pn_data_put_binary(d, Bytes(s)); }

void DecodeFrameBody(const std::string& body, AmqpFrame* frame) {
  pn_data_t* d = pn_data(16);
  const ssize_t used = pn_data_decode(d, body.data(), body.size());
  if (used > 0) {
    pn_data_rewind(d);
    pn_data_next(d);
    frame->body = ReadValue(d);
    frame->code = frame->body.descriptor;
    frame->payload = body.substr(static_cast<std::size_t>(used));
  }
  pn_data_free(d);
}

const AmqpValue* AmqpValue::Field(std::size_t i) const {
  if (kind == Kind::kDescribed) return items.empty() ? nullptr : items[0].Field(i);
  if (kind != Kind::kList || i >= items.size() || items[i].kind == Kind::kNull) return nullptr;
  return &items[i];
}

std::string AmqpFrame::Name() const {
  if (heartbeat) return "empty frame";
  static const char* const kNames[] = {"open",        "begin",  "attach", "flow", "transfer",
                                       "disposition", "detach", "end",    "close"};
  if (code >= amqp::kOpen && code <= amqp::kClose) return kNames[code - amqp::kOpen];
  return "performative 0x" + std::to_string(code);
}

std::optional<AmqpError> AmqpFrame::Error() const {
  switch (code) {
    case amqp::kClose:
    case amqp::kEnd: return ErrorOf(body.Field(0));
    case amqp::kDetach: return ErrorOf(body.Field(2));
    case amqp::kDisposition: {
      const AmqpValue* state = body.Field(4);
      if (state == nullptr || state->descriptor != amqp::kRejected) return std::nullopt;
      return ErrorOf(state->Field(0));
    }
    default: return std::nullopt;
  }
}

std::string AmqpFrame::Outcome() const {
  const AmqpValue* state = code == amqp::kDisposition ? body.Field(4) : nullptr;
  if (state == nullptr) return "";
  switch (state->descriptor) {
    case amqp::kAccepted: return "accepted";
    case amqp::kRejected: return "rejected";
    case amqp::kReleased: return "released";
    case amqp::kModified: return "modified";
    default: return "state 0x" + std::to_string(state->descriptor);
  }
}

std::string AmqpFrame::Describe() const {
  std::string out = Name();
  if (const auto outcome = Outcome(); !outcome.empty()) out += " " + outcome;
  if (const auto e = Error()) out += " [" + e->condition + ": " + e->description + "]";
  return out;
}

std::string EncodeAmqpMessage(const std::vector<std::string>& data_sections,
                              const std::string& message_id,
                              std::optional<uint64_t> message_id_ulong) {
  std::string out;
  if (!message_id.empty() || message_id_ulong) {
    out += EncodeDescribedList(amqp::kProperties, [&](pn_data_t* d) {
      if (message_id_ulong) {
        pn_data_put_ulong(d, *message_id_ulong);
      } else {
        PutString(d, message_id);
      }
    });
  }
  for (const auto& section : data_sections) {
    pn_data_t* d = pn_data(4);
    pn_data_put_described(d);
    pn_data_enter(d);
    pn_data_put_ulong(d, amqp::kData);
    PutBinary(d, section);
    pn_data_exit(d);
    out += Encode(d);
    pn_data_free(d);
  }
  return out;
}

}  // namespace slussen::testing
