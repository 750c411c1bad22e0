#include "mapping/hl7_values.h"

#include <chrono>

#include "hl7/dtm.h"

namespace slussen::ehr {

void Problems::Missing(std::string_view segment, int field, int component, std::string text) {
  Bad(hl7::ConditionCode::kRequiredFieldMissing, segment, field, component, std::move(text));
}

void Problems::Bad(hl7::ConditionCode code, std::string_view segment, int field, int component,
                   std::string text, hl7::AckCode ack) {
  hl7::Problem p;
  p.ack = ack;
  p.code = code;
  p.location.segment = std::string(segment);
  p.location.field = field;
  p.location.component = component;
  p.text = std::move(text);
  list_.push_back(std::move(p));
}

std::string FieldText(const hl7::Segment& segment, int field) {
  const hl7::Field* f = segment.field(field);
  if (!f || f->empty()) return "";
  std::string out;
  const hl7::Repetition& r = f->front();
  for (std::size_t c = 0; c < r.size(); ++c) {
    if (c > 0) out.push_back('^');
    for (std::size_t s = 0; s < r[c].size(); ++s) {
      if (s > 0) out.push_back('&');
      out += r[c][s];
    }
  }
  // Trailing empty components carry nothing: "X^^" and "X" name the same sender.
  while (!out.empty() && out.back() == '^') out.pop_back();
  return out;
}

std::optional<google::protobuf::Timestamp> ReadTime(const hl7::Segment* segment,
                                                    std::string_view segment_id, int field,
                                                    int component, Problems& problems) {
  if (!segment) return std::nullopt;
  const std::string& text = segment->Get(field, 1, component);
  if (text.empty()) return std::nullopt;
  auto t = hl7::ParseDtm(text);
  if (!t) {
    problems.Bad(hl7::ConditionCode::kDataTypeError, segment_id, field, component,
                 std::string(segment_id) + "-" + std::to_string(field) + ": " + t.error());
    return std::nullopt;
  }
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(t->time_since_epoch()).count();
  google::protobuf::Timestamp ts;
  const int64_t seconds = us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((us - seconds * 1'000'000) * 1000));
  return ts;
}

bool ReadYesNo(const hl7::Segment* segment, std::string_view segment_id, int field,
               Problems& problems) {
  if (!segment) return false;
  const std::string& v = segment->Get(field);
  if (v.empty() || v == "N") return false;
  if (v == "Y") return true;
  problems.Bad(hl7::ConditionCode::kTableValueNotFound, segment_id, field, 0,
               std::string(segment_id) + "-" + std::to_string(field) + ": must be Y or N");
  return false;
}

}  // namespace slussen::ehr
