#pragma once
// What the system posts back (POST /dokument): a kvittens becomes a Receipt event for the hub's
// `receipts` (receiving_system = the destination this adapter serves), a planeringsunderlag-svar
// an event for `events`. The HTTP answer waits for the hub: 201 only once the hub has accepted
// (stored) the event; 400 for a document that is not valid (every problem with its line); 403
// for a document from another sender than the configured one; 422 with the hub's reason when it
// rejected the event; 503 when the hub cannot take it now or cannot be reached (post it again,
// with the same dokument-id).
#include <functional>
#include <string>
#include <string_view>

#include "adapters/municipality/municipality_config.h"
#include "hub_client.h"

namespace slussen::municipality {

struct HttpAnswer {
  int status = 500;
  std::string body;  // text/plain, UTF-8
};

// Sends one message to the hub and returns its settlement (HubSession::SendAndWait).
using SendToHub =
    std::function<client::SendOutcome(const std::string& address, client::OutgoingMessage)>;

// `destination` is the ?destination= query parameter: which served destination a kvittens is
// from, needed only when the adapter serves more than one (empty: the first).
HttpAnswer TakeDocument(std::string_view body, std::string_view destination,
                        const MunicipalityConfig& config, const SendToHub& send);

}  // namespace slussen::municipality
