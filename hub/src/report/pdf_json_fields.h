#pragma once
// Reading a report's JSON for its PDF: a field that may be missing or of another type reads as
// empty (the PDF shows a dash), never throws. Shared by the case report and the deviation report.
#include <nlohmann/json.hpp>
#include <string>

#include "pdf/markup.h"

namespace slussen::pdf_json {

inline constexpr const char* kDash = "–";

inline const nlohmann::json& Field(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null_value;
  if (!j.is_object()) return null_value;
  auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

// A field as text: a string as it is, null as empty, anything else as JSON.
inline std::string Str(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = Field(j, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// Escaped text of a field, or a dash when it is absent.
inline std::string Text(const nlohmann::json& j, const char* key) {
  const std::string s = Str(j, key);
  return s.empty() ? kDash : pdf::Esc(s);
}

}  // namespace slussen::pdf_json
