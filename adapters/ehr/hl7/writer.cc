#include "hl7/writer.h"

#include "hl7/escape.h"

namespace slussen::hl7 {
namespace {

// Joins the parts that WriteOne renders, dropping trailing empty ones.
template <class Parts, class WriteOne>
std::string Join(const Parts& parts, char sep, WriteOne write_one) {
  std::string out;
  std::size_t keep = 0;  // out's length up to the last non-empty part
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.push_back(sep);
    const std::string part = write_one(parts[i]);
    out += part;
    if (!part.empty()) keep = out.size();
  }
  out.resize(keep);
  return out;
}

std::string WriteField(const Field& f, const Delimiters& d) {
  return Join(f, d.repetition, [&](const Repetition& r) {
    return Join(r, d.component, [&](const Component& c) {
      return Join(c, d.subcomponent, [&](const std::string& s) { return Escape(s, d); });
    });
  });
}

}  // namespace

std::string Write(const Message& message) {
  const Delimiters& d = message.delimiters;
  std::string out;
  for (const Segment& seg : message.segments) {
    std::string line = seg.id();
    int first = 1;
    if (seg.id() == "MSH") {
      line += d.field;
      line += d.component;
      line += d.repetition;
      line += d.escape;
      line += d.subcomponent;
      first = 3;
    }
    std::size_t keep = line.size();
    for (int n = first; n <= seg.field_count(); ++n) {
      line.push_back(d.field);
      const std::string text = WriteField(*seg.field(n), d);
      line += text;
      if (!text.empty()) keep = line.size();
    }
    line.resize(keep);
    out += line;
    out.push_back('\r');
  }
  return out;
}

}  // namespace slussen::hl7
