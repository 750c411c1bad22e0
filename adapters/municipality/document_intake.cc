#include "adapters/municipality/document_intake.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "adapters/municipality/outcome.h"
#include "synthetic_events.h"
#include "xmldoc/xmldoc.h"

namespace slussen::municipality {
namespace {

constexpr std::array<EventKind, 2> kAccepted = {EventKind::kReceipt,
                                                EventKind::kPlaneringsunderlagSvar};

}  // namespace

HttpAnswer TakeDocument(std::string_view body, std::string_view destination,
                        const MunicipalityConfig& config, const SendToHub& send) {
  std::string served = config.destinations.empty() ? std::string() : config.destinations.front();
  if (!destination.empty()) {
    if (std::find(config.destinations.begin(), config.destinations.end(), destination) ==
        config.destinations.end()) {
      return {400, "destination " + PrintableUtf8(destination, 80) + " is not served here\n"};
    }
    served = std::string(destination);
  }
  xmldoc::ReadOptions options;
  options.accept = kAccepted;
  options.receiving_system = served;
  options.max_bytes = config.max_body;
  auto env = xmldoc::ReadDocument(body, "POST /dokument", options);
  if (!env) {
    spdlog::warn("POST /dokument: invalid document refused (400)");
    return {400, env.error() + "\n"};
  }
  const std::string& id = env->event_id();  // a UUID: the schema checked it
  const bool receipt = env->has_receipt();
  const char* what = receipt ? "kvittens" : "planeringsunderlag-svar";
  if (env->sender_hsa_id() != config.sender_hsa_id) {
    spdlog::warn("POST /dokument: {} {} names another sender than {}; refused (403)", what, id,
                 config.sender_hsa_id);
    return {403, "avsandare-hsa-id must be " + config.sender_hsa_id +
                     ", the unit this endpoint posts for\n"};
  }
  const std::string address = receipt ? "receipts" : "events";
  const client::SendOutcome o = send(address, client::ToMessage(*env));
  using Kind = client::SendOutcome::Kind;
  switch (o.kind) {
    case Kind::kAccepted:
      spdlog::info("{} {} for {}: accepted by the hub (201)", what, id, served);
      return {201, "accepted " + id + "\n"};
    case Kind::kRejected: {
      spdlog::warn("{} {} for {}: rejected by the hub ({}) (422)", what, id, served,
                   o.condition.empty() ? "no condition" : o.condition);
      std::string reason = o.condition.empty() ? o.description : o.condition + ": " + o.description;
      return {422, "the hub rejected it: " + PrintableUtf8(reason, 4096) + "\n"};
    }
    case Kind::kReleased:
    case Kind::kModified:
      spdlog::warn("{} {} for {}: the hub could not take it now (503)", what, id, served);
      return {503, "the hub cannot take it now; post it again later\n"};
    case Kind::kError:
      break;
  }
  spdlog::warn("{} {} for {}: no answer from the hub: {} (503)", what, id, served, o.description);
  return {503, "the hub is unreachable (" + o.description + "); post it again later\n"};
}

}  // namespace slussen::municipality
