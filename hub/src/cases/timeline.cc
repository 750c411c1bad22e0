#include "cases/timeline.h"

#include <google/protobuf/util/json_util.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/time_format.h"

namespace slussen {
namespace {

bool SkipLine(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r");
  return first == std::string::npos || line[first] == '#';
}

}  // namespace

Result<std::vector<CaseEvent>> ReadTimeline(const std::string& path, std::vector<int>* line_numbers) {
  std::ifstream in(path);
  if (!in) return Error{path + ": cannot read: " + std::strerror(errno)};

  std::vector<CaseEvent> events;
  std::vector<std::string> errors;
  std::map<std::string, int> line_of_event;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (SkipLine(line)) continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";

    nlohmann::json object;
    try {
      object = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      errors.push_back(where + "not valid JSON: " + e.what());
      continue;
    }
    if (!object.is_object()) {
      errors.push_back(where + "expected one JSON object (an Envelope) per line");
      continue;
    }

    // The extra keys: times the hub would know besides the envelope.
    bool bad = false;
    auto extra_time = [&](const char* key) -> std::optional<TimePoint> {
      auto it = object.find(key);
      if (it == object.end()) return std::nullopt;
      std::optional<TimePoint> t;
      if (!it->is_string()) {
        errors.push_back(where + key + ": expected an RFC 3339 string");
      } else if (t = ParseRfc3339(it->get<std::string>()); !t) {
        errors.push_back(where + key + ": not an RFC 3339 time (1900-2199): \"" +
                         it->get<std::string>() + "\"");
      }
      bad = bad || !t;
      object.erase(it);
      return t;
    };
    const std::optional<TimePoint> stored_at = extra_time("stored_at");
    const std::optional<TimePoint> delivered_at = extra_time("kommun_delivered_at");
    if (bad) continue;

    CaseEvent event;
    const auto status = google::protobuf::util::JsonStringToMessage(object.dump(), &event.envelope);
    if (!status.ok()) {
      errors.push_back(where + "not a slussen.v1.Envelope: " + std::string(status.message()));
      continue;
    }
    const auto& env = event.envelope;
    std::vector<std::string> missing;
    if (env.event_id().empty()) missing.push_back("event_id");
    if (env.case_id().care_unit_hsa_id().empty()) missing.push_back("case_id.care_unit_hsa_id");
    if (env.case_id().episode_id().empty()) missing.push_back("case_id.episode_id");
    if (!env.has_occurred_at()) missing.push_back("occurred_at");
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      errors.push_back(where + "missing " + list);
      continue;
    }
    if (auto [it, inserted] = line_of_event.emplace(env.event_id(), number); !inserted) {
      errors.push_back(where + "event_id " + env.event_id() + " already used on line " +
                       std::to_string(it->second));
      continue;
    }
    event.stored_at = stored_at ? *stored_at : ToTimePoint(env.occurred_at());
    event.kommun_delivered_at = delivered_at;
    events.push_back(std::move(event));
    if (line_numbers) line_numbers->push_back(number);
  }
  if (in.bad()) errors.push_back(path + ": cannot read: " + std::strerror(errno));
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e;
    return Error{message};
  }
  return events;
}

}  // namespace slussen
