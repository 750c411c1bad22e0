#pragma once
// Sends bytes that are NOT an encoded AMQP message as the payload of one transfer, written
// straight on Proton's C API (a well-behaved client cannot produce this). Tests use it to show
// that a peer's garbage does not take the hub down.
#include <chrono>
#include <string>

namespace slussen::testing {

struct RawSendResult {
  bool settled = false;   // the hub sent an outcome
  std::string outcome;    // "accepted", "rejected", "released", "modified"
  std::string error;      // a local or connection error, if any
};

RawSendResult SendRawTransfer(const std::string& url, const std::string& address,
                              const std::string& payload,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace slussen::testing
