#include "wire/broker_addressing.h"

#include <algorithm>

namespace slussen {

std::string BrokerAddressing::QueueName(std::string_view logical) const {
  std::string name = queue_prefix;
  name += logical;
  std::replace(name.begin() + static_cast<std::ptrdiff_t>(queue_prefix.size()), name.end(), '/',
               '.');
  return name;
}

std::string BrokerAddressing::Address(std::string_view logical) const {
  if (!enabled) return std::string(logical);
  return "/amq/queue/" + QueueName(logical);
}

std::string CheckQueuePrefix(std::string_view prefix) {
  if (prefix.size() > 64) return "longer than 64 characters";
  const bool ok = std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
  return ok ? "" : "only letters, digits, '.', '_' and '-' are allowed";
}

}  // namespace slussen
