#pragma once
// Broker mode (hub/DESIGN.md "Broker mode"): the hub and the adapters talk through a broker
// (RabbitMQ 3.10 with its AMQP 1.0 plugin) instead of the hub's own listener. Every party keeps
// using the hub's logical addresses — `events`, `receipts`, `out/<destination>` — and this maps
// them onto the broker's pre-declared queues (deploy/rabbitmq/, `slussen --broker-definitions`):
//
//   events            -> /amq/queue/<prefix>events
//   receipts          -> /amq/queue/<prefix>receipts
//   out/kommun-1380   -> /amq/queue/<prefix>out.kommun-1380
//
// `/amq/queue/NAME` never declares a queue, so queues keep the arguments they were declared with
// (quorum type, delivery limit, dead-letter exchange); RabbitMQ 3.10 ends the session when the
// queue is missing ("NOT_FOUND"). A '/' is not allowed in the queue part of that address, hence
// `out.` rather than `out/`.
#include <string>
#include <string_view>

namespace slussen {

struct BrokerAddressing {
  bool enabled = false;
  std::string queue_prefix;  // e.g. "slussen." (may be empty)

  // The broker queue of a logical address ("out/kommun-1380" -> "<prefix>out.kommun-1380").
  std::string QueueName(std::string_view logical) const;
  // The AMQP address to attach to: the logical address itself when not enabled, else
  // "/amq/queue/" + QueueName(logical).
  std::string Address(std::string_view logical) const;
};

// A queue prefix the broker accepts in `/amq/queue/` addresses and definitions: at most 64
// characters of [A-Za-z0-9._-]. Empty result: fine; else what is wrong. The adapters' <hub><broker>
// and the hub's <broker> are checked by this one rule.
std::string CheckQueuePrefix(std::string_view prefix);

}  // namespace slussen
