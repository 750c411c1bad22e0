#include "adapters/municipality/outcome.h"

namespace slussen::municipality {
namespace {

// The length of the UTF-8 sequence starting at `s[i]` if it is well-formed (no overlongs, no
// surrogates, at most U+10FFFF), else 0.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;
    if (c == 0xF4 && b(1) >= 0x90) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

std::string PrintableUtf8(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = Utf8Length(text, i);
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool control = n == 1 && ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F);
    const std::size_t len = (n == 0 || control) ? 1 : n;
    if (out.size() + len > max_bytes) break;
    if (n == 0 || control) {
      out += '?';
    } else {
      out.append(text.substr(i, n));
    }
    i += len;
  }
  return out;
}

Settlement SettlementFor(const PostResult& r) {
  Settlement s;
  if (r.status == 0) {
    s.disposition = client::Disposition::kRelease;
    s.summary = r.transport_error.empty() ? "no answer" : r.transport_error;
    return s;
  }
  s.summary = "HTTP " + std::to_string(r.status);
  if (r.status >= 200 && r.status < 300) {
    s.disposition = client::Disposition::kAccept;
  } else if (r.status >= 400 && r.status < 500) {
    s.disposition = client::Disposition::kReject;
    s.condition = "slussen:http-" + std::to_string(r.status);
    s.description =
        PrintableUtf8(s.summary + (r.body.empty() ? "" : ": " + r.body), kMaxKeptBody + 16);
  } else {
    s.disposition = client::Disposition::kRelease;
  }
  return s;
}

}  // namespace slussen::municipality
