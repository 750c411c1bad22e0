#pragma once
// The admin API's integer query parameters (?limit=, ?before=, ?days=): one check and one 400 for
// every handler.
#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>

#include "admin/json_reply.h"

namespace slussen::admin {

// A non-negative integer query parameter within [0, max]; `fallback` when absent; nullopt (and
// the 400 written) when malformed.
inline std::optional<int64_t> Param(const httplib::Request& req, httplib::Response& res,
                                    const std::string& name, int64_t fallback, int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos ||
      std::stoll(v) > max) {
    Fail(res, 400, name + " must be a whole number from 0 to " + std::to_string(max));
    return std::nullopt;
  }
  return std::stoll(v);
}

}  // namespace slussen::admin
