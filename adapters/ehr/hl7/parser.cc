#include "hl7/parser.h"

#include <string>
#include <vector>

#include "hl7/escape.h"

namespace slussen::hl7 {
namespace {

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool IsSegmentIdChar(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

Error Invalid(std::string message) { return Error{std::move(message), ErrorCode::kInvalidArgument}; }

// A printable rendering of one byte for error messages: the input is untrusted.
std::string Show(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  static const char* hex = "0123456789abcdef";
  return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

// Segments, without their terminators; empty lines dropped.
std::vector<std::string_view> SplitSegments(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\r' || text[i] == '\n') {
      if (i > start) out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

Result<Delimiters> ReadDelimiters(std::string_view msh) {
  if (msh.size() < 8) return Invalid("MSH is too short to hold MSH-1 and MSH-2");
  Delimiters d;
  d.field = msh[3];
  if (IsAlnum(d.field) || d.field == ' ') {
    return Invalid("MSH-1: " + Show(d.field) + " cannot be the field separator");
  }
  const std::size_t end = msh.find(d.field, 4);
  const std::string_view enc = msh.substr(4, end == std::string_view::npos ? msh.npos : end - 4);
  // Four characters; v2.7 adds a fifth (truncation), which this parser does not use.
  if (enc.size() != 4 && enc.size() != 5) {
    return Invalid("MSH-2: the encoding characters must be 4 (component, repetition, escape, "
                   "subcomponent), found " + std::to_string(enc.size()));
  }
  d.component = enc[0];
  d.repetition = enc[1];
  d.escape = enc[2];
  d.subcomponent = enc[3];
  const std::string all = std::string(1, d.field) + std::string(enc);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (IsAlnum(all[i]) || all[i] == ' ') {
      return Invalid("MSH-2: " + Show(all[i]) + " cannot be an encoding character");
    }
    if (all.find(all[i], i + 1) != std::string::npos) {
      return Invalid("MSH-2: " + Show(all[i]) + " is used for two delimiters");
    }
  }
  return d;
}

class SegmentParser {
 public:
  SegmentParser(const Delimiters& d, const ParseOptions& o) : d_(d), options_(o) {}

  Result<Segment> Parse(std::string_view line, std::size_t number) {
    const std::size_t id_end = line.find(d_.field);
    const std::string_view id = line.substr(0, id_end);
    if (id.size() != 3 || !IsSegmentIdChar(id[0]) || !IsSegmentIdChar(id[1]) ||
        !IsSegmentIdChar(id[2])) {
      return Invalid("segment " + std::to_string(number) +
                     ": does not start with a segment id (three characters A-Z, 0-9)");
    }
    Segment seg{std::string(id)};
    if (id_end == std::string_view::npos) return seg;
    std::vector<std::string_view> fields = Split(line.substr(id_end + 1), d_.field);
    int n = 1;
    if (id == "MSH") {
      // MSH-1 is the separator just consumed and MSH-2 the encoding characters: verbatim.
      seg.SetField(1, Field{Repetition{Component{std::string(1, d_.field)}}});
      seg.SetField(2, Field{Repetition{Component{std::string(fields.front())}}});
      fields.erase(fields.begin());
      n = 3;
      leaves_ += 2;
    }
    for (std::string_view raw : fields) {
      if (!raw.empty()) {
        Field f;
        for (std::string_view rep : Split(raw, d_.repetition)) {
          Repetition r;
          for (std::string_view comp : Split(rep, d_.component)) {
            Component c;
            for (std::string_view sub : Split(comp, d_.subcomponent)) {
              if (++leaves_ > options_.max_leaves) {
                return Invalid("segment " + std::to_string(number) + ": more than " +
                               std::to_string(options_.max_leaves) +
                               " values in the message (limit)");
              }
              c.push_back(Unescape(sub, d_));
            }
            r.push_back(std::move(c));
          }
          f.push_back(std::move(r));
        }
        seg.SetField(n, std::move(f));
      }
      ++n;
    }
    return seg;
  }

 private:
  const Delimiters& d_;
  const ParseOptions& options_;
  std::size_t leaves_ = 0;
};

}  // namespace

Result<Message> Parse(std::string_view text, const ParseOptions& options) {
  const std::vector<std::string_view> lines = SplitSegments(text);
  if (lines.empty()) return Invalid("empty message");
  const std::string_view first = lines.front();
  if (first.substr(0, 3) == "FHS" || first.substr(0, 3) == "BHS") {
    return Invalid("HL7 batches (FHS/BHS) are not supported: send one message per frame");
  }
  if (first.substr(0, 3) != "MSH") return Invalid("the message does not start with MSH");
  if (lines.size() > options.max_segments) {
    return Invalid("more than " + std::to_string(options.max_segments) + " segments (limit)");
  }
  auto delimiters = ReadDelimiters(first);
  if (!delimiters) return delimiters.as_error();

  Message msg;
  msg.delimiters = *delimiters;
  SegmentParser parser(msg.delimiters, options);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto seg = parser.Parse(lines[i], i + 1);
    if (!seg) return seg.as_error();
    if (i > 0 && seg->id() == "MSH") {
      return Invalid("segment " + std::to_string(i + 1) +
                     ": a second MSH (one message per frame)");
    }
    msg.segments.push_back(std::move(*seg));
  }
  return msg;
}

}  // namespace slussen::hl7
