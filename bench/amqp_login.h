#pragma once
// The load generator's connection options: anonymous, or a SASL PLAIN login (broker mode; in
// clear, which only the bench's loopback broker sees).
#include <proton/connection_options.hpp>
#include <string>

#include "proton_convert.h"

namespace slussen::bench {

inline proton::connection_options LoginOptions(const std::string& user,
                                               const std::string& password) {
  proton::connection_options options;
  if (user.empty()) return options;
  client::ClientSecurity security;
  security.mechanisms = "PLAIN";
  security.user = user;
  security.password = password;
  security.allow_insecure_mechanisms = true;
  client::ApplySecurity(security, options);
  return options;
}

}  // namespace slussen::bench
