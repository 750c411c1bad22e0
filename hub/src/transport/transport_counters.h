#pragma once
// What the embedded transport counts, readable from any thread at any time (for metrics): each
// field is written only by the socket loop's thread.
#include <atomic>
#include <cstdint>

namespace slussen {

struct TransportCounters {
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> connections_open{0};
  // Refused because max-connections were open (closed with amqp:resource-limit-exceeded).
  std::atomic<uint64_t> connections_refused{0};
  // Closed by the hub because the peer broke the protocol, sent a transfer that is not an AMQP
  // message, or a handler threw: each is one peer's fault and ended that connection alone.
  std::atomic<uint64_t> connections_failed{0};
  // Refused at open or at SASL: no adapter entry for the login, or wrong credentials.
  std::atomic<uint64_t> connections_unauthorized{0};
  // Links refused at attach (slussen:unauthorized): the adapter may not read that out/ address,
  // send any event, or send receipts.
  std::atomic<uint64_t> links_unauthorized{0};
  // Closed because the peer went silent past the idle timeout.
  std::atomic<uint64_t> idle_timeouts{0};
  // Deliveries refused while still arriving because they passed the size limit.
  std::atomic<uint64_t> oversized_deliveries{0};
  // accept() failures, e.g. the process ran out of descriptors (EMFILE/ENFILE).
  std::atomic<uint64_t> accept_errors{0};
};

}  // namespace slussen
