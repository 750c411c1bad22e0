#pragma once
// Whom a letter on out/letter goes to, and why it is a letter.
//
// The hub sends a row it added after the event was stored (the receipt fallback, an operator's
// re-route) with the application properties for_destination (the destination whose delivery the
// letter stands in for: kommun-1380) and reason ("no receipt from kommun-1380 by …"): the
// recipient is the one configured for for_destination, and nobody else, since a letter meant for
// a vårdcentral must not go to the kommun. An event routed to letter directly has neither: its
// recipient is derived from the event, the patient's kommun (kommun-KKKK) if one is configured,
// else the configured default, and the letter says so. No recipient: the delivery is to be
// rejected with the returned reason, a dead letter an operator sees.
#include <map>
#include <string>

#include "adapters/letter/letter_adapter_config.h"
#include "common/result.h"
#include "slussen/v1/events.pb.h"

namespace slussen::adapters::letter {

struct RecipientChoice {
  const Recipient* recipient = nullptr;
  // For the letter's "Orsak" box: the hub's reason, or what this adapter decided.
  std::string reason;
  // How the recipient was found, for the log (ids only): "for_destination", "patient's kommun",
  // "default".
  std::string how;
};

// Error (kNotFound): why no recipient is known, with ids only (destination ids, no kommunkod of
// the patient beyond the destination id it would be).
Result<RecipientChoice> ChooseRecipient(const LetterAdapterConfig& config,
                                        const std::map<std::string, std::string>& properties,
                                        const slussen::v1::Envelope& event);

}  // namespace slussen::adapters::letter
