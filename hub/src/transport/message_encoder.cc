#include "transport/message_encoder.h"

#include <cstdint>

namespace slussen {
namespace {

// AMQP 1.0 type constructors (part 1.6) and section descriptors (part 3.2).
enum : uint8_t {
  kDescribed = 0x00,
  kSmallUlong = 0x53,
  kNull = 0x40,
  kTrue = 0x41,
  kVbin8 = 0xa0,
  kStr8 = 0xa1,
  kSym8 = 0xa3,
  kVbin32 = 0xb0,
  kStr32 = 0xb1,
  kSym32 = 0xb3,
  kList8 = 0xc0,
  kMap8 = 0xc1,
  kList32 = 0xd0,
  kMap32 = 0xd1,
  kHeader = 0x70,
  kProperties = 0x73,
  kApplicationProperties = 0x74,
  kData = 0x75,
};

void PutU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

// A variable-width value: the one-byte-length form when it fits, else the four-byte one.
void PutVariable(std::string& out, uint8_t ctor8, uint8_t ctor32, std::string_view bytes) {
  if (bytes.size() <= 0xff) {
    out.push_back(static_cast<char>(ctor8));
    out.push_back(static_cast<char>(bytes.size()));
  } else {
    out.push_back(static_cast<char>(ctor32));
    PutU32(out, static_cast<uint32_t>(bytes.size()));
  }
  out.append(bytes);
}

void PutString(std::string& out, std::string_view s) { PutVariable(out, kStr8, kStr32, s); }

void PutDescriptor(std::string& out, uint8_t code) {
  out.push_back(static_cast<char>(kDescribed));
  out.push_back(static_cast<char>(kSmallUlong));
  out.push_back(static_cast<char>(code));
}

// A list or map whose `count` elements were appended at `start`: inserts the constructor, size
// and count in front of them, in the short form when both fit in a byte.
void WrapCompound(std::string& out, std::size_t start, uint8_t ctor8, uint8_t ctor32,
                  uint32_t count) {
  const std::size_t elements = out.size() - start;
  std::string head;
  if (elements + 1 <= 0xff && count <= 0xff) {
    head.push_back(static_cast<char>(ctor8));
    head.push_back(static_cast<char>(elements + 1));
    head.push_back(static_cast<char>(count));
  } else {
    head.push_back(static_cast<char>(ctor32));
    PutU32(head, static_cast<uint32_t>(elements + 4));
    PutU32(head, count);
  }
  out.insert(start, head);
}

}  // namespace

void EncodeMessage(const OutgoingMessage& m, std::string& out) {
  out.clear();
  if (m.durable) {
    PutDescriptor(out, kHeader);
    const char header[] = {static_cast<char>(kList8), 2, 1, static_cast<char>(kTrue)};
    out.append(header, sizeof header);
  }

  PutDescriptor(out, kProperties);
  std::size_t start = out.size();
  PutString(out, m.message_id);             // message-id
  out.push_back(static_cast<char>(kNull));  // user-id
  out.push_back(static_cast<char>(kNull));  // to
  PutString(out, m.subject);                // subject
  out.push_back(static_cast<char>(kNull));  // reply-to
  out.push_back(static_cast<char>(kNull));  // correlation-id
  PutVariable(out, kSym8, kSym32, m.content_type);
  WrapCompound(out, start, kList8, kList32, 7);

  if (!m.properties.empty()) {
    PutDescriptor(out, kApplicationProperties);
    start = out.size();
    for (const auto& [key, value] : m.properties) {
      PutString(out, key);
      PutString(out, value);
    }
    WrapCompound(out, start, kMap8, kMap32, static_cast<uint32_t>(2 * m.properties.size()));
  }

  PutDescriptor(out, kData);
  PutVariable(out, kVbin8, kVbin32, m.body);
}

}  // namespace slussen
