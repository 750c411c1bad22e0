#include "hl7/escape.h"

#include <optional>

namespace slussen::hl7 {
namespace {

std::optional<int> HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// The bytes of \X...\'s digits, or nullopt if they are not an even number of hex digits.
std::optional<std::string> DecodeHex(std::string_view digits) {
  if (digits.empty() || digits.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    const auto hi = HexValue(digits[i]);
    const auto lo = HexValue(digits[i + 1]);
    if (!hi || !lo) return std::nullopt;
    out.push_back(static_cast<char>(*hi * 16 + *lo));
  }
  return out;
}

// What the sequence between two escape characters stands for, or nullopt to keep it literally.
std::optional<std::string> Decode(std::string_view seq, const Delimiters& d) {
  if (seq == "F") return std::string(1, d.field);
  if (seq == "S") return std::string(1, d.component);
  if (seq == "T") return std::string(1, d.subcomponent);
  if (seq == "R") return std::string(1, d.repetition);
  if (seq == "E") return std::string(1, d.escape);
  if (seq == ".br") return std::string("\n");
  if (!seq.empty() && seq[0] == 'X') return DecodeHex(seq.substr(1));
  return std::nullopt;
}

}  // namespace

std::string Unescape(std::string_view raw, const Delimiters& d) {
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] != d.escape) {
      out.push_back(raw[i++]);
      continue;
    }
    const std::size_t close = raw.find(d.escape, i + 1);
    if (close == std::string_view::npos) {
      out.append(raw.substr(i));  // no closing escape character: literal
      break;
    }
    const std::string_view seq = raw.substr(i + 1, close - i - 1);
    if (auto decoded = Decode(seq, d)) {
      out += *decoded;
    } else {
      out.append(raw.substr(i, close - i + 1));
    }
    i = close + 1;
  }
  return out;
}

std::string Escape(std::string_view text, const Delimiters& d) {
  std::string out;
  out.reserve(text.size());
  auto seq = [&](std::string_view s) {
    out.push_back(d.escape);
    out.append(s);
    out.push_back(d.escape);
  };
  for (char c : text) {
    // The escape character first: it may equal no other delimiter, but check it before them.
    if (c == d.escape) {
      seq("E");
    } else if (c == d.field) {
      seq("F");
    } else if (c == d.component) {
      seq("S");
    } else if (c == d.subcomponent) {
      seq("T");
    } else if (c == d.repetition) {
      seq("R");
    } else if (c == '\n') {
      seq(".br");
    } else if (c == '\r') {
      seq("X0D");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace slussen::hl7
