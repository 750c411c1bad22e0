#include "transport/message_codec.h"

#include <proton/codec.h>
#include <proton/type_id.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>

#include "common/hex.h"

namespace slussen {
namespace {

// Section descriptors of the AMQP 1.0 message format (part 3.2).
enum : uint64_t {
  kHeader = 0x70,
  kDeliveryAnnotations = 0x71,
  kMessageAnnotations = 0x72,
  kProperties = 0x73,
  kApplicationProperties = 0x74,
  kData = 0x75,
  kSequence = 0x76,
  kValue = 0x77,
  kFooter = 0x78,
};

uint64_t BigEndian(std::string_view b, std::size_t pos, std::size_t n) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(b[pos + i]);
  return v;
}

std::optional<uint64_t> SymbolicCode(std::string_view name) {
  static constexpr std::pair<std::string_view, uint64_t> kNames[] = {
      {"amqp:header:list", kHeader},
      {"amqp:delivery-annotations:map", kDeliveryAnnotations},
      {"amqp:message-annotations:map", kMessageAnnotations},
      {"amqp:properties:list", kProperties},
      {"amqp:application-properties:map", kApplicationProperties},
      {"amqp:data:binary", kData},
      {"amqp:amqp-sequence:list", kSequence},
      {"amqp:amqp-value:*", kValue},
      {"amqp:footer:map", kFooter},
  };
  for (const auto& [n, code] : kNames) {
    if (n == name) return code;
  }
  return std::nullopt;
}

// The section descriptor at `pos` (0x00, then a ulong or a symbol); advances `pos` past it.
// nullopt if there is none, or it is cut off.
std::optional<uint64_t> ReadDescriptor(std::string_view b, std::size_t& pos) {
  const std::size_t left = b.size() - pos;
  if (left < 2 || b[pos] != '\0') return std::nullopt;
  const auto ctor = static_cast<uint8_t>(b[pos + 1]);
  if (ctor == 0x53 && left >= 3) {  // smallulong
    pos += 3;
    return static_cast<uint8_t>(b[pos - 1]);
  }
  if (ctor == 0x80 && left >= 10) {  // ulong
    pos += 10;
    return BigEndian(b, pos - 8, 8);
  }
  const std::size_t len_bytes = ctor == 0xa3 ? 1 : ctor == 0xb3 ? 4 : 0;  // sym8, sym32
  if (len_bytes == 0 || left < 2 + len_bytes) return std::nullopt;
  const uint64_t len = BigEndian(b, pos + 2, len_bytes);
  if (left - 2 - len_bytes < len) return std::nullopt;
  auto code = SymbolicCode(b.substr(pos + 2 + len_bytes, len));
  pos += 2 + len_bytes + len;
  return code;
}

// The message-id, first field of the properties list, at the data's current node.
std::string IdText(pn_data_t* d) {
  switch (pn_data_type(d)) {
    case PN_STRING: {
      const pn_bytes_t s = pn_data_get_string(d);
      return std::string(s.start, s.size);
    }
    case PN_ULONG: return "ulong:" + std::to_string(pn_data_get_ulong(d));
    case PN_UUID: {
      const pn_uuid_t u = pn_data_get_uuid(d);
      const std::string h = LowerHex(std::string_view(u.bytes, sizeof u.bytes));
      return "uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
             h.substr(16, 4) + "-" + h.substr(20);
    }
    case PN_BINARY: {
      const pn_bytes_t b = pn_data_get_binary(d);
      return "binary:" + LowerHex(std::string_view(b.start, b.size));
    }
    case PN_NULL: return "";
    default: return proton::type_name(static_cast<proton::type_id>(pn_data_type(d))) + ":?";
  }
}

using Data = std::unique_ptr<pn_data_t, decltype(&pn_data_free)>;

}  // namespace

Result<DecodedMessage> DecodeMessage(std::string_view bytes, bool complete, std::size_t max_body) {
  if (bytes.empty()) return Error{"an empty transfer: no message sections"};
  DecodedMessage out;
  Data data(pn_data(0), &pn_data_free);
  int data_sections = 0;
  std::string other_body;  // what an amqp-value or amqp-sequence body was
  std::size_t pos = 0;
  int index = 0;
  while (pos < bytes.size()) {
    ++index;
    const std::size_t start = pos;
    const auto code = ReadDescriptor(bytes, pos);
    if (!code) {
      if (!complete && bytes.size() - start < 16) break;  // the cut fell inside a descriptor
      return Error{"section " + std::to_string(index) + " has no AMQP message-section descriptor"};
    }
    if (*code == kData) {
      const std::size_t left = bytes.size() - pos;
      const auto ctor = left > 0 ? static_cast<uint8_t>(bytes[pos]) : 0;
      const std::size_t len_bytes = ctor == 0xa0 ? 1 : ctor == 0xb0 ? 4 : 0;  // vbin8, vbin32
      if (left == 0 && !complete) break;
      if (len_bytes == 0) return Error{"data section " + std::to_string(index) + " does not hold binary"};
      if (left < 1 + len_bytes) {
        if (!complete) break;
        return Error{"data section " + std::to_string(index) + " is cut short"};
      }
      const uint64_t len = BigEndian(bytes, pos + 1, len_bytes);
      pos += 1 + len_bytes;
      const std::size_t have = std::min<uint64_t>(len, bytes.size() - pos);
      if (have < len && complete) {
        return Error{"data section " + std::to_string(index) + " announces " + std::to_string(len) +
                     " bytes and holds " + std::to_string(have)};
      }
      if (++data_sections == 1) {
        out.body.assign(bytes.substr(pos, std::min(have, max_body)));
        out.body_size = len;
      }
      if (have < len) break;  // cut at the size limit: nothing follows
      pos += len;
      continue;
    }
    pn_data_clear(data.get());
    const ssize_t used = pn_data_decode(data.get(), bytes.data() + start, bytes.size() - start);
    if (used <= 0) {
      if (!complete) break;
      return Error{"section " + std::to_string(index) + " is not valid AMQP"};
    }
    pos = start + static_cast<std::size_t>(used);
    pn_data_rewind(data.get());
    switch (*code) {
      case kProperties:
        // described(descriptor, list(message-id, ...))
        if (pn_data_next(data.get()) && pn_data_enter(data.get()) && pn_data_next(data.get()) &&
            pn_data_next(data.get()) && pn_data_type(data.get()) == PN_LIST &&
            pn_data_enter(data.get()) && pn_data_next(data.get())) {
          out.message_id = IdText(data.get());
        }
        break;
      case kValue:
        if (pn_data_next(data.get()) && pn_data_enter(data.get()) && pn_data_next(data.get()) &&
            pn_data_next(data.get())) {
          other_body = "an amqp-value of type " +
                       proton::type_name(static_cast<proton::type_id>(pn_data_type(data.get())));
        } else {
          other_body = "an amqp-value";
        }
        break;
      case kSequence: other_body = "an amqp-sequence"; break;
      case kHeader:
      case kDeliveryAnnotations:
      case kMessageAnnotations:
      case kApplicationProperties:
      case kFooter:
        break;
      default:
        return Error{"section " + std::to_string(index) + " is not an AMQP message section"};
    }
  }
  if (!other_body.empty() || data_sections != 1) {
    const std::string got = !other_body.empty() ? other_body
                            : data_sections == 0 ? "no body"
                                                 : std::to_string(data_sections) + " data sections";
    out.body_problem = "expected exactly one AMQP data section holding a serialized "
                       "slussen.v1.Envelope, got " + got;
    out.body.clear();
    out.body_size = 0;
  }
  return out;
}

}  // namespace slussen
