#include "hl7/message.h"

#include <utility>

namespace slussen::hl7 {
namespace {

const std::string& Empty() {
  static const std::string empty;
  return empty;
}

template <class V>
auto& Grow(V& v, int n) {
  if (static_cast<int>(v.size()) < n) v.resize(static_cast<std::size_t>(n));
  return v[static_cast<std::size_t>(n - 1)];
}

}  // namespace

const Field* Segment::field(int n) const {
  if (n < 1 || n > field_count()) return nullptr;
  return &fields_[static_cast<std::size_t>(n - 1)];
}

int Segment::repetition_count(int n) const {
  const Field* f = field(n);
  return f ? static_cast<int>(f->size()) : 0;
}

const std::string& Segment::Get(int field_no, int rep, int comp, int sub) const {
  const Field* f = field(field_no);
  if (!f || rep < 1 || rep > static_cast<int>(f->size())) return Empty();
  const Repetition& r = (*f)[static_cast<std::size_t>(rep - 1)];
  if (comp < 1 || comp > static_cast<int>(r.size())) return Empty();
  const Component& c = r[static_cast<std::size_t>(comp - 1)];
  if (sub < 1 || sub > static_cast<int>(c.size())) return Empty();
  return c[static_cast<std::size_t>(sub - 1)];
}

void Segment::Set(int field_no, int rep, int comp, int sub, std::string value) {
  if (field_no < 1 || rep < 1 || comp < 1 || sub < 1) return;
  Grow(Grow(Grow(Grow(fields_, field_no), rep), comp), sub) = std::move(value);
}

void Segment::SetComponents(int field_no, const std::vector<std::string>& components) {
  if (field_no < 1) return;
  Repetition r;
  for (const auto& c : components) r.push_back(Component{c});
  Grow(fields_, field_no) = Field{std::move(r)};
}

void Segment::SetField(int n, Field f) {
  if (n < 1) return;
  Grow(fields_, n) = std::move(f);
}

const Segment* Message::Find(std::string_view id, int occurrence) const {
  int seen = 0;
  for (const auto& s : segments) {
    if (s.id() == id && ++seen == occurrence) return &s;
  }
  return nullptr;
}

int Message::Count(std::string_view id) const {
  int n = 0;
  for (const auto& s : segments) n += s.id() == id ? 1 : 0;
  return n;
}

const std::string& Message::Get(std::string_view segment, int field_no, int rep, int comp,
                                int sub) const {
  const Segment* s = Find(segment);
  return s ? s->Get(field_no, rep, comp, sub) : Empty();
}

Segment& Message::Add(std::string id) {
  segments.emplace_back(std::move(id));
  return segments.back();
}

}  // namespace slussen::hl7
