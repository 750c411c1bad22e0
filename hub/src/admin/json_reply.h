#pragma once
// How every admin API handler answers: a JSON body, indented, and errors as {"error": "..."}.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

namespace slussen::admin {

inline void Reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", "application/json; charset=utf-8");
}

inline void Fail(httplib::Response& res, int status, const std::string& message) {
  Reply(res, status, nlohmann::json{{"error", message}});
}

}  // namespace slussen::admin
